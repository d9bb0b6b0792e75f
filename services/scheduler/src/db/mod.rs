//! The scheduler's tables as sea-orm entities.

pub mod events;
pub mod occurrences;
pub mod seasons;
pub mod spaces;
