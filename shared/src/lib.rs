//! What every Piazza service needs and no single service owns: settings, the message envelope and
//! contracts, the bus with its outbox and inbox, database access, the HTTP error type, auth and
//! telemetry.

pub mod audit;
pub mod auth;
pub mod bus;
pub mod clock;
pub mod confirmations;
pub mod contracts;
pub mod db;
pub mod email;
pub mod envelope;
pub mod hex;
pub mod http;
pub mod ics;
pub mod images;
pub mod persisted;
pub mod progress;
pub mod readiness;
pub mod recurrence;
pub mod retry;
pub mod runtime;
pub mod secret;
pub mod settings;
pub mod small_cells;
pub mod smtp;
pub mod telemetry;
pub mod time;
pub mod tls;
pub mod trace;
pub mod unit;
pub mod web;

pub use envelope::{Envelope, Message};
pub use settings::Settings;
