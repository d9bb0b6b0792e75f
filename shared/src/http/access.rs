//! Roles enforced from the OpenAPI document itself: each operation's `security` says who may call
//! it (bearer roles as the requirement's scopes), and this middleware answers 401/403 from that
//! declaration before the handler reads the body — so a caller without the role learns nothing
//! about the body's shape, and a declaration cannot drift from what is enforced. Handlers still
//! check roles themselves and decide scoping (an operator's own organisation).

use crate::auth::{Caller, Keys, Role};
use axum::{
    extract::{FromRequestParts, MatchedPath, Request},
    http::Method,
    middleware::Next,
    response::{IntoResponse, Response},
};
use std::{collections::HashMap, sync::Arc};
use utoipa::openapi::{OpenApi, path::Operation, security::SecurityRequirement};

/// Who may call each operation that needs a bearer token, by method and path template.
#[derive(Debug, Default)]
pub struct AccessTable(HashMap<(Method, String), Vec<Role>>);

impl AccessTable {
    /// Reads the operations whose only way in is a bearer token.
    pub fn from_openapi(openapi: &OpenApi) -> Self {
        let mut table = HashMap::new();
        for (path, item) in &openapi.paths.paths {
            for (method, operation) in [
                (Method::GET, &item.get),
                (Method::POST, &item.post),
                (Method::PUT, &item.put),
                (Method::PATCH, &item.patch),
                (Method::DELETE, &item.delete),
            ] {
                if let Some(roles) = operation.as_ref().and_then(bearer_only) {
                    table.insert((method, path.clone()), roles);
                }
            }
        }
        Self(table)
    }

    fn roles(&self, method: &Method, path: &str) -> Option<&[Role]> {
        self.0
            .get(&(method.clone(), path.to_string()))
            .map(Vec::as_slice)
    }
}

/// The roles of an operation that accepts nothing but a bearer token (every role when the
/// requirement names none); `None` for public operations and those a signed link opens.
fn bearer_only(operation: &Operation) -> Option<Vec<Role>> {
    let requirements: &[SecurityRequirement] = operation.security.as_deref()?;
    let json = serde_json::to_value(requirements).ok()?;
    let alternatives = json.as_array()?;
    let [only] = alternatives.as_slice() else {
        return None;
    };
    let scopes = only.get("bearer")?.as_array()?;
    let roles: Vec<Role> = scopes
        .iter()
        .filter_map(|s| s.as_str().and_then(Role::parse))
        .collect();
    Some(if roles.is_empty() {
        vec![Role::Admin, Role::Operator, Role::Evaluator]
    } else {
        roles
    })
}

/// State of [`enforce`].
#[derive(Clone)]
pub struct Access {
    pub table: Arc<AccessTable>,
    pub keys: Keys,
}

impl axum::extract::FromRef<Access> for Keys {
    fn from_ref(access: &Access) -> Keys {
        access.keys.clone()
    }
}

/// The middleware (`axum::middleware::from_fn_with_state`).
pub async fn enforce(
    axum::extract::State(access): axum::extract::State<Access>,
    request: Request,
    next: Next,
) -> Response {
    let roles = request
        .extensions()
        .get::<MatchedPath>()
        .and_then(|p| access.table.roles(request.method(), p.as_str()));
    let Some(roles) = roles else {
        return next.run(request).await;
    };
    let roles = roles.to_vec();
    let (mut parts, body) = request.into_parts();
    let caller = match Caller::from_request_parts(&mut parts, &access).await {
        Ok(caller) => caller,
        Err(error) => return error.into_response(),
    };
    if let Err(error) = caller.require(&roles) {
        return error.into_response();
    }
    next.run(Request::from_parts(parts, body)).await
}
