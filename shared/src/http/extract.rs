//! Request extractors whose rejections are problem+json: a body that is not JSON, a field of the
//! wrong type, a malformed id in the path or the query all become a 422 that names the field
//! (or 413/415 for size and media type), never axum's plain-text answers.

use super::problem::{ApiError, FieldError};
use axum::{
    extract::{
        FromRequest, FromRequestParts, OptionalFromRequest, Request, rejection::PathRejection,
    },
    http::{StatusCode, header, request::Parts},
};
use bytes::Bytes;
use serde::de::DeserializeOwned;

/// A JSON body, read strictly.
#[derive(Debug, Clone, Copy, Default)]
pub struct Json<T>(pub T);

impl<T, S> FromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let raw = RawJson::from_request(req, state).await?;
        raw.parse().map(Json)
    }
}

/// A JSON body read but not yet parsed: for handlers that must first check that the caller may
/// touch the item (an operator's own organisation), so that a stranger gets 403, not a 422
/// about a body that was never theirs to send.
#[derive(Debug, Clone)]
pub struct RawJson(Bytes);

impl RawJson {
    /// Parses the body as [`Json`] would have.
    pub fn parse<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        parse_json(&self.0)
    }
}

impl<S> FromRequest<S> for RawJson
where
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::PayloadTooLarge
            } else {
                ApiError::BadRequest(rejection.body_text())
            }
        })?;
        Ok(RawJson(bytes))
    }
}

/// An optional JSON body: no body at all is `None`; a body must be JSON that fits `T`.
impl<T, S> OptionalFromRequest<S> for Json<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Option<Self>, Self::Rejection> {
        let has_type = req.headers().contains_key(header::CONTENT_TYPE);
        let (parts, body) = req.into_parts();
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest(rejection.body_text())
                }
            })?;
        if bytes.is_empty() && !has_type {
            return Ok(None);
        }
        let req = Request::from_parts(parts, axum::body::Body::from(bytes));
        <Json<T> as FromRequest<S>>::from_request(req, state)
            .await
            .map(Some)
    }
}

/// Reads JSON, naming the field at fault when it does not fit `T`.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let deserializer = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(deserializer).map_err(|error| {
        let path = error.path().to_string();
        let inner = error.into_inner();
        let field = if path == "." || path.is_empty() {
            "body".to_string()
        } else {
            path
        };
        let (field, message) = match inner.classify() {
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof => {
                ("body".to_string(), format!("not valid JSON: {inner}"))
            }
            _ => (field, strip_position(&inner.to_string())),
        };
        // A missing field is reported at its parent; name the field itself.
        let (field, message) = missing_field(&field, &message).unwrap_or((field, message));
        ApiError::Validation(vec![FieldError::new(field, message)])
    })
}

/// serde says `missing field `name`` at the parent path; report it at the field's own path.
fn missing_field(parent: &str, message: &str) -> Option<(String, String)> {
    let rest = message.strip_prefix("missing field `")?;
    let name = rest.split('`').next()?;
    let field = if parent == "body" {
        name.to_string()
    } else {
        format!("{parent}.{name}")
    };
    Some((field, "is required".to_string()))
}

fn strip_position(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Query parameters, read strictly.
#[derive(Debug, Clone, Copy, Default)]
pub struct Query<T>(pub T);

impl<T, S> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|error| {
                let path = error.path().to_string();
                let message = error.into_inner().to_string();
                let (field, message) = missing_field("body", &message)
                    .unwrap_or_else(|| (if path == "." { "query".into() } else { path }, message));
                ApiError::Validation(vec![FieldError::new(field, message)])
            })
    }
}

/// Path parameters; a malformed id is a 422 naming the parameter.
#[derive(Debug, Clone, Copy, Default)]
pub struct Path<T>(pub T);

impl<T, S> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                use axum::extract::path::ErrorKind;
                let field = match e.kind() {
                    ErrorKind::ParseErrorAtKey { key, .. }
                    | ErrorKind::DeserializeError { key, .. } => key.clone(),
                    ErrorKind::InvalidUtf8InPathParam { key } => key.clone(),
                    _ => "path".to_string(),
                };
                let message = match e.kind() {
                    ErrorKind::ParseErrorAtKey { expected_type, .. }
                        if expected_type.contains("Uuid") =>
                    {
                        "not a valid id (a UUID)".to_string()
                    }
                    _ => e.body_text(),
                };
                Err(ApiError::Validation(vec![FieldError::new(field, message)]))
            }
            Err(other) => Err(ApiError::BadRequest(other.body_text())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        opens: String,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        capacity: u32,
        hours: Vec<Inner>,
    }

    fn field_of(error: ApiError) -> String {
        match error {
            ApiError::Validation(errors) => errors[0].field.clone(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_wrong_type_names_the_field() {
        let error = parse_json::<Body>(br#"{"capacity": -3, "hours": []}"#).unwrap_err();
        assert_eq!(field_of(error), "capacity");
    }

    #[test]
    fn a_missing_nested_field_names_its_path() {
        let error = parse_json::<Body>(br#"{"capacity": 3, "hours": [{}]}"#).unwrap_err();
        assert_eq!(field_of(error), "hours[0].opens");
    }

    #[test]
    fn broken_json_is_reported_on_the_body() {
        let error = parse_json::<Body>(br#"{"capacity": "#).unwrap_err();
        assert_eq!(field_of(error), "body");
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct Filter {
        limit: Option<u32>,
        from: Option<String>,
        category: Option<String>,
        age: Option<u8>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Body {
        capacity: u32,
        hours: Vec<Inner>,
        name: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Inner {
        opens: String,
    }

    /// A 422 names a field and says something; never an empty answer.
    fn names_a_field(error: &ApiError) -> bool {
        match error {
            ApiError::Validation(errors) => {
                !errors.is_empty()
                    && errors
                        .iter()
                        .all(|e| !e.field.is_empty() && !e.message.is_empty())
            }
            _ => false,
        }
    }

    fn query(text: &str) -> Result<Filter, ApiError> {
        let uri: axum::http::Uri = format!("/x?{text}")
            .parse()
            .map_err(|_| ApiError::Validation(vec![FieldError::new("query", "not a URI")]))?;
        let (mut parts, ()) = axum::http::Request::builder()
            .uri(uri)
            .body(())
            .map_err(|_| ApiError::Validation(vec![FieldError::new("query", "no request")]))?
            .into_parts();
        futures::executor::block_on(Query::<Filter>::from_request_parts(&mut parts, &()))
            .map(|Query(f)| f)
    }

    /// JSON values of any shape, nested a little.
    fn json() -> impl Strategy<Value = serde_json::Value> {
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<f64>().prop_map(serde_json::Value::from),
            "\\PC{0,10}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(3, 24, 4, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
                prop::collection::btree_map(
                    prop::sample::select(vec!["capacity", "hours", "name", "opens", "x"])
                        .prop_map(str::to_string),
                    inner,
                    0..4
                )
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]

        #[test]
        fn any_query_is_read_or_refused_naming_a_field(
            text in "([a-z]{1,8}=[\\PC&&[^#]]{0,12}&?){0,5}"
        ) {
            if let Err(error) = query(&text) {
                prop_assert!(names_a_field(&error), "{text:?}: {error:?}");
            }
        }

        #[test]
        fn any_bytes_as_json_are_refused_naming_a_field(
            bytes in prop::collection::vec(any::<u8>(), 0..200)
        ) {
            if let Err(error) = parse_json::<Body>(&bytes) {
                prop_assert!(names_a_field(&error), "{error:?}");
            }
        }

        #[test]
        fn any_json_shape_is_read_or_refused_naming_a_field(value in json()) {
            let bytes = serde_json::to_vec(&value).unwrap_or_default();
            if let Err(error) = parse_json::<Body>(&bytes) {
                prop_assert!(names_a_field(&error), "{value}: {error:?}");
            }
        }
    }
}

/// Reads a body field that may be absent (`None`: leave it as it is), `null` (`Some(None)`:
/// clear it) or a value, for PATCH bodies: `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: serde::Deserialize<'de>,
{
    <Option<T> as serde::Deserialize>::deserialize(deserializer).map(Some)
}
