//! The monitoring's tables as sea-orm entities.

pub mod facts;
pub mod indicators;
pub mod seasons;
