//! How sending one email can fail, as the sender must tell the cases apart: try again later,
//! never again, wait for the server, or not again by itself (the outcome is unknown).

#[derive(Debug, thiserror::Error)]
pub enum SendError {
    /// Worth retrying later (server busy, connection lost, 4xx).
    #[error("temporary: {0}")]
    Temporary(String),
    /// The server refused the address or message for good (5xx): stop sending there.
    #[error("permanent: {0}")]
    Permanent(String),
    /// No answer at all (the server is down or unreachable): nobody's fault, so it costs the
    /// email no attempt; the sender waits and tries again.
    #[error("server unavailable: {0}")]
    Unavailable(String),
    /// The connection broke after the email's content went out, before the server's reply: it
    /// may have been accepted. Recorded as `unknown` and not sent again by itself.
    #[error("outcome unknown: {0}")]
    Unknown(String),
}
