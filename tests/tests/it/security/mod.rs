//! Security and API quality: the OpenAPI document against the router, the authorisation matrix
//! read from it, rate limits, the shared middleware (body size, timeouts, CORS, headers), tokens
//! (expiry, rotation, never in logs), the audit log, and schemathesis against the live document.

mod audit;
mod disclosure;
mod exports;
mod floods;
mod forms;
mod import_reach;
mod layers;
mod limits;
mod links;
mod matrix;
mod openapi;
mod schemathesis;
mod sessions;
mod tokens;

use piazza_e2e::app::TestApp;
use serde_json::Value;

/// The methods an operation may have.
pub const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

/// One documented operation.
#[derive(Debug, Clone)]
pub struct Operation {
    pub method: &'static str,
    pub path: String,
    pub doc: Value,
}

impl Operation {
    pub fn name(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }
}

/// The application's OpenAPI document, as served.
pub async fn document(app: &TestApp) -> Value {
    let (status, doc) = app.get("/api/openapi.json", None).await;
    assert!(status.is_success(), "{status}: {doc}");
    doc
}

/// Every operation of `doc`.
pub fn operations(doc: &Value) -> Vec<Operation> {
    let mut found = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in METHODS {
            if let Some(op) = item.get(method) {
                found.push(Operation {
                    method,
                    path: path.clone(),
                    doc: op.clone(),
                });
            }
        }
    }
    found
}

/// `path` with each `{param}` replaced by `fill(param)`.
pub fn concrete(path: &str, mut fill: impl FnMut(&str) -> String) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("closing brace") + start;
        out.push_str(&fill(&rest[start + 1..end]));
        rest = &rest[end + 1..];
    }
    out.push_str(rest);
    out
}
