//! Bookings: operators request slots once or as a series ([`request()`]), administrators approve
//! or reject them (or, when sign-off rules match, each named sector signs off, [`signoff`]) and owners or administrators cancel them ([`transitions`]). Every change is a
//! `booking.*` message; reading them ([`list`], [`get`]) is in `read.rs`.

mod read;
pub mod request;
pub mod signoff;
pub mod transitions;

pub use read::{BookingFilter, announced, get, list, summary};
pub use request::{CreatedBooking, NewBooking, request};
pub use transitions::{CancelBody, CancelScope, RejectBody, approve, cancel, reject};
