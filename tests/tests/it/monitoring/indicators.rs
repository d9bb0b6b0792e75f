//! The indicators' values end to end: a season of activity published on the bus as another
//! service would (`indicators_seed`), read back by quarter, by season and by funding line from
//! `GET /api/v1/indicators/values`, from the CSV export and from the XLSX export (read with
//! calamine), against figures computed by hand — a count of fewer than five people shown as
//! `<5` everywhere. On PostgreSQL + RabbitMQ and on the embedded default.

use super::indicators_seed::{Season, seed};
use calamine::{Data, Reader, Xlsx};
use piazza_e2e::{app::TestApp, eventually};
use piazza_shared::auth::Role;
use reqwest::StatusCode;
use serde_json::{Value, json};
use std::{io::Cursor, time::Duration};

const WAIT: Duration = Duration::from_secs(60);

/// The shown figure of `code` in `period` of a values answer.
fn shown<'a>(report: &'a Value, code: &str, period: &str) -> Option<&'a str> {
    report["values"]
        .as_array()?
        .iter()
        .find(|v| v["code"] == code && v["period"] == period)?["shown"]
        .as_str()
}

/// `GET /api/v1/indicators/values?by=&from=&to=` as `token`.
async fn values(app: &TestApp, token: &str, by: &str, season: &Season) -> Value {
    let (status, body) = app
        .get(
            &format!(
                "/api/v1/indicators/values?by={by}&from={}&to={}",
                season.from, season.to
            ),
            Some(token),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    body
}

/// Downloads an export as `token`.
async fn download(app: &TestApp, token: &str, what: &str, season: &Season) -> (String, Vec<u8>) {
    let response = app
        .api
        .raw()
        .get(app.url(&format!(
            "/api/v1/indicators/{what}?by=quarter&from={}&to={}",
            season.from, season.to
        )))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let kind = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (kind, response.bytes().await.unwrap().to_vec())
}

/// RFC 4180 rows: quoted fields with doubled quotes, CRLF line ends.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted, mut chars) =
        (Vec::new(), String::new(), false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut field)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => field.push(c),
        }
    }
    rows
}

/// Rows of a table with a header as maps column → cell.
fn by_column(rows: Vec<Vec<String>>) -> Vec<std::collections::BTreeMap<String, String>> {
    let header = rows[0].clone();
    rows[1..]
        .iter()
        .map(|r| header.iter().cloned().zip(r.iter().cloned()).collect())
        .collect()
}

/// The cell `column` of the row with these `section`, `period`, `code` (and `extra` column
/// values).
fn cell(
    table: &[std::collections::BTreeMap<String, String>],
    section: &str,
    period: &str,
    code: &str,
    extra: &[(&str, &str)],
    column: &str,
) -> String {
    table
        .iter()
        .find(|r| {
            r["section"] == section
                && r["period"] == period
                && r["code"] == code
                && extra.iter().all(|(k, v)| r[*k] == *v)
        })
        .unwrap_or_else(|| panic!("no {section} row for {code} in {period} {extra:?}"))[column]
        .clone()
}

/// Adds an indicator that counts space hours of ERDF only.
async fn add_erdf_hours(app: &TestApp, admin: &str) {
    let (status, body) = app
        .post(
            "/api/v1/indicators",
            Some(admin),
            &json!({
                "code": "space_hours_fesr", "kind": "output",
                "name_it": "Ore di spazi FESR", "name_en": "ERDF space hours",
                "unit": "ore / hours", "measure": "space_hours", "funding_line": "fesr",
                "baseline": 0, "target": 120.5
            }),
        )
        .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

async fn values_add_up_by_quarter_season_and_funding_line(app: TestApp) {
    let admin = app.admin().await;
    let evaluator = app
        .user("valutatore@ente.test", Role::Evaluator, None)
        .await;
    add_erdf_hours(&app, &admin).await;
    let season = seed(&app).await;
    let expected = Season::expected();
    // Wait until the monitoring has every message: the season's figures all as computed.
    let by_season = eventually("the monitoring to count the season", WAIT, || async {
        let report = values(&app, &evaluator, "season", &season).await;
        let key = season.id.to_string();
        expected
            .iter()
            .all(|(code, _, _, s)| shown(&report, code, &key) == Some(*s))
            .then_some(report)
    })
    .await;
    let key = season.id.to_string();
    assert_eq!(by_season["periods"].as_array().unwrap().len(), 1);
    assert_eq!(by_season["periods"][0]["label"], season.name.as_str());
    assert_eq!(shown(&by_season, "space_hours_fesr", &key), Some("5.00"));

    // By quarter, in JSON.
    let report = values(&app, &evaluator, "quarter", &season).await;
    let periods: Vec<&str> = report["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["key"].as_str().unwrap())
        .collect();
    assert_eq!(periods, [season.q1.as_str(), season.q2.as_str()]);
    for (code, q1, q2, _) in &expected {
        assert_eq!(
            shown(&report, code, &season.q1),
            Some(*q1),
            "{code} in {}",
            season.q1
        );
        assert_eq!(
            shown(&report, code, &season.q2),
            Some(*q2),
            "{code} in {}",
            season.q2
        );
    }
    assert_eq!(shown(&report, "space_hours_fesr", &season.q1), Some("3.00"));
    assert_eq!(shown(&report, "space_hours_fesr", &season.q2), Some("2.00"));
    // A withheld count has no number, and says so.
    let few = report["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == "participants" && v["period"] == season.q2.as_str())
        .unwrap();
    assert_eq!(few["value"], Value::Null);
    assert_eq!(few["suppressed"], true);
    let reached = report["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == "young_people_reached" && v["period"] == season.q1.as_str())
        .unwrap();
    assert_eq!(reached["by_age_band"]["18_24"]["shown"], "5");
    assert_eq!(reached["by_age_band"]["14_17"]["shown"], "<5");
    let target = report["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["code"] == "space_hours_fesr")
        .unwrap();
    assert_eq!(target["target"], 120.5);
    assert_eq!(target["baseline"], 0.0);

    // By funding line, beside the plan.
    let (status, shares) = app
        .get(
            &format!(
                "/api/v1/indicators/funding-shares?by=quarter&from={}&to={}",
                season.from, season.to
            ),
            Some(&evaluator),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{shares}");
    let share = |report: &Value, period: &str, line: &str, field: &str| -> Value {
        report["funding_shares"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["period"] == period)
            .unwrap()["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["funding_line"] == line)
            .unwrap()[field]
            .clone()
    };
    for (line, q1, q2, whole) in Season::expected_space_shares() {
        assert_eq!(
            share(&shares, &season.q1, line, "space_percent"),
            json!(q1),
            "{line}"
        );
        assert_eq!(
            share(&shares, &season.q2, line, "space_percent"),
            json!(q2),
            "{line}"
        );
        assert_eq!(
            share(&by_season, &key, line, "space_percent"),
            json!(whole),
            "{line}"
        );
    }
    assert_eq!(share(&shares, &season.q1, "fesr", "planned_percent"), 84);
    assert_eq!(share(&shares, &season.q1, "fse_plus", "planned_percent"), 6);
    assert_eq!(share(&shares, &season.q1, "fesr", "event_hours"), 2.0);
    assert_eq!(share(&shares, &season.q2, "fesr", "event_hours"), 1.5);
    assert_eq!(share(&shares, &season.q2, "fesr", "event_percent"), 100.0);

    // The CSV export: the same figures, no address in it.
    let (kind, csv) = download(&app, &evaluator, "export.csv", &season).await;
    assert!(kind.starts_with("text/csv"), "{kind}");
    let text = String::from_utf8(csv).unwrap();
    assert!(!text.contains('@'), "no address in the export");
    let table = by_column(parse_csv(&text));
    for (code, q1, q2, _) in &expected {
        assert_eq!(
            cell(&table, "indicator", &season.q1, code, &[], "shown"),
            *q1,
            "{code}"
        );
        assert_eq!(
            cell(&table, "indicator", &season.q2, code, &[], "shown"),
            *q2,
            "{code}"
        );
    }
    assert_eq!(
        cell(
            &table,
            "indicator",
            &season.q2,
            "participants",
            &[],
            "value"
        ),
        ""
    );
    assert_eq!(
        cell(
            &table,
            "indicator",
            &season.q1,
            "participants",
            &[],
            "value"
        ),
        "6"
    );
    assert_eq!(
        cell(
            &table,
            "indicator",
            &season.q1,
            "space_hours_fesr",
            &[],
            "target"
        ),
        "120.50"
    );
    assert_eq!(
        cell(
            &table,
            "age_band",
            &season.q1,
            "young_people_reached",
            &[("age_band", "14_17")],
            "shown"
        ),
        "<5"
    );
    for (line, q1, q2, _) in Season::expected_space_shares() {
        for (period, percent) in [(&season.q1, q1), (&season.q2, q2)] {
            let written = cell(
                &table,
                "funding_share",
                period,
                "space_hours",
                &[("funding_line", line)],
                "value",
            );
            assert_eq!(written.parse::<f64>().unwrap(), percent, "{line} {period}");
        }
    }
    assert_eq!(
        cell(
            &table,
            "funding_share",
            &season.q1,
            "space_hours",
            &[("funding_line", "fesr")],
            "planned_percent"
        ),
        "84"
    );

    // The XLSX export, read back with calamine: numbers as numbers, `<5` as text.
    let (kind, xlsx) = download(&app, &evaluator, "export.xlsx", &season).await;
    assert!(kind.contains("spreadsheetml"), "{kind}");
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx)).unwrap();
    let sheet = workbook.worksheet_range("indicators").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(x) => format!("{x}"),
                    Data::Int(n) => format!("{n}"),
                    other => format!("{other}"),
                })
                .collect()
        })
        .collect();
    let numbers: Vec<bool> = sheet
        .rows()
        .skip(1)
        .filter(|r| {
            r[0] == Data::String("indicator".into()) && r[5] == Data::String("space_hours".into())
        })
        .map(|r| matches!(r[13], Data::Float(_)))
        .collect();
    assert!(
        !numbers.is_empty() && numbers.iter().all(|n| *n),
        "figures are numbers"
    );
    let table = by_column(rows);
    for (code, q1, q2, _) in &expected {
        assert_eq!(
            cell(&table, "indicator", &season.q1, code, &[], "shown"),
            *q1,
            "{code}"
        );
        assert_eq!(
            cell(&table, "indicator", &season.q2, code, &[], "shown"),
            *q2,
            "{code}"
        );
    }
    assert_eq!(
        cell(&table, "indicator", &season.q1, "space_hours", &[], "value"),
        "4"
    );
    assert_eq!(
        cell(
            &table,
            "indicator",
            &season.q2,
            "codesign_participants",
            &[],
            "value"
        ),
        "7"
    );
    assert_eq!(
        cell(
            &table,
            "indicator",
            &season.q1,
            "codesign_participants",
            &[],
            "value"
        ),
        ""
    );
    for (line, q1, q2, _) in Season::expected_space_shares() {
        for (period, percent) in [(&season.q1, q1), (&season.q2, q2)] {
            let written = cell(
                &table,
                "funding_share",
                period,
                "space_hours",
                &[("funding_line", line)],
                "value",
            );
            assert_eq!(written.parse::<f64>().unwrap(), percent, "{line} {period}");
        }
    }

    // The JSON export is the values answer, as a download.
    let (kind, json_bytes) = download(&app, &evaluator, "export.json", &season).await;
    assert!(kind.starts_with("application/json"), "{kind}");
    let exported: Value = serde_json::from_slice(&json_bytes).unwrap();
    assert_eq!(exported["values"], report["values"]);
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_season_published_on_rabbitmq_adds_up_by_quarter_season_and_funding_line_on_postgres() {
    let app = TestApp::builder().postgres().rabbitmq().spawn().await;
    values_add_up_by_quarter_season_and_funding_line(app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_season_adds_up_by_quarter_season_and_funding_line_on_the_embedded_default() {
    let app = TestApp::builder().spawn().await;
    values_add_up_by_quarter_season_and_funding_line(app).await;
}
