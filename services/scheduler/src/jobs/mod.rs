//! The scheduler's time-based work.

pub mod slot_timeouts;
