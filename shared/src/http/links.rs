//! OpenAPI links between operations, added to the merged document: what a `POST` to a collection
//! creates (its `201` answer's `id`) is what the operations under `/api/v1/<collection>/{id}`
//! take. Clients read them to chain calls, and schemathesis' stateful phase follows them (create
//! a space, then read, change, close it; request a booking, then approve or cancel it).
//!
//! The links are derived from the paths, so an operation added under an item's path is linked
//! without a list to keep: `POST /api/v1/spaces` → `GET`/`PATCH /api/v1/spaces/{id}`,
//! `POST /api/v1/bookings` → `/api/v1/bookings/{id}/approve`…, `POST /api/v1/events/{id}/registrations`
//! → `/api/v1/registrations/{id}/cancel`, `POST /api/v1/events` → its first occurrence's operations.

use serde_json::{Map, Value, json};

const ITEM_ID: &str = "{id}";
const OCCURRENCE_ID: &str = "{occurrence_id}";
const METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// Adds the links to `document`, the merged OpenAPI document as JSON (utoipa's own `Link`
/// writes `operation_ref` where OpenAPI says `operationRef`).
pub fn add(document: &mut Value) {
    let schemas = document["components"]["schemas"].clone();
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    let targets: Vec<(String, Vec<&'static str>)> = paths
        .iter()
        .map(|(path, item)| {
            let methods = METHODS.into_iter().filter(|m| item.get(*m).is_some());
            (path.clone(), methods.collect())
        })
        .collect();
    for (path, item) in paths.iter_mut() {
        let Some(collection) = path.rsplit('/').next().filter(|s| !s.contains('{')) else {
            continue;
        };
        let Some(created) = item.pointer_mut("/post/responses/201") else {
            continue;
        };
        let schema = &created["content"]["application/json"]["schema"];
        if !has_property(schema, &schemas, "id") {
            continue;
        }
        let with_occurrences = has_property(schema, &schemas, "occurrences");
        let item_path = format!("/api/v1/{collection}/{ITEM_ID}");
        let mut links = Map::new();
        for (target, target_methods) in &targets {
            let Some(rest) = target.strip_prefix(&item_path) else {
                continue;
            };
            if !(rest.is_empty() || rest.starts_with('/') || rest.starts_with('.')) {
                continue;
            }
            let needs_occurrence = rest.contains(OCCURRENCE_ID);
            if rest.replace(OCCURRENCE_ID, "").contains('{')
                || (needs_occurrence && !with_occurrences)
            {
                continue;
            }
            for method in target_methods {
                let mut parameters = json!({ "path.id": "$response.body#/id" });
                if needs_occurrence {
                    parameters["path.occurrence_id"] = json!("$response.body#/occurrences/0/id");
                }
                links.insert(
                    link_name(method, rest),
                    json!({
                        "operationRef": operation_ref(target, method),
                        "parameters": parameters,
                        "description": format!(
                            "The created item's `id` as `{{id}}` of {}",
                            name(method, target)
                        ),
                    }),
                );
            }
        }
        if !links.is_empty() {
            created["links"] = Value::Object(links);
        }
    }
}

fn name(method: &str, path: &str) -> String {
    format!("{} {path}", method.to_uppercase())
}

/// `#/paths/<path as a JSON pointer token>/<method>`, braces percent-encoded (a URI reference).
fn operation_ref(path: &str, method: &str) -> String {
    let token = path
        .replace('~', "~0")
        .replace('/', "~1")
        .replace('{', "%7B")
        .replace('}', "%7D");
    format!("#/paths/{token}/{method}")
}

/// A name unique within one response: the method and what follows the item's path
/// (`get`, `patch`, `post_approve`, `get_occurrences_occurrence_id`, `get.ics`).
fn link_name(method: &str, rest: &str) -> String {
    let rest: String = rest
        .chars()
        .map(|c| match c {
            '/' => '_',
            '{' | '}' => '\0',
            c => c,
        })
        .filter(|&c| c != '\0')
        .collect();
    format!("{method}{rest}")
}

/// Whether `schema` (inline or a `$ref` into `schemas`, through `allOf`) has `property`.
fn has_property(schema: &Value, schemas: &Value, property: &str) -> bool {
    fn walk(schema: &Value, schemas: &Value, property: &str, depth: u8) -> bool {
        if depth > 8 {
            return false;
        }
        if let Some(target) = schema["$ref"].as_str() {
            let name = target.rsplit('/').next().unwrap_or_default();
            return walk(&schemas[name], schemas, property, depth + 1);
        }
        schema["properties"].get(property).is_some()
            || schema["allOf"]
                .as_array()
                .is_some_and(|all| all.iter().any(|s| walk(s, schemas, property, depth + 1)))
    }
    walk(schema, schemas, property, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_operation_ref_is_a_json_pointer_with_encoded_braces() {
        assert_eq!(
            operation_ref("/api/v1/spaces/{id}", "get"),
            "#/paths/~1api~1v1~1spaces~1%7Bid%7D/get"
        );
    }

    #[test]
    fn link_names_follow_the_item_path() {
        assert_eq!(link_name("get", ""), "get");
        assert_eq!(link_name("post", "/approve"), "post_approve");
        assert_eq!(
            link_name("get", "/occurrences/{occurrence_id}"),
            "get_occurrences_occurrence_id"
        );
        assert_eq!(link_name("get", ".ics"), "get.ics");
    }
}
