//! The notifier's tables as sea-orm entities.

pub mod consents;
pub mod deliveries;
pub mod events;
pub mod registrations;
pub mod senders;
pub mod subscribers;
pub mod suppressions;
