//! The notifier's work that runs by itself rather than on a request or a message: the email
//! sender (claim due deliveries → compose → send → record), under its lease.

pub mod sender;
