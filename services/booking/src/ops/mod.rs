//! The booking service's use cases, one module per aggregate. Each is a function taking the
//! state, the caller and a typed input, and answering a typed output or a
//! [`crate::error::BookingError`]. Transactions, the outbox and the audit log are used here
//! (through [`piazza_shared::unit::Unit`], begun by [`crate::state::AppState::begin`]); the
//! routes, pages and message handlers above only translate.

pub mod accounts;
pub mod bookings;
pub mod calendar;
pub mod closures;
pub mod hours;
pub mod notices;
pub mod people;
pub mod range;
pub mod reports;
pub mod resync;
pub mod sectors;
pub mod sessions;
pub mod signoffs;
pub mod slots;
pub mod spaces;
