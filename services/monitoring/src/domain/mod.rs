//! The monitoring's rules, without I/O: what each message makes of facts, and how a fact moves
//! when news of it comes again ([`facts`]).

pub mod export;
pub mod facts;
pub mod indicators;
pub mod measures;
pub mod periods;
pub mod report;
