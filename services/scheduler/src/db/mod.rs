//! The scheduler's tables as sea-orm entities.

pub mod booked;
pub mod calls;
pub mod events;
pub mod feeds;
pub mod ideas;
pub mod job_runs;
pub mod occurrences;
pub mod pathways;
pub mod programmes;
pub mod proposals;
pub mod registrations;
pub mod seasons;
pub mod spaces;
pub mod tables;
