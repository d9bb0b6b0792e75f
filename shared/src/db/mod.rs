//! Each service's database: one SQLite file per service in the embedded mode, one PostgreSQL
//! schema per service in the distributed mode. Write transactions on SQLite are serialised in the
//! process, so a check-then-insert inside one is never interleaved with another writer.

mod errors;
mod instance_lock;
mod pool;

pub use errors::{is_connection_error, is_exclusion_violation, is_unique_violation};
pub use instance_lock::InstanceLock;
pub use pool::{Db, WriteTxn};
