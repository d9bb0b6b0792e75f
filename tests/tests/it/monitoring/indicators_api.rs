//! The indicator framework's API: administrators add, change and remove indicators (each change
//! in the audit log); evaluators read the framework and its values but change nothing;
//! operators and young people's accounts are refused; bad input is a 422 naming the field.

use piazza_e2e::app::TestApp;
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};

fn indicator(code: &str) -> Value {
    json!({
        "code": code, "kind": "result",
        "name_it": "Giovani nei tavoli", "name_en": "Young people at tables",
        "definition_it": "Presenze.", "definition_en": "Attendance.",
        "unit": "persone / people", "measure": "codesign_participants",
        "baseline": 10, "target": 40
    })
}

/// The fields a 422 names.
fn fields(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|e| e["field"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn administrators_change_the_framework_evaluators_read_it_and_operators_are_refused() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let evaluator = app
        .user("valutatore@ente.test", Role::Evaluator, None)
        .await;
    let operator = app
        .user("ops@arci.test", Role::Operator, Some("Arci Cremona"))
        .await;

    // The default framework: one indicator per measure, readable by evaluators.
    let (status, list) = app.get("/api/v1/indicators", Some(&evaluator)).await;
    assert_eq!(status, StatusCode::OK, "{list}");
    let codes: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes.len(), 11, "{codes:?}");
    assert!(codes.contains(&"young_people_reached"));
    assert!(list[0]["name_it"].as_str().is_some() && list[0]["name_en"].as_str().is_some());

    let (status, created) = app
        .post(
            "/api/v1/indicators",
            Some(&admin),
            &indicator("youth_at_tables"),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let id = created["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/indicators/{id}");
    let (status, patched) = app
        .patch(
            &path,
            Some(&admin),
            &json!({ "target": null, "funding_line": "fse_plus" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{patched}");
    assert_eq!(patched["target"], Value::Null);
    assert_eq!(patched["baseline"], 10.0);
    assert_eq!(patched["funding_line"], "fse_plus");
    let (status, read) = app.get(&path, Some(&evaluator)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(read, patched);

    // Evaluators read but never write; operators do neither; nobody without a token.
    for (status, what) in [
        (
            app.post("/api/v1/indicators", Some(&evaluator), &indicator("x_one"))
                .await
                .0,
            "evaluator adds",
        ),
        (
            app.patch(&path, Some(&evaluator), &json!({ "target": 1 }))
                .await
                .0,
            "evaluator edits",
        ),
        (
            app.delete(&path, Some(&evaluator)).await.0,
            "evaluator removes",
        ),
        (
            app.get("/api/v1/indicators", Some(&operator)).await.0,
            "operator lists",
        ),
        (app.get(&path, Some(&operator)).await.0, "operator reads"),
        (
            app.get("/api/v1/indicators/values", Some(&operator))
                .await
                .0,
            "operator reads values",
        ),
        (
            app.get("/api/v1/indicators/export.csv", Some(&operator))
                .await
                .0,
            "operator exports",
        ),
        (
            app.post("/api/v1/indicators", Some(&operator), &indicator("x_two"))
                .await
                .0,
            "operator adds",
        ),
    ] {
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
    }
    let (status, _) = app.get("/api/v1/indicators", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Every change is in the audit log.
    let (status, audit) = app
        .get("/api/v1/audit?action=indicator", Some(&admin))
        .await;
    assert_eq!(status, StatusCode::OK, "{audit}");
    let actions: Vec<&str> = audit["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"indicator.create"), "{actions:?}");
    assert!(actions.contains(&"indicator.update"), "{actions:?}");

    let (status, _) = app.delete(&path, Some(&admin)).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = app.get(&path, Some(&admin)).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, audit) = app
        .get("/api/v1/audit?action=indicator.delete", Some(&admin))
        .await;
    assert_eq!(audit["items"].as_array().unwrap().len(), 1, "{audit}");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_indicators_and_bad_ranges_are_refused_naming_the_field() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let (status, _) = app
        .post("/api/v1/indicators", Some(&admin), &indicator("taken"))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let mut cases = Vec::new();
    for (field, value) in [
        ("code", json!("Not A Code")),
        ("code", json!("taken")),
        ("kind", json!("impact")),
        ("measure", json!("hours")),
        ("funding_line", json!("erdf")),
        ("baseline", json!(-1)),
        ("target", json!(1e15)),
        ("name_it", json!("  ")),
        ("unit", json!("x".repeat(41))),
    ] {
        let mut body = indicator("fresh_code");
        body[field] = value;
        cases.push((field, body));
    }
    for (field, body) in cases {
        let (status, answer) = app.post("/api/v1/indicators", Some(&admin), &body).await;
        assert_eq!(
            status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{field}: {answer}"
        );
        assert_eq!(fields(&answer), [field], "{answer}");
    }
    let (status, answer) = app
        .post(
            "/api/v1/indicators",
            Some(&admin),
            &json!({ "code": "only_a_code" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");

    let (_, list) = app.get("/api/v1/indicators", Some(&admin)).await;
    let id = list[0]["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/indicators/{id}");
    for (body, field) in [
        (json!({ "measure": "everything" }), "measure"),
        (json!({ "code": "taken" }), "code"),
        (json!({ "target": -3 }), "target"),
        // An unknown field is named in the message (serde reports it at the body).
        (json!({ "colour": "red" }), "body"),
    ] {
        let (status, answer) = app.patch(&path, Some(&admin), &body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}: {answer}");
        assert!(
            fields(&answer).iter().any(|f| f == field || f == "colour"),
            "{body}: {answer}"
        );
    }
    let (status, answer) = app.get("/api/v1/indicators/not-an-id", Some(&admin)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{answer}");

    for (query, field) in [
        ("by=month", "by"),
        ("from=2027-13-01", "from"),
        ("from=2027-02-01&to=2027-01-01", "to"),
        ("from=2000-01-01&to=2027-01-01", "to"),
        ("colour=red", "query"),
    ] {
        for what in [
            "values",
            "funding-shares",
            "export.csv",
            "export.xlsx",
            "export.json",
        ] {
            let (status, answer) = app
                .get(&format!("/api/v1/indicators/{what}?{query}"), Some(&admin))
                .await;
            assert_eq!(
                status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{what}?{query}: {answer}"
            );
            let named = fields(&answer);
            assert!(
                named.iter().any(|f| f == field || f == "colour"),
                "{what}?{query}: {answer}"
            );
        }
    }
    app.stop().await;
}
