//! The public calendar: the JSON listing with its filters and cursor, and the iCalendar feeds read
//! back by an independent parser (Python's `icalendar` with `recurring_ical_events`): UTC times,
//! one stable UID per occurrence, a SEQUENCE that grows with each change, STATUS:CANCELLED,
//! escaped text and folded lines, and the same filters.

use super::{event, event_when, expect, published, season, space};
use piazza_e2e::app::TestApp;
use reqwest::{StatusCode, header};
use serde_json::{Value, json};

/// The calendar's occurrences between two dates, as the independent parser reads them.
fn parsed(ics: &str, from: &str, to: &str) -> Value {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("calendar.ics");
    std::fs::write(&file, ics).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/support/ics_check.py");
    let output = std::process::Command::new("python3")
        .args([script, file.to_str().unwrap(), from, to])
        .output()
        .expect("python3 with icalendar and recurring_ical_events (pip install icalendar recurring_ical_events)");
    assert!(
        output.status.success(),
        "the parser refused the calendar: {}\n{ics}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

async fn ics(app: &TestApp, path: &str) -> (StatusCode, String, reqwest::header::HeaderMap) {
    let response = app.api.raw().get(app.url(path)).send().await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    (status, response.text().await.unwrap(), headers)
}

fn events(calendar: &Value) -> Vec<Value> {
    calendar["events"].as_array().unwrap().clone()
}

const TITLE: &str =
    "Concerto; rock, \"big\" \\ band — città di Cremona, più voci e più chitarre per tutti";

#[tokio::test]
async fn the_calendar_feeds_read_back_with_an_independent_parser_and_follow_each_change() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    let hall = space(&app, &admin, "Sala delle Colonne").await;
    let concert = event(
        &app,
        &admin,
        json!({
            "season_id": season, "title": TITLE, "description": "Prima riga\nseconda riga; con, punteggiatura",
            "categories": ["music"], "age_min": 14, "age_max": 29, "space_id": hall, "price_cents": 500,
            "starts_at": "2027-03-23T21:00:00+01:00", "ends_at": "2027-03-23T23:00:00+01:00",
            "recurrence": "FREQ=WEEKLY;COUNT=3"
        }),
    )
    .await;
    let concert_id = concert["id"].as_str().unwrap().to_string();
    event_when(&app, &admin, &concert_id, "the hall", |e| {
        e["space_status"] == "confirmed"
    })
    .await;
    expect(
        &app,
        &format!("/api/v1/events/{concert_id}/publish"),
        Some(&admin),
        json!({}),
        StatusCode::OK,
    )
    .await;
    let play = published(
        &app,
        &admin,
        json!({
            "season_id": season, "title": "Amleto", "categories": ["theatre"], "age_min": 30, "age_max": 50,
            "starts_at": "2027-03-25T20:30:00+01:00", "ends_at": "2027-03-25T22:30:00+01:00"
        }),
    )
    .await;
    let play_id = play["id"].as_str().unwrap().to_string();
    event(&app, &admin, json!({ "title": "Bozza", "categories": ["music"], "starts_at": "2027-03-24T21:00:00+01:00", "ends_at": "2027-03-24T22:00:00+01:00" })).await;

    let (status, text, headers) = ics(&app, &format!("/calendar.ics?season_id={season}")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        headers[header::CONTENT_TYPE],
        "text/calendar; charset=utf-8"
    );
    assert!(text.ends_with("END:VCALENDAR\r\n"));
    for line in text.split_terminator("\r\n") {
        assert!(line.len() <= 75, "a line of {} octets: {line}", line.len());
        assert!(!line.contains('\n'), "bare LF in {line:?}");
    }
    let calendar = parsed(&text, "2027-01-01", "2028-01-01");
    let all = events(&calendar);
    assert_eq!(all.len(), 4, "{calendar}");
    let concerts: Vec<&Value> = all.iter().filter(|e| e["summary"] == TITLE).collect();
    assert_eq!(concerts.len(), 3);
    // 21:00 in Rome, before and after the clocks go forward.
    let starts: Vec<&str> = concerts
        .iter()
        .map(|e| e["start"].as_str().unwrap())
        .collect();
    assert_eq!(
        starts,
        [
            "2027-03-23T20:00:00Z",
            "2027-03-30T19:00:00Z",
            "2027-04-06T19:00:00Z"
        ]
    );
    let first = concerts[0];
    let occurrence_ids: Vec<String> = concert["occurrences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(first["uid"], format!("{}@piazza", occurrence_ids[0]));
    assert_eq!(first["sequence"], 1);
    assert_eq!(first["status"], "CONFIRMED");
    assert!(
        first["description"]
            .as_str()
            .unwrap()
            .starts_with("Prima riga\nseconda riga; con, punteggiatura")
    );
    assert!(first["description"].as_str().unwrap().contains("5.00 €"));
    assert_eq!(
        first["location"],
        "Sala delle Colonne, Palazzo Affaitati, Via Ugolani Dati 4, Cremona"
    );
    assert_eq!(first["categories"], json!(["MUSIC"]));

    // A client that asks again with the ETag hears nothing changed.
    let etag = headers[header::ETAG].to_str().unwrap().to_string();
    let again = app
        .api
        .raw()
        .get(app.url(&format!("/calendar.ics?season_id={season}")))
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);

    // The filters: by category, age and space.
    for (query, expected) in [
        ("category=theatre", vec!["Amleto"]),
        ("age=40", vec!["Amleto"]),
        (
            &format!("space_id={hall}") as &str,
            vec![TITLE, TITLE, TITLE],
        ),
        ("category=music&age=16", vec![TITLE, TITLE, TITLE]),
        ("category=dance", vec![]),
    ] {
        let (_, text, _) = ics(&app, &format!("/calendar.ics?season_id={season}&{query}")).await;
        let titles: Vec<String> = events(&parsed(&text, "2027-01-01", "2028-01-01"))
            .iter()
            .map(|e| e["summary"].as_str().unwrap().to_string())
            .collect();
        assert_eq!(titles, expected, "{query}");
    }

    // Cancelling one occurrence: same UID, higher SEQUENCE, STATUS:CANCELLED; the others stay.
    expect(
        &app,
        &format!(
            "/api/v1/events/{concert_id}/occurrences/{}/cancel",
            occurrence_ids[1]
        ),
        Some(&admin),
        json!({ "reason": "Sala allagata" }),
        StatusCode::OK,
    )
    .await;
    // And renaming the play.
    let (status, _) = app
        .patch(
            &format!("/api/v1/events/{play_id}"),
            Some(&admin),
            &json!({ "title": "Amleto (nuova regia)" }),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let (_, text, headers) = ics(&app, &format!("/calendar.ics?season_id={season}")).await;
    assert_ne!(headers[header::ETAG].to_str().unwrap(), etag);
    let after = events(&parsed(&text, "2027-01-01", "2028-01-01"));
    let by_uid = |uid: &str| after.iter().find(|e| e["uid"] == uid).cloned().unwrap();
    let cancelled = by_uid(&format!("{}@piazza", occurrence_ids[1]));
    assert_eq!(cancelled["status"], "CANCELLED");
    assert!(cancelled["sequence"].as_u64().unwrap() > 1, "{cancelled}");
    let untouched = by_uid(&format!("{}@piazza", occurrence_ids[0]));
    assert_eq!(untouched["status"], "CONFIRMED");
    let renamed = by_uid(&format!(
        "{}@piazza",
        play["occurrences"][0]["id"].as_str().unwrap()
    ));
    assert_eq!(renamed["summary"], "Amleto (nuova regia)");
    assert_eq!(renamed["sequence"], 2);

    // One event's own calendar; a draft has none for the public.
    let (status, text, _) = ics(&app, &format!("/api/v1/events/{concert_id}.ics")).await;
    assert_eq!(status, StatusCode::OK);
    let own = events(&parsed(&text, "2027-01-01", "2028-01-01"));
    assert_eq!(own.len(), 3);
    assert_eq!(own.iter().filter(|e| e["status"] == "CANCELLED").count(), 1);
    let (status, _, _) = ics(&app, "/api/v1/events/not-an-id.ics").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _, _) = ics(
        &app,
        &format!("/api/v1/events/{}.ics", uuid::Uuid::now_v7()),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    app.stop().await;
}

#[tokio::test]
async fn the_listing_filters_and_pages_by_cursor() {
    let app = TestApp::builder().spawn().await;
    let admin = app.admin().await;
    let season = season(&app, &admin).await;
    published(
        &app,
        &admin,
        json!({
            "season_id": season, "title": "Danza", "categories": ["dance"], "age_min": 10, "age_max": 14,
            "starts_at": "2027-02-01T17:00:00+01:00", "ends_at": "2027-02-01T18:00:00+01:00",
            "recurrence": "FREQ=DAILY;COUNT=5"
        }),
    )
    .await;
    published(
        &app,
        &admin,
        json!({
            "season_id": season, "title": "Cinema", "categories": ["cinema"],
            "starts_at": "2027-02-02T20:00:00+01:00", "ends_at": "2027-02-02T22:00:00+01:00"
        }),
    )
    .await;
    let mut titles = Vec::new();
    let mut cursor: Option<String> = None;
    let mut pages = 0;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/events?from=2027-02-01&to=2027-02-28&limit=2&cursor={c}"),
            None => "/api/v1/events?from=2027-02-01&to=2027-02-28&limit=2".to_string(),
        };
        let (status, page) = app.get(&path, None).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        pages += 1;
        for item in page["items"].as_array().unwrap() {
            titles.push(format!(
                "{} {}",
                item["title"].as_str().unwrap(),
                &item["starts_at"].as_str().unwrap()[..10]
            ));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => break,
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(
        titles,
        [
            "Danza 2027-02-01",
            "Danza 2027-02-02",
            "Cinema 2027-02-02",
            "Danza 2027-02-03",
            "Danza 2027-02-04",
            "Danza 2027-02-05"
        ]
    );
    for (query, count) in [
        ("category=cinema", 1),
        ("age=12", 6),
        ("age=20", 1),
        ("to=2027-02-02", 3),
    ] {
        let (_, page) = app
            .get(&format!("/api/v1/events?from=2027-02-01&{query}"), None)
            .await;
        assert_eq!(
            page["items"].as_array().unwrap().len(),
            count,
            "{query}: {page}"
        );
    }
    for (query, field) in [
        ("from=yesterday", "from"),
        ("category=opera", "category"),
        ("age=-1", "age"),
        ("limit=0", "limit"),
        ("cursor=%%%", "cursor"),
        ("from=2027-03-01&to=2027-02-01", "to"),
    ] {
        let (status, problem) = app.get(&format!("/api/v1/events?{query}"), None).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert_eq!(super::fields(&problem), [field], "{query}: {problem}");
    }
    app.stop().await;
}
