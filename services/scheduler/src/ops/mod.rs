//! The scheduler's use cases, one module per aggregate. Each is a function taking the state, the
//! caller and a typed input, and answering a typed output or a [`crate::error::SchedulerError`].
//! Transactions, the outbox and the audit log are used here (through [`piazza_shared::unit::Unit`]) and
//! in the jobs and message handlers that run a use case of their own; the routes and pages above
//! only translate.

pub mod calls;
pub mod clashes;
pub mod events;
pub mod ideas;
pub mod input;
pub mod listing;
pub mod pathways;
pub mod places;
pub mod programmes;
pub mod proposals;
pub mod registrations;
pub mod resync;
pub mod seasons;
pub mod spaces;
pub mod tables;
