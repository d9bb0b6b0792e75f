//! The booking service's vocabulary, checked on construction and free of I/O.

pub mod conflict;
pub mod hours;
pub mod intervals;
pub mod opening;
pub mod space;
pub mod status;
pub mod words;

pub use conflict::{Conflict, Obstacle};
pub use hours::{OpeningHours, Weekday, WeeklyHours};
pub use opening::{DayWindow, OpeningPlan};
pub use space::{FundingLine, SpaceKind, SpaceStatus};
pub use status::BookingStatus;
pub use words::Words;
