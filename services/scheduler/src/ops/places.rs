//! Places at events and pathways: registering (confirmed while there is room, then in the
//! waitlist in order), cancelling (the first in line is promoted), and when registrations close.
//! A programme taken as a whole (a pathway) is registered for as one: its `id` stands for the
//! event in `registration.*` messages. A weekly event is registered for by date: each of its
//! occurrences is a line of its own, with its own places and waitlist.

use crate::{
    config::Settings,
    db::{events, occurrences, programmes, registrations},
    domain::{EventStatus, RegistrationStatus, SCHEDULED},
    schedule::{Loaded, announce},
    state::AppState,
    views::{DatePlaces, PlacesView},
};
use chrono::{DateTime, Duration, Utc};
use piazza_shared::{
    bus::outbox::Outbox,
    contracts::{
        Language,
        event::{EventSummary, Occurrence},
        pathway::AgeBand,
        registration::{
            Registration, RegistrationCancelled, RegistrationChange, RegistrationConfirmed,
            RegistrationPromoted, RegistrationWaitlisted,
        },
    },
    http::ApiError,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, ExprTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, sea_query::Expr,
};
use uuid::Uuid;

/// The purpose cancel links are signed for.
pub const CANCEL_LINK: &str = "registration.cancel";

/// What people register for: an event, or a pathway as a whole.
#[derive(Debug, Clone)]
pub struct Line {
    /// The event's or the programme's id.
    pub id: Uuid,
    pub is_programme: bool,
    /// The one date this line is for, for an event registered for by date.
    pub occurrence: Option<Occurrence>,
    pub capacity: Option<i32>,
    pub waitlist: bool,
    /// When registrations close; `None` when nothing is left to attend.
    pub closes_at: Option<DateTime<Utc>>,
    /// When the last occurrence ends (cancel links last until then).
    pub ends_at: Option<DateTime<Utc>>,
    /// What the notifier is told it is.
    pub summary: EventSummary,
    /// Whether it takes registrations at all (published, not cancelled or completed).
    pub open: bool,
    /// Imported from another calendar: its organiser takes the registrations.
    pub imported: bool,
}

fn closes(
    first_upcoming: Option<DateTime<Utc>>,
    minutes: Option<i32>,
    settings: &Settings,
) -> Option<DateTime<Utc>> {
    let minutes = minutes
        .map(i64::from)
        .unwrap_or(i64::from(settings.scheduler.registration_closes_minutes));
    first_upcoming.map(|start| start - Duration::minutes(minutes))
}

/// Whether people register for one date of the event at a time (a weekly event does) rather
/// than for the event as a whole.
pub fn by_date(loaded: &Loaded) -> bool {
    loaded.event.recurrence.is_some()
}

/// The line for an event on its own, as a whole.
pub fn event_line(loaded: &Loaded, settings: &Settings, now: DateTime<Utc>) -> Line {
    let scheduled = || loaded.occurrences.iter().filter(|o| o.status == SCHEDULED);
    let next = scheduled().map(|o| o.starts_at).filter(|s| *s > now).min();
    Line {
        id: loaded.event.id,
        is_programme: false,
        occurrence: None,
        capacity: loaded.event.capacity,
        waitlist: loaded.event.waitlist,
        closes_at: closes(next, loaded.event.registration_closes_minutes, settings),
        ends_at: scheduled().map(|o| o.ends_at).max(),
        summary: announce::summary(&loaded.event, &loaded.occurrences, loaded.space.as_ref()),
        open: loaded.event.status == EventStatus::Published.as_str(),
        imported: loaded.event.source_feed_id.is_some(),
    }
}

/// The line for one date of an event registered for by date: it closes before that date.
pub fn occurrence_line(
    loaded: &Loaded,
    settings: &Settings,
    occurrence: &occurrences::Model,
) -> Line {
    let scheduled = occurrence.status == SCHEDULED;
    Line {
        id: loaded.event.id,
        is_programme: false,
        occurrence: Some(Occurrence {
            occurrence_id: occurrence.id,
            starts_at: occurrence.starts_at,
            ends_at: occurrence.ends_at,
        }),
        capacity: loaded.event.capacity,
        waitlist: loaded.event.waitlist,
        closes_at: closes(
            Some(occurrence.starts_at),
            loaded.event.registration_closes_minutes,
            settings,
        ),
        ends_at: Some(occurrence.ends_at),
        summary: announce::summary(&loaded.event, &loaded.occurrences, loaded.space.as_ref()),
        open: scheduled && loaded.event.status == EventStatus::Published.as_str(),
        imported: loaded.event.source_feed_id.is_some(),
    }
}

/// The line for a pathway: it closes before its first session.
pub async fn programme_line(
    conn: &impl ConnectionTrait,
    programme: &programmes::Model,
    settings: &Settings,
) -> Result<Line, DbErr> {
    let summary = announce::pathway_summary(conn, programme).await?;
    let first = summary.occurrences.iter().map(|o| o.starts_at).min();
    let last = summary.occurrences.iter().map(|o| o.ends_at).max();
    Ok(Line {
        id: programme.id,
        is_programme: true,
        occurrence: None,
        capacity: programme.capacity,
        waitlist: programme.waitlist,
        closes_at: closes(first, None, settings),
        ends_at: last,
        open: !summary.occurrences.is_empty(),
        imported: false,
        summary,
    })
}

/// Registrations of a line in a state, in waitlist order.
fn of_line(line: &Line) -> sea_orm::Select<registrations::Entity> {
    let query = registrations::Entity::find();
    let query = match (line.is_programme, &line.occurrence) {
        (true, _) => query.filter(registrations::Column::ProgrammeId.eq(line.id)),
        (false, Some(date)) => {
            query.filter(registrations::Column::OccurrenceId.eq(date.occurrence_id))
        }
        (false, None) => query
            .filter(registrations::Column::EventId.eq(line.id))
            .filter(registrations::Column::OccurrenceId.is_null()),
    };
    query
        .order_by_asc(registrations::Column::QueuedAt)
        .order_by_asc(registrations::Column::Id)
}

async fn count(
    conn: &impl ConnectionTrait,
    line: &Line,
    status: RegistrationStatus,
) -> Result<u32, DbErr> {
    let n = of_line(line)
        .filter(registrations::Column::Status.eq(status.as_str()))
        .count(conn)
        .await?;
    Ok(u32::try_from(n).unwrap_or(u32::MAX))
}

/// How full a line is.
pub async fn places(conn: &impl ConnectionTrait, line: &Line) -> Result<PlacesView, DbErr> {
    let confirmed = count(conn, line, RegistrationStatus::Confirmed).await?;
    let waitlisted = count(conn, line, RegistrationStatus::Waitlisted).await?;
    Ok(PlacesView {
        confirmed,
        waitlisted,
        left: line
            .capacity
            .map(|c| u32::try_from(c).unwrap_or(0).saturating_sub(confirmed)),
        closes_at: line.closes_at,
        programme_id: line.is_programme.then_some(line.id),
        dates: Vec::new(),
    })
}

/// The line people register on for this event: its pathway's, or its own.
pub async fn line_for_event(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    loaded: &Loaded,
) -> Result<Line, DbErr> {
    match announce::pathway_of(conn, &loaded.event).await? {
        Some(programme) => programme_line(conn, &programme, settings).await,
        None => Ok(event_line(loaded, settings, piazza_shared::clock::now())),
    }
}

/// Every line people register on for this event: its pathway's, one per date when it is
/// registered for by date, or its own.
pub async fn lines_for_event(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    loaded: &Loaded,
) -> Result<Vec<Line>, DbErr> {
    if announce::pathway_of(conn, &loaded.event).await?.is_none() && by_date(loaded) {
        return Ok(loaded
            .occurrences
            .iter()
            .map(|o| occurrence_line(loaded, settings, o))
            .collect());
    }
    Ok(vec![line_for_event(conn, settings, loaded).await?])
}

/// How full an event (or its pathway) is, for the event's page; by date for a weekly event.
pub async fn summary_for_event(
    conn: &impl ConnectionTrait,
    settings: &Settings,
    loaded: &Loaded,
) -> Result<PlacesView, ApiError> {
    let lines = lines_for_event(conn, settings, loaded).await?;
    match lines.as_slice() {
        [line] if line.occurrence.is_none() => Ok(places(conn, line).await?),
        _ => Ok(by_dates(conn, loaded.event.id, &lines).await?),
    }
}

/// The places at each date to come of an event registered for by date, counted in one query;
/// the summary's own figures are those of the first date still taking registrations.
async fn by_dates(
    conn: &impl ConnectionTrait,
    event_id: Uuid,
    lines: &[Line],
) -> Result<PlacesView, DbErr> {
    let counted: Vec<(Option<Uuid>, String, i64)> = registrations::Entity::find()
        .select_only()
        .column(registrations::Column::OccurrenceId)
        .column(registrations::Column::Status)
        .column_as(Expr::col(registrations::Column::Id).count(), "n")
        .filter(registrations::Column::EventId.eq(event_id))
        .filter(registrations::Column::OccurrenceId.is_not_null())
        .group_by(registrations::Column::OccurrenceId)
        .group_by(registrations::Column::Status)
        .into_tuple()
        .all(conn)
        .await?;
    let of = |occurrence: Uuid, status: RegistrationStatus| {
        counted
            .iter()
            .find(|(o, s, _)| *o == Some(occurrence) && s == status.as_str())
            .map_or(0, |(_, _, n)| u32::try_from(*n).unwrap_or(u32::MAX))
    };
    let now = piazza_shared::clock::now();
    let dates: Vec<DatePlaces> = lines
        .iter()
        .filter(|line| line.open && line.ends_at.is_some_and(|end| end > now))
        .filter_map(|line| {
            let date = line.occurrence.as_ref()?;
            let confirmed = of(date.occurrence_id, RegistrationStatus::Confirmed);
            Some(DatePlaces {
                occurrence_id: date.occurrence_id,
                starts_at: date.starts_at,
                ends_at: date.ends_at,
                confirmed,
                waitlisted: of(date.occurrence_id, RegistrationStatus::Waitlisted),
                left: line
                    .capacity
                    .map(|c| u32::try_from(c).unwrap_or(0).saturating_sub(confirmed)),
                closes_at: line.closes_at,
            })
        })
        .collect();
    let next = dates
        .iter()
        .find(|d| d.closes_at.is_some_and(|at| at > now))
        .or(dates.first());
    Ok(PlacesView {
        confirmed: next.map_or(0, |d| d.confirmed),
        waitlisted: next.map_or(0, |d| d.waitlisted),
        left: next.and_then(|d| d.left),
        closes_at: next.and_then(|d| d.closes_at),
        programme_id: None,
        dates,
    })
}

/// The signed page where the person can cancel, valid until the line's last occurrence ends
/// (and at least `auth.link_ttl_days`).
pub fn cancel_url(state: &AppState, registration_id: Uuid, line: &Line) -> String {
    let now = piazza_shared::clock::now();
    let ttl = now + Duration::days(i64::from(state.settings.auth.link_ttl_days));
    let expires = line
        .ends_at
        .map(|end| end + Duration::days(1))
        .filter(|end| *end > ttl)
        .unwrap_or(ttl);
    let token = state
        .keys
        .sign(CANCEL_LINK, &registration_id.to_string(), expires);
    let mut url = state.settings.public_url();
    url.set_path(&format!("/registrations/{registration_id}/cancel"));
    url.query_pairs_mut().append_pair("token", &token);
    url.to_string()
}

/// The waitlist position of a waitlisted registration (1 is next).
async fn position(
    conn: &impl ConnectionTrait,
    line: &Line,
    row: &registrations::Model,
) -> Result<Option<u32>, DbErr> {
    if row.status != RegistrationStatus::Waitlisted.as_str() {
        return Ok(None);
    }
    let ahead = of_line(line)
        .filter(registrations::Column::Status.eq(RegistrationStatus::Waitlisted.as_str()))
        .all(conn)
        .await?
        .iter()
        .take_while(|r| r.id != row.id)
        .count();
    Ok(Some(u32::try_from(ahead + 1).unwrap_or(u32::MAX)))
}

/// The message form of a registration.
pub async fn change(
    state: &AppState,
    conn: &impl ConnectionTrait,
    line: &Line,
    row: &registrations::Model,
) -> Result<RegistrationChange, DbErr> {
    Ok(RegistrationChange {
        version: 1,
        registration: Registration {
            registration_id: row.id,
            event_id: line.id,
            occurrence_id: line.occurrence.as_ref().map(|o| o.occurrence_id),
            occurrence_starts_at: line.occurrence.as_ref().map(|o| o.starts_at),
            email: row.email.clone(),
            name: row.name.clone(),
            language: Language::parse(&row.language).unwrap_or_default(),
            waitlist_position: position(conn, line, row).await?,
            cancel_url: (row.status != RegistrationStatus::Cancelled.as_str())
                .then(|| cancel_url(state, row.id, line)),
            quiet: false,
            age_band: row.age_band.as_deref().and_then(AgeBand::parse),
        },
        event: line.summary.clone(),
    })
}

/// What happened to a registration, for the bus.
#[derive(Debug, Clone, Copy)]
pub enum Told {
    Confirmed,
    Waitlisted,
    Promoted,
    Cancelled,
}

pub async fn tell(
    state: &AppState,
    conn: &impl ConnectionTrait,
    outbox: &Outbox,
    line: &Line,
    row: &registrations::Model,
    what: Told,
) -> Result<(), DbErr> {
    tell_as(state, conn, outbox, line, row, what, false).await
}

/// [`tell`], `quiet` when the notifier must keep the registration but email nothing (the same
/// confirmation went out within the public forms' repeat window).
pub async fn tell_as(
    state: &AppState,
    conn: &impl ConnectionTrait,
    outbox: &Outbox,
    line: &Line,
    row: &registrations::Model,
    what: Told,
    quiet: bool,
) -> Result<(), DbErr> {
    let mut change = change(state, conn, line, row).await?;
    change.registration.quiet = quiet;
    let key = Some(row.id.to_string());
    match what {
        Told::Confirmed => {
            outbox
                .add(conn, &RegistrationConfirmed(change), key)
                .await?
        }
        Told::Waitlisted => {
            outbox
                .add(conn, &RegistrationWaitlisted(change), key)
                .await?
        }
        Told::Promoted => outbox.add(conn, &RegistrationPromoted(change), key).await?,
        Told::Cancelled => {
            outbox
                .add(conn, &RegistrationCancelled(change), key)
                .await?
        }
    };
    Ok(())
}

/// Gives free places to the first in line, in order, as long as there is room. Returns how many
/// were promoted.
pub async fn promote(
    state: &AppState,
    conn: &impl ConnectionTrait,
    line: &Line,
) -> Result<u32, DbErr> {
    let mut waiting = of_line(line)
        .filter(registrations::Column::Status.eq(RegistrationStatus::Waitlisted.as_str()));
    // Without a capacity everyone waiting gets in: no limit at all (a limit of u64::MAX does
    // not fit PostgreSQL's bigint, and its binder panics on it).
    if let Some(capacity) = line.capacity {
        let confirmed = count(conn, line, RegistrationStatus::Confirmed).await?;
        let room = u32::try_from(capacity)
            .unwrap_or(0)
            .saturating_sub(confirmed);
        if room == 0 {
            return Ok(0);
        }
        waiting = waiting.limit(u64::from(room));
    }
    let next = waiting.all(conn).await?;
    let now = piazza_shared::clock::now();
    for mut row in next.iter().cloned() {
        row.status = RegistrationStatus::Confirmed.as_str().into();
        row.confirmed_at = Some(now);
        save(conn, &row).await?;
        tell(state, conn, &state.outbox, line, &row, Told::Promoted).await?;
        tracing::info!(registration_id = %row.id, line = %line.id, "promoted from the waitlist");
    }
    Ok(u32::try_from(next.len()).unwrap_or(u32::MAX))
}

/// After an event's capacity or waitlist changed: fill the room there is now.
pub async fn refill_event(
    state: &AppState,
    conn: &impl ConnectionTrait,
    loaded: &Loaded,
) -> Result<(), DbErr> {
    if announce::pathway_of(conn, &loaded.event).await?.is_some() {
        return Ok(());
    }
    let now = piazza_shared::clock::now();
    if by_date(loaded) {
        for occurrence in loaded.occurrences.iter().filter(|o| o.ends_at > now) {
            let line = occurrence_line(loaded, &state.settings, occurrence);
            promote(state, conn, &line).await?;
        }
        return Ok(());
    }
    let line = event_line(loaded, &state.settings, now);
    promote(state, conn, &line).await.map(|_| ())
}

pub async fn save(conn: &impl ConnectionTrait, row: &registrations::Model) -> Result<(), DbErr> {
    use sea_orm::ActiveModelTrait;
    registrations::ActiveModel::from(row.clone())
        .reset_all()
        .update(conn)
        .await
        .map(|_| ())
}

/// The live registration of `email_key` on a line, if any.
pub async fn existing(
    conn: &impl ConnectionTrait,
    line: &Line,
    email_key: &str,
) -> Result<Option<registrations::Model>, DbErr> {
    of_line(line)
        .filter(registrations::Column::EmailKey.eq(email_key))
        .filter(registrations::Column::Status.ne(RegistrationStatus::Cancelled.as_str()))
        .one(conn)
        .await
}

/// Locks what a registration counts against, so two registrations for the last place take turns
/// (PostgreSQL; SQLite's write transactions are serialised anyway).
pub async fn lock_line(conn: &impl ConnectionTrait, line: &Line) -> Result<(), DbErr> {
    if line.is_programme {
        programmes::Entity::find_by_id(line.id)
            .lock_exclusive()
            .one(conn)
            .await?;
    } else {
        events::Entity::find_by_id(line.id)
            .lock_exclusive()
            .one(conn)
            .await?;
    }
    Ok(())
}

/// Every registration on a line, in waitlist order.
pub async fn all(
    conn: &impl ConnectionTrait,
    line: &Line,
) -> Result<Vec<registrations::Model>, DbErr> {
    of_line(line).all(conn).await
}
