//! The booking service's tables as sea-orm entities, and the queries a rule lives in: which
//! spaces a booking holds ([`tree`]), what stands in a slot's way ([`conflicts`]), writing
//! bookings and their holds ([`placement`]), keeping holds in step with the tree ([`rehold`]),
//! an organisation's own bookings used by its events ([`own`]),
//! quotas ([`quota`]), sectors and sign-offs ([`sectors`], [`signoffs`]), opening plans ([`opening`]) and the tree lock ([`tree_lock`]).

pub mod accounts;
pub mod bookings;
pub mod busy;
pub mod closures;
pub mod conflicts;
pub mod exceptions;
pub mod holds;
pub mod opening;
pub mod organisations;
pub mod own;
pub mod placement;
pub mod quota;
pub mod rehold;
pub mod sectors;
pub mod signoffs;
pub mod spaces;
pub mod tree;
pub mod tree_lock;
