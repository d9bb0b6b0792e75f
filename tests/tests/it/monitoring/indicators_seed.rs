//! A season of activity for the indicators' tests, published on the bus as hand-built messages
//! (as booking and the scheduler would send them), with dates relative to the tests' clock: a
//! first day two weeks ahead and a second day twenty days into the next quarter. The figures
//! each indicator must show are computed by hand below ([`Season::expected`]).

use chrono::{DateTime, Datelike, Duration, Months, NaiveDate, Utc};
use piazza_e2e::{app::TestApp, clock};
use piazza_shared::{
    Message,
    contracts::{
        Language,
        booking::{BookedDate, BookingApproved, BookingSummary},
        event::{EventPublished, EventSummary, Occurrence},
        funding::FundingLine,
        idea::{IdeaReceived, IdeaTakenUp},
        pathway::{AgeBand, PathwayCompleted, PathwayEnrolled, PathwaySessionAttended},
        registration::{
            Registration, RegistrationChange, RegistrationConfirmed, RegistrationWaitlisted,
        },
        season::SeasonChanged,
        table::TableMeetingHeld,
    },
};
use std::collections::BTreeMap;
use uuid::Uuid;

/// The seeded season: its days, periods and range.
pub struct Season {
    pub id: Uuid,
    pub name: String,
    /// The two quarters' keys (`2026-Q4`…), computed from the days.
    pub q1: String,
    pub q2: String,
    /// The range asked for: the first quarter's first day to the second's last.
    pub from: NaiveDate,
    pub to: NaiveDate,
}

fn quarter_start(day: NaiveDate) -> NaiveDate {
    NaiveDate::from_ymd_opt(day.year(), day.month0() / 3 * 3 + 1, 1).unwrap()
}

fn quarter_key(day: NaiveDate) -> String {
    format!("{}-Q{}", day.year(), day.month0() / 3 + 1)
}

/// `day` at `time` in Rome.
fn at(day: NaiveDate, time: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(&clock::rome(day, time))
        .unwrap()
        .with_timezone(&Utc)
}

/// Publishes `message` as `service` would (from its outbox; see [`super::send`]).
async fn send<M: Message>(app: &TestApp, service: &'static str, message: &M) {
    super::send(app, service, message).await;
}

fn booking(space: Uuid, line: FundingLine, dates: &[(NaiveDate, &str, &str)]) -> BookingApproved {
    let dates: Vec<BookedDate> = dates
        .iter()
        .map(|(day, from, to)| BookedDate {
            booking_id: Uuid::new_v4(),
            starts_at: at(*day, from),
            ends_at: at(*day, to),
        })
        .collect();
    BookingApproved {
        version: 1,
        booking: BookingSummary {
            booking_id: dates[0].booking_id,
            series_id: (dates.len() > 1).then(Uuid::new_v4),
            space_id: space,
            title: "Prove".into(),
            starts_at: dates[0].starts_at,
            ends_at: dates[0].ends_at,
            occurrences: dates.len() as u32,
            organisation: Some("Arci Cremona".into()),
            contact_email: Some("ops@arci.test".into()),
            event_id: None,
            organisation_id: None,
            dates,
            uses_booking_id: None,
            funding_line: Some(line),
        },
    }
}

fn registration(
    event: &EventSummary,
    occurrence: &Occurrence,
    email: &str,
    band: AgeBand,
) -> RegistrationChange {
    RegistrationChange {
        version: 1,
        registration: Registration {
            registration_id: Uuid::new_v4(),
            event_id: event.event_id,
            occurrence_id: Some(occurrence.occurrence_id),
            occurrence_starts_at: Some(occurrence.starts_at),
            email: email.into(),
            name: "Persona".into(),
            language: Language::It,
            waitlist_position: None,
            cancel_url: None,
            quiet: false,
            age_band: Some(band),
        },
        event: event.clone(),
    }
}

/// Publishes the season's messages; returns its days and periods.
pub async fn seed(app: &TestApp) -> Season {
    let first = clock::day_ahead();
    let next_quarter = quarter_start(first)
        .checked_add_months(Months::new(3))
        .unwrap();
    let second = next_quarter + Duration::days(20);
    let season = Season {
        id: Uuid::new_v4(),
        name: "Stagione di prova".into(),
        q1: quarter_key(first),
        q2: quarter_key(second),
        from: quarter_start(first),
        to: next_quarter.checked_add_months(Months::new(3)).unwrap() - Duration::days(1),
    };
    send(
        app,
        "scheduler",
        &SeasonChanged {
            version: 1,
            season_id: season.id,
            name: season.name.clone(),
            starts_on: first - Duration::days(7),
            ends_on: second + Duration::days(7),
            status: "published".into(),
        },
    )
    .await;
    // Space use: A (ERDF) 3 h + 2 h, B (ESF+) 1 h, C (other) 2 h.
    let (a, b, c) = (Uuid::new_v4(), Uuid::new_v4(), Uuid::new_v4());
    for approved in [
        booking(
            a,
            FundingLine::Fesr,
            &[(first, "18:00", "21:00"), (second, "18:00", "20:00")],
        ),
        booking(b, FundingLine::FsePlus, &[(first, "10:00", "11:00")]),
        booking(c, FundingLine::Other, &[(second, "10:00", "12:00")]),
    ] {
        send(app, "booking", &approved).await;
    }
    // One ERDF event of the season on both days: 2 h, then 1.5 h.
    let occurrences = vec![
        Occurrence {
            occurrence_id: Uuid::new_v4(),
            starts_at: at(first, "21:00"),
            ends_at: at(first, "23:00"),
        },
        Occurrence {
            occurrence_id: Uuid::new_v4(),
            starts_at: at(second, "21:00"),
            ends_at: at(second, "22:30"),
        },
    ];
    let event = EventSummary {
        event_id: Uuid::new_v4(),
        title: "Concerto".into(),
        description: String::new(),
        categories: vec![piazza_shared::contracts::Category::Music],
        age_min: None,
        age_max: None,
        time_zone: "Europe/Rome".into(),
        occurrences: occurrences.clone(),
        place: None,
        capacity: Some(100),
        funding_line: Some(FundingLine::Fesr),
        season_id: Some(season.id),
    };
    send(
        app,
        "scheduler",
        &EventPublished {
            version: 1,
            event: event.clone(),
        },
    )
    .await;
    // Registrations: six people on the first day (five aged 18–24, one 14–17), and on the
    // second day the first of them again and a seventh (14–17); one more waits on the list.
    for i in 1..=6 {
        let band = if i <= 5 {
            AgeBand::From18To24
        } else {
            AgeBand::From14To17
        };
        let change = registration(&event, &occurrences[0], &format!("P{i}@Example.org "), band);
        send(app, "scheduler", &RegistrationConfirmed(change)).await;
    }
    for (email, band) in [
        ("p1@example.org", AgeBand::From18To24),
        ("p7@example.org", AgeBand::From14To17),
    ] {
        let change = registration(&event, &occurrences[1], email, band);
        send(app, "scheduler", &RegistrationConfirmed(change)).await;
    }
    let mut waiting = registration(
        &event,
        &occurrences[0],
        "p8@example.org",
        AgeBand::From14To17,
    );
    waiting.registration.waitlist_position = Some(1);
    send(app, "scheduler", &RegistrationWaitlisted(waiting)).await;
    // Pathways: six enrolled on the first day; five completed on the second.
    let pathway = Uuid::new_v4();
    let mut enrolments = Vec::new();
    for _ in 0..6 {
        let enrolment = Uuid::new_v4();
        enrolments.push(enrolment);
        send(
            app,
            "scheduler",
            &PathwayEnrolled {
                version: 1,
                pathway_id: pathway,
                enrolment_id: enrolment,
                age_band: AgeBand::From14To17,
                funding_line: FundingLine::FsePlus,
                organisation_id: Uuid::new_v4(),
                enrolled_at: at(first, "09:00"),
            },
        )
        .await;
    }
    send(
        app,
        "scheduler",
        &PathwaySessionAttended {
            version: 1,
            pathway_id: pathway,
            session_id: Uuid::new_v4(),
            starts_at: at(first, "15:00"),
            ends_at: at(first, "17:00"),
            funding_line: FundingLine::FsePlus,
            enrolled: 6,
            present: 5,
            present_by_age_band: BTreeMap::from([(AgeBand::From14To17, 5)]),
        },
    )
    .await;
    for enrolment in &enrolments[..5] {
        send(
            app,
            "scheduler",
            &PathwayCompleted {
                version: 1,
                pathway_id: pathway,
                enrolment_id: *enrolment,
                age_band: AgeBand::From14To17,
                funding_line: FundingLine::FsePlus,
                completed_at: at(second, "12:00"),
            },
        )
        .await;
    }
    // Co-design: a meeting of 4 on the first day, one of 7 on the second.
    let table = Uuid::new_v4();
    for (day, attendance) in [(first, 4), (second, 7)] {
        send(
            app,
            "scheduler",
            &TableMeetingHeld {
                version: 1,
                meeting_id: Uuid::new_v4(),
                table_id: table,
                table_kind: "codesign".into(),
                funding_line: Some(FundingLine::Fesr),
                space_id: Some(a),
                starts_at: at(day, "17:00"),
                ends_at: at(day, "19:00"),
                attendance,
                youth_representatives: 2,
                decisions: 1,
            },
        )
        .await;
    }
    // Ideas: two received on the first day, one on the second, which is taken up.
    let call = Uuid::new_v4();
    for day in [first, first, second] {
        let idea = Uuid::new_v4();
        send(
            app,
            "scheduler",
            &IdeaReceived {
                version: 1,
                idea_id: idea,
                call_id: call,
                season_id: season.id,
                age_band: Some("18_24".into()),
                informal_group: true,
                received_at: at(day, "11:00"),
            },
        )
        .await;
        if day == second {
            send(
                app,
                "scheduler",
                &IdeaTakenUp {
                    version: 1,
                    idea_id: idea,
                    call_id: call,
                    season_id: season.id,
                    proposal_id: Uuid::new_v4(),
                    age_band: Some("18_24".into()),
                    taken_up_at: at(day, "16:00"),
                },
            )
            .await;
        }
    }
    season
}

impl Season {
    /// What each default indicator shows: (code, first quarter, second quarter, the season).
    pub fn expected() -> Vec<(&'static str, &'static str, &'static str, &'static str)> {
        vec![
            ("spaces_reactivated", "2", "2", "3"),
            ("space_hours", "4.00", "4.00", "8.00"),
            ("events_held", "1", "1", "2"),
            ("participants", "6", "<5", "8"),
            ("young_people_reached", "6", "<5", "7"),
            ("pathway_participants", "6", "<5", "6"),
            ("pathway_completions", "<5", "5", "5"),
            ("codesign_meetings", "1", "1", "2"),
            ("codesign_participants", "<5", "7", "11"),
            ("ideas_received", "2", "1", "3"),
            ("ideas_taken_up", "0", "1", "1"),
        ]
    }

    /// The space-hour shares per line, in percent: (line, first quarter, second, season).
    pub fn expected_space_shares() -> Vec<(&'static str, f64, f64, f64)> {
        vec![
            ("fesr", 75.0, 50.0, 62.5),
            ("fse_plus", 25.0, 0.0, 12.5),
            ("other", 0.0, 50.0, 25.0),
        ]
    }
}
