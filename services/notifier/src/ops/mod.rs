//! The notifier's use cases, one module per aggregate. Each is a function taking the state, who
//! asks (a signed link's subscriber, a caller, or nobody for a public form) and a typed input,
//! and answering a typed output or a [`crate::error::NotifierError`]. Transactions are opened
//! here (through [`piazza_shared::unit::Unit`]) and in the message handlers and jobs that run a
//! use case of their own; the routes and pages above only translate.

pub mod links;
pub mod preferences;
pub mod reports;
pub mod subscribers;
pub mod unknown;
