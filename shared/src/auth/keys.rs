//! Signing keys and the tokens they sign. A token is `v1.<key id>.<payload>.<signature>`, with a
//! base64url JSON payload `{ "p": purpose, "exp": unix seconds, "c": claims }` and an
//! HMAC-SHA256 signature over everything before it. The key id lets a rotated key keep verifying
//! tokens it signed while a new key signs new ones; the purpose keeps a token for one use (an
//! unsubscribe link, say) from being accepted for another.

use super::{
    claims::{API_TOKEN, Claims},
    revocations::Revocations,
};
use crate::{
    secret::Secret,
    settings::{Settings, SettingsError},
};
use anyhow::Context;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use chrono::{DateTime, Utc};
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use sha2::{Digest, Sha256};
use std::sync::Arc;

type HmacSha256 = Hmac<Sha256>;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("token signed with an unknown key")]
    UnknownKey,
    #[error("token signature does not match")]
    BadSignature,
    #[error("token is meant for another purpose")]
    WrongPurpose,
    #[error("token has expired")]
    Expired,
    #[error("the session has ended (logged out, or the account changed)")]
    Ended,
}

struct Key {
    id: String,
    secret: Secret<Vec<u8>>,
}

impl Key {
    fn new(secret: &str) -> Self {
        let digest = Sha256::digest(secret.as_bytes());
        let id = crate::hex::lower(&digest[..4]);
        Self {
            id,
            secret: Secret::new(secret.as_bytes().to_vec()),
        }
    }

    fn mac(&self, message: &[u8]) -> HmacSha256 {
        // HMAC takes keys of any length.
        let mut mac = HmacSha256::new_from_slice(self.secret.expose())
            .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
        mac.update(message);
        mac
    }
}

/// The current signing key and the previous ones still accepted, and the sessions ended before
/// their tokens expire (see [`super::sessions`]).
#[derive(Clone)]
pub struct Keys {
    keys: Arc<[Key]>,
    revocations: Revocations,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys")
            .field("current", &self.keys[0].id)
            .finish()
    }
}

#[derive(Serialize, Deserialize)]
struct Payload<C> {
    p: String,
    exp: i64,
    c: C,
}

impl Keys {
    /// Keys from raw secrets: the first signs, all verify.
    pub fn new(current: &str, previous: &[&str]) -> Self {
        let keys: Vec<Key> = std::iter::once(current)
            .chain(previous.iter().copied())
            .map(Key::new)
            .collect();
        Self {
            keys: keys.into(),
            revocations: Revocations::default(),
        }
    }

    /// The ended sessions this process knows of.
    pub fn revocations(&self) -> &Revocations {
        &self.revocations
    }

    /// Keys from the settings; in the embedded mode without `secret_key`, a key generated once
    /// into `<data_dir>/secret.key` (readable by the owner only). On PostgreSQL or RabbitMQ the
    /// key must be set: there several processes verify each other's tokens and links, and each
    /// would generate a key of its own into its own data dir.
    pub fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        let previous: Vec<&str> = settings
            .previous_secret_keys
            .iter()
            .map(|k| k.expose().as_str())
            .collect();
        if let Some(key) = &settings.secret_key {
            return Ok(Self::new(key.expose(), &previous));
        }
        if settings.uses_postgres() || settings.amqp_url.is_some() {
            return Err(SettingsError::new(
                "secret_key",
                "required with PostgreSQL or RabbitMQ, where every service and replica must sign \
                 with the same key: set PIAZZA_SECRET_KEY, or PIAZZA_SECRET_KEY_FILE to a file \
                 holding it (at least 32 random characters, e.g. `openssl rand -base64 48`)",
            )
            .into());
        }
        let path = settings.data_dir.join("secret.key");
        let secret = match std::fs::read_to_string(&path) {
            Ok(text) if text.trim().len() >= 32 => text.trim().to_string(),
            _ => {
                use rand::TryRng;
                let mut bytes = [0u8; 32];
                rand::rngs::SysRng
                    .try_fill_bytes(&mut bytes)
                    .context("reading random bytes from the operating system")?;
                let secret = URL_SAFE_NO_PAD.encode(bytes);
                std::fs::create_dir_all(&settings.data_dir)
                    .with_context(|| format!("creating {}", settings.data_dir.display()))?;
                write_private(&path, &secret)
                    .with_context(|| format!("writing {}", path.display()))?;
                secret
            }
        };
        Ok(Self::new(&secret, &previous))
    }

    /// Signs `claims` for `purpose`, valid until `expires_at`.
    pub fn sign<C: Serialize>(
        &self,
        purpose: &str,
        claims: &C,
        expires_at: DateTime<Utc>,
    ) -> String {
        let key = &self.keys[0];
        let payload = Payload {
            p: purpose.to_string(),
            exp: expires_at.timestamp(),
            c: claims,
        };
        let json = serde_json::to_vec(&payload).unwrap_or_default();
        let head = format!("v1.{}.{}", key.id, URL_SAFE_NO_PAD.encode(json));
        let signature = key.mac(head.as_bytes()).finalize().into_bytes();
        format!("{head}.{}", URL_SAFE_NO_PAD.encode(signature))
    }

    /// Checks signature, purpose and expiry, and returns the claims.
    pub fn verify<C: DeserializeOwned>(
        &self,
        purpose: &str,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<C, TokenError> {
        let mut parts = token.split('.');
        let (Some("v1"), Some(kid), Some(payload), Some(signature), None) = (
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
            parts.next(),
        ) else {
            return Err(TokenError::Malformed);
        };
        let key = self
            .keys
            .iter()
            .find(|k| k.id == kid)
            .ok_or(TokenError::UnknownKey)?;
        let signature = URL_SAFE_NO_PAD
            .decode(signature)
            .map_err(|_| TokenError::Malformed)?;
        let head_len = token.len() - signature_len(token);
        key.mac(&token.as_bytes()[..head_len])
            .verify_slice(&signature)
            .map_err(|_| TokenError::BadSignature)?;
        let json = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| TokenError::Malformed)?;
        let payload: Payload<C> =
            serde_json::from_slice(&json).map_err(|_| TokenError::Malformed)?;
        if payload.p != purpose {
            return Err(TokenError::WrongPurpose);
        }
        if payload.exp <= now.timestamp() {
            return Err(TokenError::Expired);
        }
        Ok(payload.c)
    }
}

impl Keys {
    /// A keyed hash (HMAC-SHA256 with the current key, in lower-case hex) of `value` for
    /// `purpose`: the same value always gives the same hash, nobody without the key can tell
    /// which value it was, and the purpose keeps one use's hashes from matching another's. It
    /// lets a read model count distinct people without keeping who they are. A new key gives new
    /// hashes: what was counted before a rotation is not matched after it.
    pub fn keyed_hash(&self, purpose: &str, value: &str) -> String {
        let mut message = Vec::with_capacity(purpose.len() + 1 + value.len());
        message.extend_from_slice(purpose.as_bytes());
        // A separator no purpose contains, so ("ab", "c") and ("a", "bc") differ.
        message.push(0);
        message.extend_from_slice(value.as_bytes());
        crate::hex::lower(&self.keys[0].mac(&message).finalize().into_bytes())
    }
}

impl Keys {
    /// The claims of an API token (a bearer token, or the session cookie holding one) whose
    /// session has not ended.
    pub fn verify_session(&self, token: &str, now: DateTime<Utc>) -> Result<Claims, TokenError> {
        let claims = self.verify::<Claims>(API_TOKEN, token, now)?;
        if self.revocations.is_ended(&claims) {
            return Err(TokenError::Ended);
        }
        Ok(claims)
    }
}

/// Length of `.<signature>` at the end of a token.
fn signature_len(token: &str) -> usize {
    token.rfind('.').map(|i| token.len() - i).unwrap_or(0)
}

fn write_private(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    const A: &str = "a-very-long-secret-key-for-tests-0001";
    const B: &str = "another-long-secret-key-for-tests-0002";

    #[test]
    fn a_keyed_hash_is_stable_per_key_and_purpose_and_hides_the_value() {
        let keys = Keys::new(A, &[]);
        let hash = keys.keyed_hash("person", "ada@example.org");
        assert_eq!(hash, keys.keyed_hash("person", "ada@example.org"));
        assert_eq!(hash.len(), 64);
        assert!(!hash.contains("ada"));
        assert_ne!(hash, keys.keyed_hash("other", "ada@example.org"));
        assert_ne!(
            hash,
            Keys::new(B, &[]).keyed_hash("person", "ada@example.org")
        );
        assert_ne!(keys.keyed_hash("ab", "c"), keys.keyed_hash("a", "bc"));
    }

    #[test]
    fn without_a_key_postgres_or_rabbitmq_is_refused_and_only_the_embedded_mode_generates_one() {
        let dir = std::env::temp_dir().join(format!("piazza-keys-{}", std::process::id()));
        let mut settings = Settings::from_toml("", &[]).unwrap();
        settings.data_dir = dir.clone();
        for (database, amqp) in [(true, false), (false, true)] {
            settings.database_url =
                database.then(|| Secret::new("postgres://p:p@db/piazza".to_string()));
            settings.amqp_url = amqp.then(|| Secret::new("amqp://p:p@mq/%2f".to_string()));
            let error = Keys::from_settings(&settings).err().unwrap();
            let error = error.downcast_ref::<SettingsError>().unwrap();
            assert_eq!(error.key, "secret_key");
            assert!(error.message.contains("PIAZZA_SECRET_KEY_FILE"), "{error}");
        }
        assert!(!dir.join("secret.key").exists());
        settings.database_url = None;
        settings.amqp_url = None;
        let generated = Keys::from_settings(&settings).unwrap();
        assert!(dir.join("secret.key").exists());
        let token = generated.sign("t", &1, Utc::now() + Duration::minutes(1));
        std::fs::remove_dir_all(&dir).unwrap();
        settings.database_url = Some(Secret::new("postgres://p:p@db/piazza".to_string()));
        settings.secret_key = Some(Secret::new(A.to_string()));
        let configured = Keys::from_settings(&settings).unwrap();
        assert!(configured.verify::<i32>("t", &token, Utc::now()).is_err());
    }

    #[test]
    fn a_token_verifies_for_its_purpose_only() {
        let keys = Keys::new(A, &[]);
        let now = crate::clock::now();
        let token = keys.sign("unsubscribe", &"subscriber-1", now + Duration::days(1));
        assert_eq!(
            keys.verify::<String>("unsubscribe", &token, now).unwrap(),
            "subscriber-1"
        );
        assert_eq!(
            keys.verify::<String>("manage", &token, now),
            Err(TokenError::WrongPurpose)
        );
    }

    #[test]
    fn an_expired_or_tampered_token_is_refused() {
        let keys = Keys::new(A, &[]);
        let now = crate::clock::now();
        let token = keys.sign("api", &"x", now + Duration::minutes(1));
        assert_eq!(
            keys.verify::<String>("api", &token, now + Duration::minutes(2)),
            Err(TokenError::Expired)
        );
        let mut parts: Vec<&str> = token.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(br#"{"p":"api","exp":99999999999,"c":"admin"}"#);
        parts[2] = &forged;
        assert_eq!(
            keys.verify::<String>("api", &parts.join("."), now),
            Err(TokenError::BadSignature)
        );
        assert_eq!(
            keys.verify::<String>("api", "garbage", now),
            Err(TokenError::Malformed)
        );
    }

    #[test]
    fn a_rotated_key_still_verifies_and_no_longer_signs() {
        let old = Keys::new(A, &[]);
        let now = crate::clock::now();
        let token = old.sign("api", &"x", now + Duration::hours(1));
        let rotated = Keys::new(B, &[A]);
        assert_eq!(rotated.verify::<String>("api", &token, now).unwrap(), "x");
        let fresh = rotated.sign("api", &"y", now + Duration::hours(1));
        assert_eq!(
            old.verify::<String>("api", &fresh, now),
            Err(TokenError::UnknownKey)
        );
        let retired = Keys::new(B, &[]);
        assert_eq!(
            retired.verify::<String>("api", &token, now),
            Err(TokenError::UnknownKey)
        );
    }
}
