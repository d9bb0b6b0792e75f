//! What a space is: its kind, its state and where the money for its reactivation came from.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpaceKind {
    Room,
    Hall,
    Courtyard,
    Square,
    Lab,
    Other,
}

piazza_shared::persisted_enum!(SpaceKind { Room => "room", Hall => "hall", Courtyard => "courtyard", Square => "square", Lab => "lab", Other => "other" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpaceStatus {
    /// Bookable.
    Open,
    /// Being renovated: listed, not bookable.
    UnderWorks,
    /// No longer in use.
    Retired,
}

piazza_shared::persisted_enum!(SpaceStatus { Open => "open", UnderWorks => "under_works", Retired => "retired" });

/// The fund that paid for reactivating a space (the strategy reports by it): the one enum every
/// service and message uses.
pub use piazza_shared::contracts::FundingLine;
