//! The monitoring's use cases: keeping the facts and seasons ([`facts`], [`seasons`]) and asking
//! the owners for what they hold when it knows nothing yet ([`resync`]).

pub mod facts;
pub mod indicators;
pub mod resync;
pub mod seasons;
pub mod values;
