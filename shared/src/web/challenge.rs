//! The challenge the public forms that send emails carry (subscribe, register), needing no
//! outside service: a proof of work. The page's form holds a challenge signed with the service's
//! secret key (a random nonce, when it was issued, the difficulty; valid
//! `forms.challenge_lifetime_seconds`); `/assets/challenge.js` finds a number `n` such that
//! SHA-256(`<challenge>:<n>`) starts with `forms.challenge_bits` zero bits (about 65 000 hashes
//! at 16) and puts it in the form's `solution` field. The server checks the signature, the
//! expiry and the work, and records the challenge as spent (in the same transaction as the
//! email, [`crate::confirmations::spend_challenge`]) so one solution is not replayed.
//!
//! Without JavaScript the form still works: posted without a solution, it is taken once at least
//! `forms.noscript_min_seconds` passed since its (signed) challenge was issued, and counts
//! against the tighter no-script limit ([`crate::confirmations::Proof::NoScript`]).

use crate::{
    auth::{Keys, TokenError},
    confirmations::{self, Proof},
    http::ApiError,
    settings::FormSettings,
    web::Lang,
};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The purpose the challenge is signed for (no other token passes for one).
const PURPOSE: &str = "form-challenge";

/// The longest solution taken (a decimal counter).
const MAX_SOLUTION: usize = 20;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    /// A random nonce: every page gets its own challenge.
    n: String,
    /// When it was issued, in milliseconds since the epoch.
    t: i64,
    /// Leading zero bits asked for.
    d: u8,
    /// The form it was issued for (`subscribe`, `register`): a solution spent on one form is
    /// not taken by another service's form either.
    f: String,
}

/// A challenge for a page's form: the `challenge` field's value and the work it asks for.
#[derive(Debug, Clone, Serialize)]
pub struct Issued {
    pub token: String,
    pub bits: u8,
    /// The script that solves it.
    pub script: &'static str,
}

/// A new challenge for the form named `form`, about to be served.
pub fn issue(keys: &Keys, settings: &FormSettings, form: &str) -> Issued {
    use rand::Rng;
    let now = crate::clock::now();
    let mut nonce = [0u8; 12];
    rand::rng().fill_bytes(&mut nonce);
    let claims = Claims {
        n: crate::hex::lower(&nonce),
        t: now.timestamp_millis(),
        d: settings.challenge_bits,
        f: form.to_string(),
    };
    let lifetime =
        Duration::seconds(i64::try_from(settings.challenge_lifetime_seconds).unwrap_or(0));
    Issued {
        token: keys.sign(PURPOSE, &claims, now + lifetime),
        bits: settings.challenge_bits,
        script: super::assets::challenge_js_href(),
    }
}

/// Why a form's challenge was not taken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChallengeError {
    #[error("the form carries no challenge")]
    Missing,
    #[error("the form's challenge is not one this site issued")]
    Forged,
    #[error("the form's challenge has expired")]
    Expired,
    #[error("the form was sent too soon after the page was served")]
    TooSoon,
    #[error("the form's challenge was not solved")]
    Unsolved,
    #[error("the form's challenge was already used")]
    Spent,
}

impl ChallengeError {
    /// What the page tells the visitor (the form comes back with a new challenge).
    pub fn message(&self, lang: Lang) -> &'static str {
        match (self, lang) {
            (ChallengeError::TooSoon, Lang::It) => {
                "Il modulo è stato inviato troppo in fretta: attendi qualche secondo e invialo di nuovo."
            }
            (ChallengeError::TooSoon, Lang::En) => {
                "The form was sent too quickly: wait a few seconds and send it again."
            }
            (ChallengeError::Expired, Lang::It) => {
                "Il modulo è scaduto: controlla i dati e invialo di nuovo."
            }
            (ChallengeError::Expired, Lang::En) => {
                "The form has expired: check the details and send it again."
            }
            (_, Lang::It) => {
                "Non siamo riusciti a verificare il modulo: controlla i dati e invialo di nuovo."
            }
            (_, Lang::En) => "We could not verify the form: check the details and send it again.",
        }
    }
}

impl From<ChallengeError> for ApiError {
    fn from(error: ChallengeError) -> Self {
        ApiError::field("challenge", error.to_string())
    }
}

/// A challenge checked and not yet spent: spend it in the transaction that sends the email.
#[derive(Debug, Clone)]
pub struct Answered {
    pub proof: Proof,
    hash: String,
    expires_at: DateTime<Utc>,
}

impl Answered {
    /// Records the challenge as used; [`ChallengeError::Spent`] if it already was.
    pub async fn spend(&self, conn: &impl ConnectionTrait) -> Result<(), ApiError> {
        if confirmations::spend_challenge(conn, &self.hash, self.expires_at).await? {
            Ok(())
        } else {
            Err(ChallengeError::Spent.into())
        }
    }
}

/// Leading zero bits of `digest`.
pub fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut bits = 0;
    for byte in digest {
        if *byte == 0 {
            bits += 8;
        } else {
            return bits + byte.leading_zeros();
        }
    }
    bits
}

/// Whether `solution` does the work `token` asks for.
pub fn solves(token: &str, solution: &str, bits: u8) -> bool {
    let digest = Sha256::digest(format!("{token}:{solution}").as_bytes());
    leading_zero_bits(&digest) >= u32::from(bits)
}

/// Does the work (what `/assets/challenge.js` does in the browser): for tests and for clients
/// that post the pages' forms themselves.
pub fn solve(token: &str, bits: u8) -> String {
    (0u64..)
        .map(|n| n.to_string())
        .find(|n| solves(token, n, bits))
        .unwrap_or_default()
}

/// Checks the `challenge` and `solution` fields of the form named `form` (signature, purpose,
/// form, expiry, work; without a solution, that `forms.noscript_min_seconds` have passed since
/// it was issued).
pub fn check(
    keys: &Keys,
    settings: &FormSettings,
    form: &str,
    token: &str,
    solution: &str,
) -> Result<Answered, ChallengeError> {
    let token = token.trim();
    if token.is_empty() {
        return Err(ChallengeError::Missing);
    }
    let now = crate::clock::now();
    let claims: Claims = keys.verify(PURPOSE, token, now).map_err(|e| match e {
        TokenError::Expired => ChallengeError::Expired,
        _ => ChallengeError::Forged,
    })?;
    if claims.f != form {
        return Err(ChallengeError::Forged);
    }
    let issued = DateTime::<Utc>::from_timestamp_millis(claims.t).ok_or(ChallengeError::Forged)?;
    let lifetime =
        Duration::seconds(i64::try_from(settings.challenge_lifetime_seconds).unwrap_or(0));
    let solution = solution.trim();
    let proof = if solution.is_empty() {
        let min = Duration::seconds(i64::try_from(settings.noscript_min_seconds).unwrap_or(0));
        if now - issued < min {
            return Err(ChallengeError::TooSoon);
        }
        Proof::NoScript
    } else if solution.len() <= MAX_SOLUTION && solves(token, solution, claims.d) {
        Proof::Solved
    } else {
        return Err(ChallengeError::Unsolved);
    };
    Ok(Answered {
        proof,
        hash: crate::hex::lower(&Sha256::digest(token.as_bytes())),
        expires_at: issued + lifetime,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> FormSettings {
        FormSettings {
            challenge_bits: 8,
            ..FormSettings::default()
        }
    }

    #[test]
    fn a_solved_challenge_passes_and_a_wrong_solution_does_not() {
        let keys = Keys::new("a-test-key-that-is-long-enough-0123456789", &[]);
        let issued = issue(&keys, &settings(), "subscribe");
        let solution = solve(&issued.token, issued.bits);
        let answered = check(&keys, &settings(), "subscribe", &issued.token, &solution).unwrap();
        assert_eq!(answered.proof, Proof::Solved);
        let wrong = (0u64..)
            .map(|n| n.to_string())
            .find(|n| !solves(&issued.token, n, 8))
            .unwrap();
        assert_eq!(
            check(&keys, &settings(), "subscribe", &issued.token, &wrong).unwrap_err(),
            ChallengeError::Unsolved
        );
    }

    #[test]
    fn a_challenge_from_another_key_or_purpose_is_forged() {
        let keys = Keys::new("a-test-key-that-is-long-enough-0123456789", &[]);
        let other = Keys::new("another-key-that-is-long-enough-987654321", &[]);
        let issued = issue(&other, &settings(), "subscribe");
        let solution = solve(&issued.token, issued.bits);
        assert_eq!(
            check(&keys, &settings(), "subscribe", &issued.token, &solution).unwrap_err(),
            ChallengeError::Forged
        );
        assert_eq!(
            check(&keys, &settings(), "subscribe", "", "").unwrap_err(),
            ChallengeError::Missing
        );
        let mine = issue(&keys, &settings(), "register");
        let solution = solve(&mine.token, mine.bits);
        assert_eq!(
            check(&keys, &settings(), "subscribe", &mine.token, &solution).unwrap_err(),
            ChallengeError::Forged
        );
    }

    #[test]
    fn without_a_solution_the_form_must_wait() {
        let keys = Keys::new("a-test-key-that-is-long-enough-0123456789", &[]);
        let issued = issue(&keys, &settings(), "subscribe");
        assert_eq!(
            check(&keys, &settings(), "subscribe", &issued.token, "").unwrap_err(),
            ChallengeError::TooSoon
        );
        let no_wait = FormSettings {
            noscript_min_seconds: 0,
            ..settings()
        };
        let answered = check(&keys, &no_wait, "subscribe", &issued.token, "").unwrap();
        assert_eq!(answered.proof, Proof::NoScript);
    }

    #[test]
    fn zero_bits_are_counted_from_the_first_byte() {
        assert_eq!(leading_zero_bits(&[0, 0, 0x80]), 16);
        assert_eq!(leading_zero_bits(&[0, 0x0f]), 12);
        assert_eq!(leading_zero_bits(&[0xff]), 0);
    }
}
