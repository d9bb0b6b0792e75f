//! Seasons: the list with the form that opens one, the form that renames or re-dates one (the
//! same ops as `POST /api/v1/seasons` and `PATCH /api/v1/seasons/{id}`), the season planner —
//! each season's events space by space in time order, with clashes (same audience or same
//! operator at the same time, from the clash view) and events still needing a space
//! highlighted, on a grid of the season's weeks by space, beside the operators' requested and
//! approved bookings (from the scheduler's read model of booking's messages, so the planner
//! works while booking is down), where an event meets a booking marked; cancelled events, dates
//! and bookings are left out — and the season's publication.

use super::say;
use super::state::PageState;
use crate::{
    db::{booked, events, spaces},
    ops::{
        clashes,
        seasons::{self, NewSeason, SeasonPatch},
    },
};
use axum::{extract::State, http::StatusCode, response::Response};
use chrono::{Datelike, NaiveDate, Timelike};
use minijinja::context;
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Path},
    time::parse_zone,
    web::{AdminOnly, CsrfForm, PageCtx, SignedIn, page::see_other, words},
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

pub async fn list(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    list_page(
        &state,
        &ctx,
        StatusCode::OK,
        BTreeMap::new(),
        BTreeMap::new(),
    )
    .await
}

async fn list_page(
    state: &PageState,
    ctx: &PageCtx,
    status: StatusCode,
    v: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
) -> Response {
    match seasons::list(&state.app).await {
        Ok(list) => {
            let rows: Vec<_> = list
                .iter()
                .map(|s| {
                    let code = s.status.as_str();
                    context! {
                        id => s.id.to_string(),
                        name => &s.name,
                        from => words::date(s.starts_on, ctx.lang),
                        to => words::date(s.ends_on, ctx.lang),
                        status => code,
                        status_text => words::planning_status(code, ctx.lang),
                    }
                })
                .collect();
            ctx.render_status(
                &state.templates,
                status,
                "seasons.html",
                context! { seasons => rows, v => v, errors => errors, done => ctx.param("done") },
            )
        }
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

/// `POST /admin/seasons`: opens a season for planning.
pub async fn create(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let body = NewSeason {
        name: form.get("name").to_string(),
        description: form.get("description").to_string(),
        starts_on: form.get("starts_on").to_string(),
        ends_on: form.get("ends_on").to_string(),
    };
    match seasons::create(&state.app, &caller, body).await {
        Ok(season) => see_other(&format!("/admin/seasons/{}?done=created", season.id)),
        Err(error) => match say::refused(error, ctx.lang, str::to_string) {
            say::Refused::Fields(errors) => {
                list_page(
                    &state,
                    &ctx,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    form.to_map(),
                    errors,
                )
                .await
            }
            say::Refused::Other(error) => ctx.api_error(&state.templates, error),
        },
    }
}

async fn edit_page(
    state: &PageState,
    ctx: &PageCtx,
    caller: &Caller,
    id: Uuid,
    status: StatusCode,
    v: Option<BTreeMap<String, String>>,
    errors: BTreeMap<String, String>,
) -> Response {
    let season = match seasons::get(&state.app, Some(caller), id).await {
        Ok(season) => season,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let v = v.unwrap_or_else(|| {
        BTreeMap::from([
            ("name".to_string(), season.name.clone()),
            ("description".to_string(), season.description.clone()),
            ("starts_on".to_string(), season.starts_on.to_string()),
            ("ends_on".to_string(), season.ends_on.to_string()),
        ])
    });
    ctx.render_status(
        &state.templates,
        status,
        "season_edit.html",
        context! { season => context! { id => id.to_string(), name => season.name }, v => v, errors => errors },
    )
}

/// `GET /admin/seasons/{id}/edit`.
pub async fn edit_form(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    edit_page(
        &state,
        &ctx,
        &caller,
        id,
        StatusCode::OK,
        None,
        BTreeMap::new(),
    )
    .await
}

/// `POST /admin/seasons/{id}/edit`: renames or re-dates the season.
pub async fn edit(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let body = SeasonPatch {
        name: Some(form.get("name").to_string()),
        description: Some(form.get("description").to_string()),
        starts_on: Some(form.get("starts_on").to_string()),
        ends_on: Some(form.get("ends_on").to_string()),
    };
    match seasons::patch(&state.app, &caller, id, body).await {
        Ok(_) => see_other(&format!("/admin/seasons/{id}?done=saved")),
        Err(error) => match say::refused(error, ctx.lang, str::to_string) {
            say::Refused::Fields(errors) => {
                edit_page(
                    &state,
                    &ctx,
                    &caller,
                    id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(form.to_map()),
                    errors,
                )
                .await
            }
            say::Refused::Other(error) => ctx.api_error(&state.templates, error),
        },
    }
}

pub async fn planner(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    match plan(&state, &ctx, caller, id).await {
        Ok(page) => ctx.render(&state.templates, "planner.html", page),
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

/// Monday of the week `day` is in.
fn monday(day: NaiveDate) -> NaiveDate {
    day - chrono::Duration::days(i64::from(day.weekday().num_days_from_monday()))
}

/// "Tue 7, 21:00–23:00" in `zone`.
fn when(
    starts_at: chrono::DateTime<chrono::Utc>,
    ends_at: chrono::DateTime<chrono::Utc>,
    zone: chrono_tz::Tz,
    lang: piazza_shared::web::Lang,
) -> String {
    let local = starts_at.with_timezone(&zone);
    let end = ends_at.with_timezone(&zone);
    format!(
        "{} {}, {:02}:{:02}–{:02}:{:02}",
        words::weekday_name(local.date_naive(), lang),
        local.day(),
        local.hour(),
        local.minute(),
        end.hour(),
        end.minute()
    )
}

/// What the planner notes on events and bookings where they meet, in words.
#[derive(Default)]
struct Meetings {
    /// Per event, the bookings it clashes with or takes place in.
    events: HashMap<Uuid, Vec<String>>,
    /// Per booking, the events it clashes with or hosts.
    bookings: HashMap<Uuid, Vec<String>>,
    /// Bookings clashing with an event.
    clashing: std::collections::HashSet<Uuid>,
    /// Events clashing with a booking.
    events_clashing: std::collections::HashSet<Uuid>,
}

fn meetings(
    ctx: &PageCtx,
    events: &[events::Model],
    occurrences: &[crate::db::occurrences::Model],
    bookings: &[booked::Model],
) -> Meetings {
    let titles: HashMap<Uuid, &str> = events.iter().map(|e| (e.id, e.title.as_str())).collect();
    let booked: HashMap<Uuid, &booked::Model> = bookings.iter().map(|b| (b.id, b)).collect();
    let mut said = Meetings::default();
    for (event_id, booking_id, how) in clashes::meetings(events, occurrences, bookings) {
        let (Some(title), Some(booking)) = (titles.get(&event_id), booked.get(&booking_id)) else {
            continue;
        };
        let who = booking.organisation_name.as_deref().unwrap_or_default();
        let (on_event, on_booking) = match how {
            clashes::Meeting::Clash => {
                said.clashing.insert(booking_id);
                said.events_clashing.insert(event_id);
                (
                    format!(
                        "{} {who}: {}",
                        ctx.t("spazio prenotato da", "space booked by"),
                        booking.title
                    ),
                    format!("{}: {title}", ctx.t("si sovrappone a", "overlaps")),
                )
            }
            clashes::Meeting::Inside => (
                format!(
                    "{}: {}",
                    ctx.t(
                        "nella prenotazione dell'operatore",
                        "in the operator's booking"
                    ),
                    booking.title
                ),
                format!("{}: {title}", ctx.t("ospita l'evento", "hosts the event")),
            ),
        };
        said.events.entry(event_id).or_default().push(on_event);
        said.bookings
            .entry(booking_id)
            .or_default()
            .push(on_booking);
    }
    said
}

async fn plan(
    state: &PageState,
    ctx: &PageCtx,
    caller: piazza_shared::auth::Caller,
    id: Uuid,
) -> Result<minijinja::Value, ApiError> {
    let clashes::Plan {
        season,
        events,
        occurrences,
        bookings,
        spaces,
        clashes: clash_view,
    } = clashes::plan(&state.app, &caller, id).await?;
    let places: HashMap<Uuid, &spaces::Model> = spaces.iter().map(|s| (s.id, s)).collect();
    let by_id: HashMap<Uuid, &events::Model> = events.iter().map(|e| (e.id, e)).collect();
    let zone_of = |space: Uuid| {
        places
            .get(&space)
            .and_then(|s| parse_zone(&s.time_zone).ok())
            .unwrap_or(state.app.settings.time_zone)
    };
    // The operators' bookings of the season's dates, in spaces the scheduler knows.
    let bookings: Vec<booked::Model> = bookings
        .into_iter()
        .filter(|b| {
            let day = b.starts_at.with_timezone(&zone_of(b.space_id)).date_naive();
            places.contains_key(&b.space_id) && season.starts_on <= day && day <= season.ends_on
        })
        .collect();
    let met = meetings(ctx, &events, &occurrences, &bookings);
    // Why each event is highlighted: its clashes with others, in words.
    let mut notes: HashMap<Uuid, Vec<String>> = HashMap::new();
    for clash in &clash_view.clashes {
        let why = match clash.kind {
            clashes::ClashKind::Audience => ctx.t("stesso pubblico", "same audience"),
            clashes::ClashKind::Operator => ctx.t("stesso operatore", "same operator"),
        };
        let [a, b] = &clash.events;
        notes
            .entry(a.id)
            .or_default()
            .push(format!("{why}: {}", b.title));
        notes
            .entry(b.id)
            .or_default()
            .push(format!("{why}: {}", a.title));
    }
    let needs: HashMap<Uuid, Option<String>> = clash_view
        .needs_space
        .iter()
        .map(|w| (w.event.id, w.reason.clone()))
        .collect();
    // Columns: the spaces the season's events or bookings use, by name, then the events without
    // one.
    let mut columns: Vec<(Option<Uuid>, String)> = spaces
        .iter()
        .filter(|s| {
            events.iter().any(|e| e.space_id == Some(s.id))
                || bookings.iter().any(|b| b.space_id == s.id)
        })
        .map(|s| (Some(s.id), format!("{} — {}", s.name, s.building)))
        .collect();
    if events
        .iter()
        .any(|e| e.space_id.is_none_or(|s| !places.contains_key(&s)))
    {
        columns.push((None, ctx.t("Senza spazio", "No space").to_string()));
    }
    // Rows: every week of the season.
    let mut weeks: BTreeMap<NaiveDate, Vec<Vec<minijinja::Value>>> = BTreeMap::new();
    let mut week = monday(season.starts_on);
    while week <= season.ends_on {
        weeks.insert(week, vec![Vec::new(); columns.len()]);
        week += chrono::Duration::days(7);
    }
    // Each cell in time order: events and bookings as they come.
    let mut placed: Vec<(
        NaiveDate,
        usize,
        chrono::DateTime<chrono::Utc>,
        minijinja::Value,
    )> = Vec::new();
    for o in &occurrences {
        let Some(event) = by_id.get(&o.event_id) else {
            continue;
        };
        let zone = parse_zone(&event.time_zone).unwrap_or(state.app.settings.time_zone);
        let local = o.starts_at.with_timezone(&zone);
        let space = event.space_id.filter(|s| places.contains_key(s));
        let Some(column) = columns.iter().position(|(c, _)| *c == space) else {
            continue;
        };
        let mut event_notes = notes.get(&event.id).cloned().unwrap_or_default();
        event_notes.extend(met.events.get(&event.id).cloned().unwrap_or_default());
        placed.push((
            monday(local.date_naive()),
            column,
            o.starts_at,
            context! {
                kind => "event",
                event_id => event.id.to_string(),
                title => &event.title,
                when => when(o.starts_at, o.ends_at, zone, ctx.lang),
                status => &event.status,
                status_text => words::status(&event.status, ctx.lang),
                clashes => event_notes,
                clash => notes.contains_key(&event.id) || met.events_clashing.contains(&event.id),
                needs_space => needs.contains_key(&event.id),
                needs_reason => needs.get(&event.id).cloned().flatten(),
            },
        ));
    }
    for b in &bookings {
        let zone = zone_of(b.space_id);
        let Some(column) = columns.iter().position(|(c, _)| *c == Some(b.space_id)) else {
            continue;
        };
        placed.push((
            monday(b.starts_at.with_timezone(&zone).date_naive()),
            column,
            b.starts_at,
            context! {
                kind => "booking",
                booking_id => b.id.to_string(),
                title => &b.title,
                organisation => &b.organisation_name,
                when => when(b.starts_at, b.ends_at, zone, ctx.lang),
                status => &b.status,
                status_text => words::status(&b.status, ctx.lang),
                clashes => met.bookings.get(&b.id).cloned().unwrap_or_default(),
                clash => met.clashing.contains(&b.id),
            },
        ));
    }
    placed.sort_by_key(|(week, column, at, _)| (*week, *column, *at));
    for (week, column, _, item) in placed {
        weeks
            .entry(week)
            .or_insert_with(|| vec![Vec::new(); columns.len()])[column]
            .push(item);
    }
    let rows: Vec<_> = weeks
        .into_iter()
        .map(|(monday, cells)| {
            context! {
                week => format!(
                    "{} {} {}",
                    ctx.t("settimana del", "week of"),
                    monday.day(),
                    words::month_name(monday.month(), ctx.lang)
                ),
                cells => cells,
            }
        })
        .collect();
    let status = season.status.clone();
    let clash_count = u64::try_from(clash_view.clashes.len()).unwrap_or(0);
    let needs_count = u64::try_from(clash_view.needs_space.len()).unwrap_or(0);
    let booking_clashes = u64::try_from(met.clashing.len()).unwrap_or(0);
    let mut summary = format!(
        "{} · {}",
        words::count(
            clash_count,
            ("sovrapposizione", "sovrapposizioni"),
            ("clash", "clashes"),
            ctx.lang
        ),
        words::count(
            needs_count,
            ("evento senza spazio", "eventi senza spazio"),
            ("event without a space", "events without a space"),
            ctx.lang
        ),
    );
    if booking_clashes > 0 {
        summary.push_str(" · ");
        summary.push_str(&words::count(
            booking_clashes,
            (
                "prenotazione sovrapposta a un evento",
                "prenotazioni sovrapposte a eventi",
            ),
            (
                "booking overlapping an event",
                "bookings overlapping events",
            ),
            ctx.lang,
        ));
    }
    Ok(context! {
        season => context! {
            id => season.id.to_string(),
            name => season.name,
            from => words::date(season.starts_on, ctx.lang),
            to => words::date(season.ends_on, ctx.lang),
            status => &status,
            status_text => words::planning_status(&status, ctx.lang),
        },
        columns => columns.iter().map(|(_, name)| name.clone()).collect::<Vec<_>>(),
        weeks => rows,
        event_count => events.len(),
        booking_count => bookings.len(),
        summary => summary,
        troubled => clash_count + needs_count + booking_clashes > 0,
        done => ctx.param("done"),
        failed => ctx.param("failed"),
    })
}

pub async fn publish(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    match seasons::publish(&state.app, &caller, id).await {
        Ok(_) => see_other(&format!("/admin/seasons/{id}?done=published")),
        Err(crate::error::SchedulerError::Api(error)) => ctx.api_error(&state.templates, error),
        Err(refusal) => {
            let mut query = form_urlencoded::Serializer::new(String::new());
            query.append_pair("failed", &say::refusal(&refusal, ctx.lang));
            see_other(&format!("/admin/seasons/{id}?{}", query.finish()))
        }
    }
}
