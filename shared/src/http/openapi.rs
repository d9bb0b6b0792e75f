//! Touches applied to the whole OpenAPI document once every service contributed its paths:
//! errors are served as `application/problem+json`, so the document says so, and every
//! operation that takes a body documents the 413 the listener answers for an oversized one.

use utoipa::openapi::{
    ContentBuilder, OpenApi, Ref, RefOr, ResponseBuilder, path::Operation, schema::Schema,
};

const PROBLEM: &str = "#/components/schemas/Problem";
const PROBLEM_JSON: &str = "application/problem+json";

/// The modifier (`modifiers(&ProblemContent)`).
pub struct ProblemContent;

impl utoipa::Modify for ProblemContent {
    fn modify(&self, openapi: &mut OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                problem_content(operation);
            }
        }
    }
}

fn is_problem(schema: &Option<RefOr<Schema>>) -> bool {
    matches!(schema, Some(RefOr::Ref(r)) if r.ref_location == PROBLEM)
}

fn problem_content(operation: &mut Operation) {
    for response in operation.responses.responses.values_mut() {
        let RefOr::T(response) = response else {
            continue;
        };
        if let Some(content) = response.content.shift_remove("application/json") {
            let key = if matches!(&content, RefOr::T(c) if is_problem(&c.schema)) {
                PROBLEM_JSON
            } else {
                "application/json"
            };
            response.content.insert(key.to_string(), content);
        }
    }
    if operation.request_body.is_some() {
        operation
            .responses
            .responses
            .entry("413".to_string())
            .or_insert_with(|| {
                RefOr::T(
                    ResponseBuilder::new()
                        .description("The body is larger than `http.max_body_bytes`")
                        .content(
                            PROBLEM_JSON,
                            ContentBuilder::new()
                                .schema(Some(Ref::new(PROBLEM)))
                                .build(),
                        )
                        .build(),
                )
            });
    }
}
