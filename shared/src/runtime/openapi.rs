//! The application's OpenAPI document: the operational routes and security schemes every
//! deployment has, and the check that merging services' documents loses nothing.

use crate::http::ops;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Piazza",
        description = "Spaces, events and youth notifications for the cultural life of a historic centre.",
        license(name = "AGPL-3.0-or-later")
    ),
    paths(
        ops::healthz,
        ops::readyz,
        ops::metrics,
        ops::openapi,
        ops::openapi_all,
        crate::audit::list
    ),
    components(schemas(crate::http::Problem, crate::http::FieldError)),
    modifiers(&BearerAuth)
)]
pub(super) struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let components = openapi.components.get_or_insert_with(Default::default);
        // An operation's roles are the scopes of its `bearer` requirement (OpenAPI 3.1 allows
        // role names for non-OAuth schemes); `x-piazza-scope: organisation` adds that an
        // operator reaches only its own organisation's items.
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        // The signed, expiring, single-purpose token of a link in an email.
        components.add_security_scheme(
            "link",
            SecurityScheme::ApiKey(ApiKey::Query(ApiKeyValue::with_description(
                "token",
                "The signed token of a link sent by email",
            ))),
        );
    }
}

/// Refuses two services documenting different schemas under one name: merged, one would
/// silently replace the other and the document would describe the wrong answers.
pub(super) fn check_schema_names(
    merged: &OpenApiRouter,
    next: &OpenApiRouter,
    service: &str,
) -> anyhow::Result<()> {
    let (Some(have), Some(new)) = (
        merged.get_openapi().components.as_ref(),
        next.get_openapi().components.as_ref(),
    ) else {
        return Ok(());
    };
    for (name, schema) in &new.schemas {
        if let Some(existing) = have.schemas.get(name)
            && shape(existing) != shape(schema)
        {
            anyhow::bail!(
                "the {service} service documents a schema `{name}` that another service documents \
                 differently; give one of them another name (#[schema(as = …)])"
            );
        }
    }
    Ok(())
}

/// A schema as JSON without its descriptions: two copies of one type may word them apart.
fn shape(schema: &impl serde::Serialize) -> Option<serde_json::Value> {
    fn strip(value: &mut serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                map.remove("description");
                map.values_mut().for_each(strip);
            }
            serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
            _ => {}
        }
    }
    let mut value = serde_json::to_value(schema).ok()?;
    strip(&mut value);
    Some(value)
}
