//! HTTP pieces every service uses: the problem+json error type, extractors that turn bad input
//! into 422s naming the field, and the operational routes (`/healthz`, `/readyz`, `/metrics`,
//! `/api/openapi.json`).

pub mod access;
pub mod client;
pub mod extract;
pub mod layers;
pub mod limit;
pub mod links;
pub mod openapi;
pub mod ops;
pub mod origin;
pub mod page;
pub mod problem;
pub mod request;
pub mod validate;

pub use client::ClientAddress;
pub use extract::{Json, Path, Query, RawJson, nullable};
pub use limit::{LoginLimit, PublicLimit};
pub use page::Page;
pub use problem::{ApiError, FieldError, Problem};
pub use validate::Violations;
