//! The scheduler's vocabulary: the states of an event and of its space.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where an event is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventStatus {
    /// Made by an administrator, not yet public.
    Draft,
    /// Proposed by an operator, waiting for an administrator.
    Proposed,
    /// Its space could not be had; it needs another slot or space.
    NeedsSpace,
    /// Public.
    Published,
    Cancelled,
    Completed,
}

/// Whether the event has the space it asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SpaceStatus {
    /// No space asked for.
    None,
    /// Asked; booking has not confirmed (or holds it as requested until an admin approves).
    Pending,
    Confirmed,
    Unavailable,
}

macro_rules! text {
    ($name:ident { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $name {
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn parse(value: &str) -> Option<Self> {
                match value { $($text => Some($name::$variant),)+ _ => None }
            }
        }
    };
}

text!(EventStatus { Draft => "draft", Proposed => "proposed", NeedsSpace => "needs_space", Published => "published", Cancelled => "cancelled", Completed => "completed" });
text!(SpaceStatus { None => "none", Pending => "pending", Confirmed => "confirmed", Unavailable => "unavailable" });
