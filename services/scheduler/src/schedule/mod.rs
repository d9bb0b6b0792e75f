//! What happens to events, independent of HTTP: loading them, planning their occurrences from a
//! rule, reconciling a new plan with the occurrences already announced, and telling the bus.

pub mod announce;
pub mod load;
pub mod timing;

pub use load::{Loaded, load, load_locked};
