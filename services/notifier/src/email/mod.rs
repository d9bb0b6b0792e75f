//! Email: the transport (lettre's pooled async SMTP, or `.eml` files when no SMTP server is
//! configured), how a rendered email becomes a MIME message, and each kind of email — its words
//! in Rust, its layout in the templates of `templates/email/` (see [`render`]).

pub mod accounts;
pub mod body;
pub mod bookings;
pub mod calendar;
pub mod changes;
mod connections;
pub mod dates;
pub mod digest;
pub mod ideas;
pub mod message;
pub mod notices;
pub mod parts;
pub mod registrations;
pub mod render;
mod send_error;
pub mod subscribers;
mod transport;

pub use message::{Attachment, Rendered};
pub use render::EmailTemplates;
pub use send_error::SendError;
pub use transport::Mailer;
