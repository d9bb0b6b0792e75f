//! Cursor paging for listings: `{ items, next_cursor }`, with `limit` up to 500. A cursor is the
//! sort key of the last item returned, opaque to clients.

use super::problem::ApiError;
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use utoipa::ToSchema;

/// Most items one page may hold.
pub const MAX_LIMIT: u64 = 500;
/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: u64 = 100;

/// A page of a listing.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Pass as `cursor` to get the next page; `null` on the last page.
    pub next_cursor: Option<String>,
}

/// Checks `limit` (1..=500, default 100).
pub fn limit(requested: Option<u64>) -> Result<u64, ApiError> {
    match requested {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(ApiError::field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// Encodes a sort key as a cursor.
pub fn encode_cursor<K: Serialize>(key: &K) -> String {
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(key).unwrap_or_default())
}

/// Decodes a cursor made by [`encode_cursor`]; a forged or stale one is a 422 on `cursor`.
pub fn decode_cursor<K: DeserializeOwned>(cursor: Option<&str>) -> Result<Option<K>, ApiError> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(cursor)
        .map_err(|_| ApiError::field("cursor", "not a cursor from a previous page"))?;
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| ApiError::field("cursor", "not a cursor from a previous page"))
}

/// Builds a page from up to `limit + 1` rows fetched in order: the extra row only says whether
/// another page exists.
pub fn page<R, T, K: Serialize>(
    mut rows: Vec<R>,
    limit: u64,
    key: impl Fn(&R) -> K,
    item: impl Fn(R) -> T,
) -> Page<T> {
    let more = rows.len() as u64 > limit;
    rows.truncate(limit as usize);
    let next_cursor = if more {
        rows.last().map(|r| encode_cursor(&key(r)))
    } else {
        None
    };
    Page {
        items: rows.into_iter().map(item).collect(),
        next_cursor,
    }
}
