//! Pathways for young people in difficulty: a social worker refers a young person, the pathway's
//! operator sees them on a session's attendance and takes it, and everyone else — an evaluator,
//! an administrator outside Social policies — reads counts only, withheld below 5 (a sixth
//! referral shows 6). Non-referrers get 403, bad input 422 naming the fields, and a pathway
//! never reaches the public calendar, the ICS feed or the event API. On the embedded default
//! and on PostgreSQL + RabbitMQ (there with the messages on the bus: counts, no names).

use super::{BOOKING_AND_SCHEDULER, Tap, WAIT, expect, fields, space};
use chrono::{Datelike, Duration, SubsecRound};
use piazza_e2e::{app::TestApp, eventually};
use piazza_shared::{
    auth::{Claims, Keys, Role, caller::API_TOKEN},
    contracts::{
        FundingLine,
        event::EventPublished,
        pathway::{AgeBand, PathwayCompleted, PathwayEnrolled, PathwaySessionAttended},
        scheduling::SlotRequested,
        sector::SOCIAL_POLICIES,
    },
};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

/// A token signed with the app's key, with the sectors booking will put in it.
pub(crate) fn token(
    app: &TestApp,
    email: &str,
    role: Role,
    org: Option<(Uuid, &str)>,
    sectors: &[&str],
) -> String {
    Keys::from_settings(&app.settings).unwrap().sign(
        API_TOKEN,
        &Claims {
            sub: Uuid::now_v7(),
            email: email.into(),
            role,
            org: org.map(|o| o.0),
            org_name: org.map(|o| o.1.to_string()),
            sid: None,
            sv: 0,
            sectors: sectors.iter().map(|s| s.to_string()).collect(),
        },
        piazza_e2e::clock::now() + Duration::hours(2),
    )
}

async fn put(app: &TestApp, path: &str, token: &str, body: Value) -> (StatusCode, Value) {
    app.api
        .call(Method::PUT, &app.url(path), Some(token), Some(&body))
        .await
}

fn names(participants: &Value) -> Vec<String> {
    let mut names: Vec<String> = participants
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(|p| p["name"].as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

fn suppressed() -> Value {
    json!({ "value": null, "shown": "<5", "suppressed": true })
}

struct People {
    worker: String,
    culture: String,
    evaluator: String,
    operator: String,
    accredited: String,
    stranger: String,
    accredited_org: Uuid,
    running_org: Uuid,
}

fn people(app: &TestApp) -> People {
    let running_org = Uuid::now_v7();
    let accredited_org = Uuid::now_v7();
    People {
        worker: token(
            app,
            "assistente@comune.test",
            Role::Admin,
            None,
            &[SOCIAL_POLICIES],
        ),
        culture: token(app, "cultura@comune.test", Role::Admin, None, &["culture"]),
        evaluator: token(app, "valutatore@ente.test", Role::Evaluator, None, &[]),
        operator: token(
            app,
            "educatori@iride.test",
            Role::Operator,
            Some((running_org, "Cooperativa Iride")),
            &[],
        ),
        accredited: token(
            app,
            "servizi@consultorio.test",
            Role::Operator,
            Some((accredited_org, "Consultorio Giovani")),
            &[],
        ),
        stranger: token(
            app,
            "ops@arci.test",
            Role::Operator,
            Some((Uuid::now_v7(), "ARCI Cremona")),
            &[],
        ),
        accredited_org,
        running_org,
    }
}

/// The whole journey; answers the pathway's id and first session's id.
async fn journey(app: &TestApp) -> (String, String) {
    let p = people(app);
    let room = space(app, &p.worker, "Sala Puerari").await;
    let year = piazza_e2e::clock::now().year();

    // Pathways belong to Social policies.
    let new_pathway = json!({
        "name": "Percorso Ripartire", "description": "Laboratori e tutoraggio",
        "organisation_id": p.running_org, "organisation_name": "Cooperativa Iride"
    });
    let (status, _) = app
        .post("/api/v1/pathways", Some(&p.culture), &new_pathway)
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let pathway = expect(
        app,
        "/api/v1/pathways",
        Some(&p.worker),
        new_pathway,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(pathway["funding_line"], "fse_plus");
    assert_eq!(pathway["sector"], SOCIAL_POLICIES);
    let id = pathway["id"].as_str().unwrap().to_string();

    // Its sessions get their space from booking, like an event's.
    let first = piazza_e2e::clock::now() + Duration::days(3);
    let sessions = expect(
        app,
        &format!("/api/v1/pathways/{id}/sessions"),
        Some(&p.worker),
        json!({
            "space_id": room, "starts_at": first.to_rfc3339(),
            "ends_at": (first + Duration::hours(2)).to_rfc3339(), "recurrence": "FREQ=WEEKLY;COUNT=3"
        }),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(sessions["sessions"].as_array().unwrap().len(), 3);
    let session = sessions["sessions"][0]["id"].as_str().unwrap().to_string();
    eventually("the sessions' space confirmed by booking", WAIT, || async {
        let (_, now) = app
            .get(&format!("/api/v1/pathways/{id}"), Some(&p.worker))
            .await;
        (now["sessions"][0]["space_status"] == "confirmed").then_some(())
    })
    .await;

    // A social worker refers a young person.
    let referral = json!({
        "name": "Giulia Bianchi", "birth_year": year - 16, "contact": "333 1234567",
        "note": "Segnalata dal servizio minori"
    });
    let referred = expect(
        app,
        &format!("/api/v1/pathways/{id}/referrals"),
        Some(&p.worker),
        referral.clone(),
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(names(&referred["participants"]), ["Giulia Bianchi"]);
    assert_eq!(referred["participants"][0]["age_band"], "14_17");
    assert_eq!(referred["participants"][0]["referred_by_you"], true);

    // Non-referrers: another sector's administrator, an evaluator, the operator that runs the
    // pathway and an operator of an organisation not accredited.
    for who in [&p.culture, &p.evaluator, &p.operator, &p.stranger] {
        let (status, body) = app
            .post(
                &format!("/api/v1/pathways/{id}/referrals"),
                Some(who),
                &referral,
            )
            .await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    }

    // The operator sees her on the session's attendance and takes it.
    let attendance = format!("/api/v1/pathways/{id}/sessions/{session}/attendance");
    let (status, sheet) = app.get(&attendance, Some(&p.operator)).await;
    assert_eq!(status, StatusCode::OK, "{sheet}");
    assert_eq!(names(&sheet["participants"]), ["Giulia Bianchi"]);
    assert_eq!(sheet["participants"][0]["present"], Value::Null);
    let giulia = sheet["participants"][0]["referral_id"]
        .as_str()
        .unwrap()
        .to_string();
    let (status, body) = put(
        app,
        &attendance,
        &p.stranger,
        json!({ "present": [giulia] }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, taken) = put(
        app,
        &attendance,
        &p.operator,
        json!({ "present": [giulia] }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    assert_eq!(taken["taken"], true);
    assert_eq!(taken["participants"][0]["present"], true);

    // Everyone else reads counts only, withheld below 5.
    for who in [&p.evaluator, &p.culture] {
        let (status, sheet) = app.get(&attendance, Some(who)).await;
        assert_eq!(status, StatusCode::OK, "{sheet}");
        assert_eq!(sheet["participants"], Value::Null, "{sheet}");
        assert_eq!(sheet["present"], suppressed());
        assert_eq!(sheet["enrolled"], suppressed());
        let (_, seen) = app.get(&format!("/api/v1/pathways/{id}"), Some(who)).await;
        assert_eq!(seen["participants"], Value::Null, "{seen}");
        assert_eq!(seen["enrolled"], suppressed());
        assert_eq!(seen["sessions"][0]["present"], suppressed());
        assert!(!seen.to_string().contains("Giulia"), "{seen}");
        let (_, listed) = app.get("/api/v1/pathways", Some(who)).await;
        assert!(!listed.to_string().contains("Giulia"), "{listed}");
    }
    // The referring worker reads the one she referred.
    let (_, seen) = app.get(&attendance, Some(&p.worker)).await;
    assert_eq!(names(&seen["participants"]), ["Giulia Bianchi"]);

    // An accredited organisation refers five more: the sixth is counted, 6.
    let (status, body) = put(
        app,
        &format!("/api/v1/referral-accreditations/{}", p.accredited_org),
        &p.culture,
        json!({ "organisation_name": "Consultorio Giovani" }),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = put(
        app,
        &format!("/api/v1/referral-accreditations/{}", p.accredited_org),
        &p.worker,
        json!({ "organisation_name": "Consultorio Giovani" }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    for (i, name) in [
        "Luca Rossi",
        "Sara Verdi",
        "Omar Haddad",
        "Elena Neri",
        "Ivan Costa",
    ]
    .iter()
    .enumerate()
    {
        let (status, body) = app
            .post(
                &format!("/api/v1/pathways/{id}/referrals"),
                Some(&p.accredited),
                &json!({ "name": name, "birth_year": year - 15 - i as i32 }),
            )
            .await;
        assert_eq!(status, StatusCode::CREATED, "{body}");
        let enrolled = &body["enrolled"];
        if i < 3 {
            assert_eq!(enrolled, &suppressed(), "{} referred", i + 2);
        }
    }
    let (_, seen) = app
        .get(&format!("/api/v1/pathways/{id}"), Some(&p.evaluator))
        .await;
    assert_eq!(
        seen["enrolled"],
        json!({ "value": 6, "shown": "6", "suppressed": false })
    );
    assert_eq!(seen["participants"], Value::Null);
    let (_, seen) = app
        .get(&format!("/api/v1/pathways/{id}"), Some(&p.culture))
        .await;
    assert_eq!(seen["enrolled"]["value"], 6);
    assert_eq!(seen["participants"], Value::Null);
    // Each worker sees those they referred; the operator sees all six.
    let (_, seen) = app
        .get(&format!("/api/v1/pathways/{id}"), Some(&p.worker))
        .await;
    assert_eq!(names(&seen["participants"]), ["Giulia Bianchi"]);
    let (_, seen) = app
        .get(&format!("/api/v1/pathways/{id}"), Some(&p.accredited))
        .await;
    assert_eq!(seen["participants"].as_array().unwrap().len(), 5);
    assert!(!seen.to_string().contains("Giulia"));
    let (_, seen) = app
        .get(&format!("/api/v1/pathways/{id}"), Some(&p.operator))
        .await;
    assert_eq!(seen["participants"].as_array().unwrap().len(), 6);

    // Completion, by the operator.
    let (status, done) = put(
        app,
        &format!("/api/v1/pathways/{id}/referrals/{giulia}/completion"),
        &p.operator,
        json!({ "completed": true }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{done}");
    let her = done["participants"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "Giulia Bianchi")
        .unwrap();
    assert!(her["completed_at"].is_string());
    assert_eq!(her["sessions_present"], 1);
    let (_, seen) = app
        .get(&format!("/api/v1/pathways/{id}"), Some(&p.evaluator))
        .await;
    assert_eq!(seen["completed"], suppressed());

    // Never public: not in the calendar's JSON nor its ICS feed.
    let (status, calendar) = app.get("/api/v1/events", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !calendar.to_string().contains("Percorso Ripartire"),
        "{calendar}"
    );
    let (status, ics) = app.get("/calendar.ics", None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(ics.as_str().unwrap_or_default().contains("BEGIN:VCALENDAR"));
    assert!(!ics.to_string().contains("Percorso Ripartire"), "{ics}");
    let (_, calendar) = app.get("/api/v1/events", Some(&p.worker)).await;
    assert!(
        !calendar.to_string().contains("Percorso Ripartire"),
        "{calendar}"
    );

    // Validation: every field at fault named.
    let (status, problem) = app
        .post(
            "/api/v1/pathways",
            Some(&p.worker),
            &json!({ "name": " ", "organisation_id": p.running_org, "organisation_name": "x".repeat(201) }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["name", "organisation_name"]);
    let (status, problem) = app
        .post(
            &format!("/api/v1/pathways/{id}/referrals"),
            Some(&p.worker),
            &json!({ "name": "", "birth_year": year - 3 }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["name", "birth_year"]);
    let (status, problem) = put(
        app,
        &attendance,
        &p.operator,
        json!({ "present": [Uuid::now_v7()] }),
    )
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["present[0]"]);
    let (status, problem) = app
        .post(
            &format!("/api/v1/pathways/{id}/sessions"),
            Some(&p.worker),
            &json!({ "space_id": room, "starts_at": first.to_rfc3339(), "ends_at": (first - Duration::hours(1)).to_rfc3339() }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(fields(&problem), ["ends_at"]);
    let (status, problem) = app
        .post(
            &format!("/api/v1/pathways/{id}/referrals"),
            Some(&p.worker),
            &json!({ "birth_year": "x" }),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{problem}");
    assert_eq!(problem["type"], "urn:piazza:problem:validation");
    let (status, _) = app
        .get(
            &format!("/api/v1/pathways/{}", Uuid::now_v7()),
            Some(&p.evaluator),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    (id, session)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pathway_names_for_its_operator_and_referrer_counts_for_others_embedded() {
    let app = TestApp::builder().spawn().await;
    journey(&app).await;
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pathway_names_for_its_operator_and_referrer_counts_for_others_on_postgres_and_rabbitmq() {
    let app = TestApp::builder()
        .postgres()
        .rabbitmq()
        .services(&BOOKING_AND_SCHEDULER)
        .spawn()
        .await;
    let tap = Tap::start(&app).await;
    let (id, session) = journey(&app).await;
    let pathway: Uuid = id.parse().unwrap();

    // The monitoring's messages: counts, age bands and the funding line, never a name.
    let enrolled = tap
        .wait::<PathwayEnrolled>("pathway.enrolled", |m| m.pathway_id == pathway)
        .await;
    assert_eq!(enrolled.funding_line, FundingLine::FsePlus);
    eventually("six enrolments", WAIT, || async {
        (tap.all::<PathwayEnrolled>().len() == 6).then_some(())
    })
    .await;
    let attended = tap
        .wait::<PathwaySessionAttended>("pathway.session_attended", |m| {
            m.session_id.to_string() == session
        })
        .await;
    assert_eq!((attended.enrolled, attended.present), (1, 1));
    assert_eq!(
        attended.present_by_age_band.get(&AgeBand::From14To17),
        Some(&1)
    );
    let completed = tap
        .wait::<PathwayCompleted>("pathway.completed", |m| m.pathway_id == pathway)
        .await;
    assert_eq!(completed.age_band, AgeBand::From14To17);
    // Asked for a resync, the scheduler sends each again as it stands (the latest message).
    let sessions = || {
        tap.all::<PathwaySessionAttended>()
            .into_iter()
            .filter(|m| m.session_id == attended.session_id)
            .collect::<Vec<_>>()
    };
    let completions = || {
        tap.all::<PathwayCompleted>()
            .into_iter()
            .filter(|m| m.enrolment_id == completed.enrolment_id)
            .collect::<Vec<_>>()
    };
    let (sessions_before, completions_before) = (sessions(), completions());
    super::ask_for_resync(&app, &[piazza_shared::contracts::resync::PATHWAYS]).await;
    eventually("every enrolment again", WAIT, || async {
        (tap.all::<PathwayEnrolled>().len() == 12).then_some(())
    })
    .await;
    // Sent again from what is stored: PostgreSQL keeps microseconds.
    let stored = |mut m: PathwayEnrolled| {
        m.enrolled_at = m.enrolled_at.trunc_subsecs(6);
        m
    };
    let again = |m: &PathwayEnrolled| m.enrolment_id == enrolled.enrolment_id;
    let sent: Vec<PathwayEnrolled> = tap.all().into_iter().filter(again).map(stored).collect();
    assert_eq!(sent, [stored(enrolled.clone()), stored(enrolled.clone())]);
    eventually("the session and the completion again", WAIT, || async {
        let (s, c) = (sessions(), completions());
        (s.len() == sessions_before.len() + 1 && c.len() == completions_before.len() + 1)
            .then_some(())
    })
    .await;
    assert_eq!(sessions().last(), sessions_before.last());
    let stored = |m: Option<&PathwayCompleted>| {
        m.cloned().map(|mut m| {
            m.completed_at = m.completed_at.trunc_subsecs(6);
            m
        })
    };
    assert_eq!(
        stored(completions().last()),
        stored(completions_before.last())
    );

    // The event carrying the sessions is nobody's event: never announced, not readable, not
    // publishable.
    let carrier = tap
        .wait::<SlotRequested>("the sessions' slot request", |m| {
            m.title == "Percorso Ripartire"
        })
        .await
        .event_id;
    let admin = token(&app, "cultura@comune.test", Role::Admin, None, &[]);
    let (status, _) = app
        .get(&format!("/api/v1/events/{carrier}"), Some(&admin))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = app
        .post(
            &format!("/api/v1/events/{carrier}/publish"),
            Some(&admin),
            &json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(
        tap.all::<EventPublished>()
            .iter()
            .all(|m| m.event.event_id != carrier)
    );
    app.stop().await;
}
