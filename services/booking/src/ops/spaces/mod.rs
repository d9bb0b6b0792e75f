//! The catalogue of spaces: adding one ([`create()`]), changing one ([`update()`]: new buffers or a
//! new parent take its live bookings' holds along) and finding them ([`search`]: filters, free
//! time, availability). Each change is a `space.*` message and an audit entry.

pub mod create;
pub(crate) mod fields;
pub mod image;
pub mod search;
pub mod update;

pub use create::{NewSpace, create};
pub(crate) use fields::{check_text, find};
pub use image::{image_bytes, remove_image, set_image, with_images};
pub use search::{
    Availability, FreeSlot, RangeQuery, SpaceFilter, availability, free_slots, get, list,
};
pub use update::{SpacePatch, update};
