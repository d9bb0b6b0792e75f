//! Message contracts between services: versioned serde types, one per CloudEvents `type`.
//! A consumer ignores fields it does not know, so producers may add fields without a new version;
//! removing or changing a field needs a new `version`.

pub mod account;
pub mod booking;
pub mod call;
pub mod event;
pub mod features;
pub mod funding;
pub mod idea;
pub mod jobs;
pub mod notice;
pub mod pathway;
pub mod registration;
pub mod resync;
pub mod scheduling;
pub mod season;
pub mod sector;
pub mod space;
pub mod table;
mod vocabulary;

pub use features::{Accessibility, Equipment, Feature};
pub use funding::FundingLine;
pub use vocabulary::{Category, Language};

/// The contract version every message type currently has.
pub const VERSION: u32 = 1;

/// Serde default for `version` fields, so a message without one reads as version 1.
pub fn version_one() -> u32 {
    VERSION
}
