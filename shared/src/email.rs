//! Email addresses as people type them: normalised for storage and checked for shape before
//! anything is stored or sent.

/// An address as Piazza stores it: trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether `email` looks like a deliverable address: one `@`, a non-empty local part, a domain
/// with a dot that neither starts nor ends with one, no spaces, at most 254 characters.
pub fn plausible_email(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= 64
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..")
        && !domain.contains('@')
        && !email.contains(|c: char| {
            c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | ',' | ';' | '"')
        })
        && email.len() <= 254
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_checked_for_shape() {
        assert!(plausible_email("ada@example.org"));
        assert!(plausible_email("giulia.rossi+piazza@comune.cremona.it"));
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "ada@example",
            "a da@example.org",
            "ada@.org",
            "a@b@c.org",
            "ada@example..org",
            "ada@example.org\r\nBcc: x@y.z",
            "<ada@example.org>",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }
}
