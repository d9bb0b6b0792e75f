//! Form bodies (`application/x-www-form-urlencoded`) as name–value pairs. Pages read fields by
//! name and validate them through the same code as the API, so a malformed body is never a 500:
//! a missing field reads as empty and the page explains what is wrong.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::StatusCode,
};

/// The largest form a page accepts.
const LIMIT: usize = 64 * 1024;

#[derive(Debug, Clone, Default)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> Self {
        Self(
            form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The first value of `name`, trimmed; empty when absent.
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    /// The value of `name` when it is not blank.
    pub fn opt(&self, name: &str) -> Option<&str> {
        Some(self.get(name)).filter(|v| !v.is_empty())
    }

    /// Every non-blank value of `name` (checkboxes, multiple selects).
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_string())
            .collect()
    }

    /// Every field, to refill a form after an error.
    pub fn to_map(&self) -> std::collections::BTreeMap<String, String> {
        self.0.iter().rev().cloned().collect()
    }
}

impl<S: Send + Sync> FromRequest<S> for FormData {
    type Rejection = (StatusCode, &'static str);

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| (StatusCode::BAD_REQUEST, "the form could not be read"))?;
        if bytes.len() > LIMIT {
            return Err((StatusCode::PAYLOAD_TOO_LARGE, "the form is too large"));
        }
        Ok(Self::parse(&bytes))
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_body_reads_without_panicking(body in proptest::collection::vec(any::<u8>(), 0..400)) {
            let form = FormData::parse(&body);
            let _ = form.get("email");
            let _ = form.all("interests");
            let _ = form.to_map();
        }

        /// What a browser encodes, the form reads back: the first value of each name (trimmed),
        /// and every non-blank value of a repeated one, in order.
        #[test]
        fn an_encoded_form_reads_back(
            fields in proptest::collection::vec(("[a-z_]{1,6}", "\\PC{0,20}"), 0..12)
        ) {
            let mut encoder = form_urlencoded::Serializer::new(String::new());
            for (name, value) in &fields {
                encoder.append_pair(name, value);
            }
            let form = FormData::parse(encoder.finish().as_bytes());
            for (name, _) in &fields {
                let values: Vec<&str> = fields
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.trim())
                    .collect();
                prop_assert_eq!(form.get(name), values[0]);
                let non_blank: Vec<String> =
                    values.iter().filter(|v| !v.is_empty()).map(|v| v.to_string()).collect();
                prop_assert_eq!(form.all(name), non_blank);
            }
        }
    }
}
