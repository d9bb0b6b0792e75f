//! Authentication: HMAC-signed tokens (API bearer tokens and the signed links in emails), argon2
//! password hashes, and the `Caller` extractor that enforces roles.

pub mod caller;
mod claims;
mod keys;
mod password;
mod revocations;
pub mod sessions;

pub use caller::Caller;
pub use claims::{Claims, Role};
pub use keys::{Keys, TokenError};
pub use password::{hash_password, verify_password};
pub use revocations::Revocations;
