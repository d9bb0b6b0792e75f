//! A setting that failed to load or to validate, named as a user writes it: the TOML key and the
//! `PIAZZA_…` variable.

/// A setting that failed validation, named as a user writes it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting `{key}` (env PIAZZA_{env}): {message}")]
pub struct SettingsError {
    pub key: String,
    pub env: String,
    pub message: String,
}

impl SettingsError {
    pub fn new(key: &str, message: impl Into<String>) -> Self {
        Self {
            key: key.to_string(),
            env: key.replace('.', "__").to_uppercase(),
            message: message.into(),
        }
    }

    /// A value that did not deserialise, found under `section` (empty at the top level).
    pub(super) fn unreadable(section: &str, error: figment::Error) -> Self {
        let key = std::iter::once(section)
            .filter(|s| !s.is_empty())
            .chain(error.path.iter().map(String::as_str))
            .collect::<Vec<_>>()
            .join(".");
        Self::new(
            if key.is_empty() { "(file)" } else { &key },
            error.kind.to_string(),
        )
    }
}
