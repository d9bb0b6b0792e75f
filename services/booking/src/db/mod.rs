//! The booking service's tables as sea-orm entities, and the queries that need more than one.

pub mod accounts;
pub mod bookings;
pub mod closures;
pub mod exceptions;
pub mod holds;
pub mod organisations;
pub mod spaces;
