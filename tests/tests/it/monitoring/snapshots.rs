//! The answers to a resync are applied like the news they stand for, and only forward: an event's
//! snapshot counts its occurrences but not one cancelled on its own, and a snapshot older than a
//! later change does not undo it; a registration's snapshot counts a confirmed place and ends a
//! cancelled one; booking's snapshots count an event's hold (`held`) and an approved booking but
//! not a request. Hand-built, as the owners will send them.

use super::{facts, facts_when, handled, send, send_dated};
use chrono::SubsecRound;
use piazza_e2e::app::TestApp;
use piazza_monitoring::db::facts::Model as Fact;
use piazza_shared::contracts::{
    FundingLine, Language,
    booking::{BookedDate, BookingSummary},
    event::{EventSummary, Occurrence, Place},
    registration::{Registration, RegistrationChange},
    resync::{BookingSnapshot, EventSnapshot, RegistrationSnapshot},
};
use uuid::Uuid;

fn event(occurrences: &[Occurrence]) -> EventSummary {
    EventSummary {
        event_id: Uuid::now_v7(),
        title: "Cineforum".into(),
        description: String::new(),
        categories: vec![],
        age_min: None,
        age_max: None,
        time_zone: "Europe/Rome".into(),
        occurrences: occurrences.to_vec(),
        place: Some(Place {
            space_id: Uuid::now_v7(),
            name: "Sala".into(),
            building: "Palazzo".into(),
            address: "Via Roma 1".into(),
        }),
        capacity: None,
        funding_line: Some(FundingLine::Fesr),
        season_id: Some(Uuid::now_v7()),
    }
}

fn booking(event_id: Option<Uuid>, start: chrono::DateTime<chrono::Utc>) -> BookingSummary {
    let booking_id = Uuid::now_v7();
    let ends_at = start + chrono::Duration::hours(2);
    BookingSummary {
        booking_id,
        series_id: None,
        space_id: Uuid::now_v7(),
        title: "Cineforum".into(),
        starts_at: start,
        ends_at,
        occurrences: 1,
        organisation: None,
        contact_email: None,
        event_id,
        organisation_id: None,
        dates: vec![BookedDate {
            booking_id,
            starts_at: start,
            ends_at,
        }],
        uses_booking_id: None,
        funding_line: Some(FundingLine::Other),
    }
}

async fn snapshots_count_what_stands_and_never_undo_a_later_change(app: TestApp) {
    let now = piazza_shared::clock::now().trunc_subsecs(0);
    let day = chrono::Duration::days;
    let hour = chrono::Duration::hours;
    let occurrence = |offset| Occurrence {
        occurrence_id: Uuid::now_v7(),
        starts_at: now + day(offset),
        ends_at: now + day(offset) + hour(2),
    };
    let (first, second) = (occurrence(10), occurrence(17));
    let summary = event(&[first.clone(), second.clone()]);
    send(
        &app,
        "scheduler",
        &EventSnapshot {
            version: 1,
            status: "published".into(),
            event: summary.clone(),
            cancelled_occurrence_ids: vec![second.occurrence_id],
        },
    )
    .await;
    let of_event = |rows: &[Fact]| {
        rows.iter()
            .filter(|f| f.source_id == Some(summary.event_id))
            .map(|f| (f.subject_id, f.at, f.live))
            .collect::<Vec<_>>()
    };
    facts_when(&app, "event_occurrence", "the event's snapshot", |rows| {
        of_event(rows)
            == [
                (first.occurrence_id, first.starts_at, true),
                (second.occurrence_id, second.starts_at, false),
            ]
    })
    .await;

    // The first occurrence moves an hour later; then a snapshot taken before the move arrives.
    let moved = Occurrence {
        starts_at: first.starts_at + hour(1),
        ends_at: first.ends_at + hour(1),
        ..first.clone()
    };
    let rescheduled = EventSummary {
        occurrences: vec![moved.clone(), second.clone()],
        ..summary.clone()
    };
    send(
        &app,
        "scheduler",
        &EventSnapshot {
            version: 1,
            status: "published".into(),
            event: rescheduled,
            cancelled_occurrence_ids: vec![second.occurrence_id],
        },
    )
    .await;
    facts_when(&app, "event_occurrence", "the move", |rows| {
        of_event(rows).contains(&(first.occurrence_id, moved.starts_at, true))
    })
    .await;
    let stale = send_dated(
        &app,
        "scheduler",
        &EventSnapshot {
            version: 1,
            status: "published".into(),
            event: summary.clone(),
            cancelled_occurrence_ids: vec![],
        },
        now - hour(1),
    )
    .await;
    handled(&app, stale).await;
    assert_eq!(
        of_event(&facts(&app, "event_occurrence").await),
        [
            (first.occurrence_id, moved.starts_at, true),
            (second.occurrence_id, second.starts_at, false),
        ],
        "an older snapshot neither moves it back nor revives the cancelled date"
    );

    // Registrations as the scheduler holds them.
    let change = |email: &str| RegistrationChange {
        version: 1,
        registration: Registration {
            registration_id: Uuid::now_v7(),
            event_id: summary.event_id,
            occurrence_id: Some(first.occurrence_id),
            occurrence_starts_at: Some(moved.starts_at),
            email: email.into(),
            name: "Cai".into(),
            language: Language::It,
            waitlist_position: None,
            cancel_url: None,
            quiet: true,
            age_band: None,
        },
        event: summary.clone(),
    };
    let (confirmed, cancelled, waiting) = (
        change("cai@example.org"),
        change("dan@example.org"),
        change("eva@example.org"),
    );
    for (status, change) in [
        ("confirmed", &confirmed),
        ("cancelled", &cancelled),
        ("waitlisted", &waiting),
    ] {
        let sent = send(
            &app,
            "scheduler",
            &RegistrationSnapshot {
                version: 1,
                status: status.into(),
                change: change.clone(),
            },
        )
        .await;
        handled(&app, sent).await;
    }

    // Booking's: an event's hold and an approved booking count, a request does not.
    let (hold, approved, requested) = (
        booking(Some(summary.event_id), first.starts_at),
        booking(None, now + day(3)),
        booking(None, now + day(4)),
    );
    for (status, booking) in [
        ("held", &hold),
        ("approved", &approved),
        ("requested", &requested),
    ] {
        let last = send(
            &app,
            "booking",
            &BookingSnapshot {
                version: 1,
                status: status.into(),
                booking: booking.clone(),
            },
        )
        .await;
        handled(&app, last).await;
    }
    let registrations = facts(&app, "registration").await;
    assert_eq!(registrations.len(), 2, "{registrations:?}");
    let live = |id: Uuid| {
        registrations
            .iter()
            .find(|f| f.subject_id == id)
            .map(|f| f.live)
    };
    assert_eq!(live(confirmed.registration.registration_id), Some(true));
    assert_eq!(live(cancelled.registration.registration_id), Some(false));
    assert_eq!(live(waiting.registration.registration_id), None);
    let used = facts(&app, "space_use").await;
    let find = |b: &BookingSummary| used.iter().find(|f| f.subject_id == b.booking_id);
    let held = find(&hold).expect("the event's hold counts");
    assert_eq!(held.source_id, Some(summary.event_id));
    assert_eq!(held.funding_line.as_deref(), Some("other"));
    assert!(find(&approved).is_some_and(|f| f.live));
    assert!(find(&requested).is_none(), "a request is not space used");
    app.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_count_what_stands_and_never_undo_a_later_change_on_the_embedded_default() {
    snapshots_count_what_stands_and_never_undo_a_later_change(TestApp::builder().spawn().await)
        .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshots_count_what_stands_and_never_undo_a_later_change_on_postgres_and_rabbitmq() {
    snapshots_count_what_stands_and_never_undo_a_later_change(
        TestApp::builder().postgres().rabbitmq().spawn().await,
    )
    .await;
}
