//! Email: the transport (lettre's pooled async SMTP, or `.eml` files when no SMTP server is
//! configured), how a rendered email becomes a MIME message, and the templates.

pub mod dates;
pub mod message;
pub mod templates;
mod transport;

pub use message::Rendered;
pub use transport::{Mailer, SendError};
