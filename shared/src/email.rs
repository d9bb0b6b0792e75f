//! Email addresses as people type them: normalised for storage and checked for shape before
//! anything is stored or sent.

use std::str::FromStr;

/// An address as Piazza stores it: trimmed and lower-cased.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Whether `email` looks like a deliverable address: one `@`, a non-empty local part, a domain
/// with a dot that neither starts nor ends with one, no spaces, at most 254 characters — and
/// one the mailer itself reads (RFC 5321 syntax as lettre checks it), so nothing is stored that
/// no email could be sent to.
pub fn plausible_email(email: &str) -> bool {
    shaped_like_an_address(email) && lettre::Address::from_str(email).is_ok()
}

fn shaped_like_an_address(email: &str) -> bool {
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
            // Found by the property test below: plausible in shape, refused by the mailer.
            "0@0.:",
        ] {
            assert!(!plausible_email(bad), "{bad}");
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Addresses close to real ones: a local part and a domain of letters, digits and the
    /// punctuation people (and attackers) type.
    fn addressish() -> impl Strategy<Value = String> {
        let local = "[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~()\\[\\]:;<>,\\\\\"@ -]{0,20}";
        let domain = "[a-zA-Z0-9.\\-_\\[\\]:]{0,20}";
        (local, domain).prop_map(|(l, d)| format!("{l}@{d}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn any_text_is_checked_without_panicking(text in "\\PC{0,300}") {
            let _ = plausible_email(&text);
            let _ = plausible_email(&normalise_email(&text));
        }

        #[test]
        fn normalising_twice_changes_nothing(text in "\\PC{0,100}") {
            let once = normalise_email(&text);
            prop_assert_eq!(normalise_email(&once), once);
        }

        /// What is accepted must be sendable: the mail library that builds the messages reads
        /// every plausible address (otherwise a subscriber is stored whom no email can reach).
        #[test]
        fn a_plausible_address_is_one_the_mailer_accepts(text in addressish()) {
            let email = normalise_email(&text);
            if plausible_email(&email) {
                prop_assert!(
                    lettre::Address::from_str(&email).is_ok(),
                    "{email:?} passes the check but lettre refuses it"
                );
            }
        }
    }
}
