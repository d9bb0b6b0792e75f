//! What only the monitoring reads — co-design meetings, ideas, referral pathways and seasons —
//! becomes facts as the scheduler sends it: a corrected meeting record replaces the first, and
//! one older than what the monitoring holds changes nothing.

use super::{facts, facts_when, handled, send, send_dated};
use chrono::SubsecRound;
use piazza_e2e::{app::TestApp, eventually};
use piazza_monitoring::db::seasons;
use piazza_shared::contracts::{
    FundingLine,
    idea::{IdeaReceived, IdeaTakenUp},
    pathway::{AgeBand, PathwayCompleted, PathwayEnrolled, PathwaySessionAttended},
    season::SeasonChanged,
    table::TableMeetingHeld,
};
use sea_orm::EntityTrait;
use std::collections::BTreeMap;
use uuid::Uuid;

async fn meetings_ideas_pathways_and_seasons_become_facts(app: TestApp) {
    // Whole seconds, as every database keeps them.
    let now = piazza_shared::clock::now().trunc_subsecs(0);
    let hours = chrono::Duration::hours;
    let (meeting_id, table_id, space_id) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let meeting = TableMeetingHeld {
        version: 1,
        meeting_id,
        table_id,
        table_kind: "codesign".into(),
        funding_line: Some(FundingLine::FsePlus),
        space_id: Some(space_id),
        starts_at: now - hours(3),
        ends_at: now - hours(1),
        attendance: 12,
        youth_representatives: 3,
        decisions: 2,
    };
    send(&app, "scheduler", &meeting).await;
    let rows = facts_when(&app, "table_meeting", "the meeting", |rows| {
        rows.iter().any(|f| f.subject_id == meeting_id)
    })
    .await;
    let fact = &rows[0];
    assert_eq!((fact.amount, fact.extra), (12, 3));
    assert_eq!(fact.source_id, Some(table_id));
    assert_eq!(fact.space_id, Some(space_id));
    assert_eq!(fact.funding_line.as_deref(), Some("fse_plus"));
    assert_eq!(
        (fact.at, fact.ends_at),
        (meeting.starts_at, Some(meeting.ends_at))
    );

    // The record corrected: the latest wins. Then a message from before both (a retry that
    // waited): nothing changes.
    let corrected = TableMeetingHeld {
        attendance: 14,
        ..meeting.clone()
    };
    send(&app, "scheduler", &corrected).await;
    facts_when(&app, "table_meeting", "the corrected meeting", |rows| {
        rows.iter()
            .any(|f| f.subject_id == meeting_id && f.amount == 14)
    })
    .await;
    let stale = TableMeetingHeld {
        attendance: 5,
        ..meeting.clone()
    };
    let stale = send_dated(&app, "scheduler", &stale, now - hours(1)).await;
    handled(&app, stale).await;
    assert_eq!(
        facts(&app, "table_meeting").await[0].amount,
        14,
        "an older record never replaces a newer"
    );

    // Ideas, pathways and a season.
    let (call_id, season_id, idea_id) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    send(
        &app,
        "scheduler",
        &IdeaReceived {
            version: 1,
            idea_id,
            call_id,
            season_id,
            age_band: Some("18_24".into()),
            informal_group: true,
            received_at: now - hours(48),
        },
    )
    .await;
    send(
        &app,
        "scheduler",
        &IdeaTakenUp {
            version: 1,
            idea_id,
            call_id,
            season_id,
            proposal_id: Uuid::now_v7(),
            age_band: Some("18_24".into()),
            taken_up_at: now - hours(2),
        },
    )
    .await;
    let (pathway_id, enrolment_id, session_id) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    send(
        &app,
        "scheduler",
        &PathwayEnrolled {
            version: 1,
            pathway_id,
            enrolment_id,
            age_band: AgeBand::From14To17,
            funding_line: FundingLine::FsePlus,
            organisation_id: Uuid::now_v7(),
            enrolled_at: now - hours(240),
        },
    )
    .await;
    send(
        &app,
        "scheduler",
        &PathwaySessionAttended {
            version: 1,
            pathway_id,
            session_id,
            starts_at: now - hours(26),
            ends_at: now - hours(24),
            funding_line: FundingLine::FsePlus,
            enrolled: 6,
            present: 4,
            present_by_age_band: BTreeMap::from([(AgeBand::From14To17, 4)]),
        },
    )
    .await;
    send(
        &app,
        "scheduler",
        &PathwayCompleted {
            version: 1,
            pathway_id,
            enrolment_id,
            age_band: AgeBand::From14To17,
            funding_line: FundingLine::FsePlus,
            completed_at: now - hours(1),
        },
    )
    .await;
    let today = now.date_naive();
    send(
        &app,
        "scheduler",
        &SeasonChanged {
            version: 1,
            season_id,
            name: "Stagione di prova".into(),
            starts_on: today - chrono::Days::new(30),
            ends_on: today + chrono::Days::new(300),
            status: "published".into(),
        },
    )
    .await;
    facts_when(&app, "pathway_completion", "the completion", |rows| {
        rows.iter().any(|f| f.subject_id == enrolment_id)
    })
    .await;
    let db = app.db(piazza_monitoring::NAME).await;
    let season = eventually("the season", super::WAIT, || async {
        seasons::Entity::find_by_id(season_id)
            .one(db.conn())
            .await
            .unwrap()
    })
    .await;
    db.close().await;
    assert_eq!(season.name, "Stagione di prova");
    assert_eq!(season.ends_on, today + chrono::Days::new(300));

    let received = facts(&app, "idea_received").await;
    assert_eq!(received.len(), 1);
    assert_eq!(
        (
            received[0].subject_id,
            received[0].source_id,
            received[0].season_id
        ),
        (idea_id, Some(call_id), Some(season_id))
    );
    assert_eq!(received[0].age_band.as_deref(), Some("18_24"));
    let taken = facts(&app, "idea_taken_up").await;
    assert_eq!(taken.len(), 1);
    assert_eq!(taken[0].at, now - hours(2));
    let enrolments = facts(&app, "pathway_enrolment").await;
    assert_eq!(enrolments.len(), 1);
    assert_eq!(enrolments[0].source_id, Some(pathway_id));
    assert_eq!(enrolments[0].age_band.as_deref(), Some("14_17"));
    let sessions = facts(&app, "pathway_session").await;
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].amount, 4);
    assert_eq!(sessions[0].ends_at, Some(now - hours(24)));
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_ideas_pathways_and_seasons_become_facts_on_the_embedded_default() {
    meetings_ideas_pathways_and_seasons_become_facts(TestApp::builder().spawn().await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meetings_ideas_pathways_and_seasons_become_facts_on_postgres_and_rabbitmq() {
    meetings_ideas_pathways_and_seasons_become_facts(
        TestApp::builder().postgres().rabbitmq().spawn().await,
    )
    .await;
}
