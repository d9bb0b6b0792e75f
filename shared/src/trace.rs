//! The context one request carries through every service: its request id (`X-Request-Id`) and
//! its W3C Trace Context (`traceparent`, <https://www.w3.org/TR/trace-context/>). The HTTP
//! middleware ([`crate::http::request`]) and the bus consumer ([`crate::bus::consumer`]) set it
//! for the work they run ([`scope`]); [`crate::envelope::Envelope::new`] reads it ([`current`]),
//! so the messages a request or a message causes carry it on to the next service.

use std::fmt;

/// A W3C `traceparent`: the trace one piece of work belongs to and the span that is doing it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TraceParent {
    pub trace_id: [u8; 16],
    pub span_id: [u8; 8],
    /// Trace flags; bit 0 is "sampled".
    pub flags: u8,
}

impl TraceParent {
    /// A new trace (random ids), sampled.
    pub fn start() -> Self {
        Self {
            trace_id: nonzero(rand::random::<u128>).to_be_bytes(),
            span_id: nonzero(rand::random::<u64>).to_be_bytes(),
            flags: 1,
        }
    }

    /// The same trace, a new span (the work this process does for its caller).
    pub fn child(&self) -> Self {
        Self {
            span_id: nonzero(rand::random::<u64>).to_be_bytes(),
            ..*self
        }
    }

    /// Reads a `traceparent` header value. Version `00` exactly as specified; a later version is
    /// read by its first four fields, as the specification asks; anything else is `None` (and
    /// the caller starts a new trace).
    pub fn parse(value: &str) -> Option<Self> {
        let value = value.trim();
        let (head, rest) = (value.get(..55)?, value.get(55..)?);
        let mut parts = head.split('-');
        let (version, trace, span, flags) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let lower_hex = |s: &str, n: usize| {
            s.len() == n
                && s.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        };
        let well_formed = lower_hex(version, 2)
            && lower_hex(trace, 32)
            && lower_hex(span, 16)
            && lower_hex(flags, 2);
        if !well_formed
            || version == "ff"
            || (version == "00" && !rest.is_empty())
            || (version != "00" && !rest.is_empty() && !rest.starts_with('-'))
        {
            return None;
        }
        let trace_id = u128::from_str_radix(trace, 16).ok()?;
        let span_id = u64::from_str_radix(span, 16).ok()?;
        if trace_id == 0 || span_id == 0 {
            return None;
        }
        Some(Self {
            trace_id: trace_id.to_be_bytes(),
            span_id: span_id.to_be_bytes(),
            flags: u8::from_str_radix(flags, 16).ok()?,
        })
    }

    /// The trace id as 32 lowercase hex digits.
    pub fn trace_id_hex(&self) -> String {
        crate::hex::lower(&self.trace_id)
    }

    /// The span id as 16 lowercase hex digits.
    pub fn span_id_hex(&self) -> String {
        crate::hex::lower(&self.span_id)
    }
}

impl fmt::Display for TraceParent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "00-{}-{}-{:02x}",
            self.trace_id_hex(),
            self.span_id_hex(),
            self.flags
        )
    }
}

fn nonzero<T: PartialEq + From<u8>>(mut draw: impl FnMut() -> T) -> T {
    loop {
        let value = draw();
        if value != T::from(0) {
            return value;
        }
    }
}

/// The longest `X-Request-Id` taken from a caller.
pub const MAX_REQUEST_ID: usize = 128;

/// Whether a caller's `X-Request-Id` may be logged and passed on as it is: not empty, at most
/// [`MAX_REQUEST_ID`] characters, only letters, digits and `-_.:@/+=` (no spaces, quotes or
/// control characters that could forge a log line). Otherwise Piazza makes one of its own.
pub fn is_valid_request_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_REQUEST_ID
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:@/+=".contains(&b))
}

/// A new request id (a UUIDv7: unique, and ordered by time).
pub fn new_request_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// What one piece of work (a request, a handled message) runs in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    /// The request that started it all; `None` for work no request started (a cron job).
    pub request_id: Option<String>,
    pub trace: TraceParent,
}

tokio::task_local! {
    static CURRENT: Context;
}

/// Runs `work` with `context` as the [`current`] one.
pub async fn scope<F: Future>(context: Context, work: F) -> F::Output {
    CURRENT.scope(context, work).await
}

/// The context of the work running in this task, if a request or a message set one.
pub fn current() -> Option<Context> {
    CURRENT.try_with(Clone::clone).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_traceparent_round_trips_and_a_child_keeps_the_trace() {
        let value = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        let parent = TraceParent::parse(value).unwrap();
        assert_eq!(parent.to_string(), value);
        let child = parent.child();
        assert_eq!(child.trace_id, parent.trace_id);
        assert_ne!(child.span_id, parent.span_id);
        assert_eq!(child.flags, 1);
    }

    #[test]
    fn malformed_traceparents_are_refused() {
        for value in [
            "",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "00-4bf92f3577b34da6a3ce929d0e0e473x-00f067aa0ba902b7-01",
        ] {
            assert_eq!(TraceParent::parse(value), None, "{value}");
        }
        // A later version is read by its first fields.
        assert!(
            TraceParent::parse("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what")
                .is_some()
        );
    }

    #[test]
    fn request_ids_are_bounded_and_plain() {
        assert!(is_valid_request_id("req-123_abc.def:42"));
        assert!(is_valid_request_id(&new_request_id()));
        assert!(!is_valid_request_id(""));
        assert!(!is_valid_request_id("a b"));
        assert!(!is_valid_request_id("line\nbreak"));
        assert!(!is_valid_request_id("quote\"d"));
        assert!(!is_valid_request_id(&"x".repeat(MAX_REQUEST_ID + 1)));
    }

    #[tokio::test]
    async fn the_current_context_is_the_scoped_one() {
        assert_eq!(current(), None);
        let context = Context {
            request_id: Some("r-1".into()),
            trace: TraceParent::start(),
        };
        let seen = scope(context.clone(), async { current() }).await;
        assert_eq!(seen, Some(context));
    }
}
