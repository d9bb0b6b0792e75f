//! Email: the transport (lettre's pooled async SMTP, or `.eml` files when no SMTP server is
//! configured), how a rendered email becomes a MIME message, and the templates of each kind.

mod body;
pub mod calendar;
pub mod changes;
mod connections;
pub mod dates;
pub mod digest;
pub mod message;
pub mod registrations;
pub mod templates;
mod transport;

pub use message::{Attachment, Rendered};
pub use transport::{Mailer, SendError};
