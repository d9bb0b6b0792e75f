//! Registrations: anyone registers for a published event (or a pathway as a whole) with an email
//! and a name; a full event puts them in its waitlist; the person cancels through the signed link
//! each message carries, or an administrator cancels for them, and the first in line moves up.

use crate::{
    db::{programmes, registrations},
    domain::{RegistrationStatus, TextRule, check_birth_year, check_text},
    error::SchedulerError,
    ops::places::{self, CANCEL_LINK, Line, Told},
    schedule::{self, announce},
    state::AppState,
};
use chrono::{DateTime, Datelike, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    confirmations::{self, Admitted, Ask, Proof},
    contracts::{Language, pathway::AgeBand},
    email::{normalise_email, plausible_email},
    http::{ApiError, Violations},
    web::challenge::Answered,
};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    pub email: String,
    #[schema(
        max_length = 200,
        pattern = "^[^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*[^\\s\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F][^\\x00-\\x08\\x0B\\x0C\\x0E-\\x1F\\x7F-\\x9F]*$"
    )]
    pub name: String,
    /// The language of the emails about it. Default `it`.
    #[serde(default)]
    pub language: Option<Language>,
    /// The date registered for, for a weekly event (registered for by date): one of the
    /// `places.dates` of the event. An event with one date, or a session of a pathway, needs none.
    #[serde(default)]
    pub occurrence_id: Option<Uuid>,
    /// Optional. Kept only as the person's age band (`under_14`, `14_17`, `18_24`, `25_29`,
    /// `30_plus`), which the monitoring counts young people reached by; the year itself is not
    /// stored. At most 120 years ago, not in the future.
    #[serde(default)]
    pub birth_year: Option<i64>,
}

/// A registration as its person and the organisers see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegistrationView {
    pub id: Uuid,
    pub event_id: Option<Uuid>,
    pub programme_id: Option<Uuid>,
    /// The date registered for, for an event registered for by date.
    pub occurrence_id: Option<Uuid>,
    pub email: String,
    pub name: String,
    pub language: Language,
    pub status: RegistrationStatus,
    /// 1 is next, while waitlisted.
    pub waitlist_position: Option<u32>,
    pub queued_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// The signed page where the person can cancel (given to the person who registered).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<String>,
}

fn view(row: registrations::Model, position: Option<u32>) -> RegistrationView {
    RegistrationView {
        id: row.id,
        event_id: row.event_id,
        programme_id: row.programme_id,
        occurrence_id: row.occurrence_id,
        language: Language::parse(&row.language).unwrap_or_default(),
        status: RegistrationStatus::parse(&row.status).unwrap_or(RegistrationStatus::Cancelled),
        waitlist_position: position,
        email: row.email,
        name: row.name,
        queued_at: row.queued_at,
        confirmed_at: row.confirmed_at,
        cancelled_at: row.cancelled_at,
        cancel_url: None,
    }
}

/// The line a registration for `event_id` goes on: its pathway's when it is a session of one,
/// the date `occurrence` when it is registered for by date, else its own.
async fn line_of_event(
    state: &AppState,
    conn: &impl ConnectionTrait,
    event_id: Uuid,
    occurrence: Option<Uuid>,
) -> Result<Line, ApiError> {
    let loaded = schedule::load(conn, event_id).await?;
    if !announce::is_public(&loaded.event) {
        return Err(ApiError::NotFound("event"));
    }
    let date = match occurrence {
        Some(id) => Some(
            loaded
                .occurrences
                .iter()
                .find(|o| o.id == id)
                .ok_or_else(|| ApiError::field("occurrence_id", "not a date of this event"))?,
        ),
        None => None,
    };
    if places::by_date(&loaded) && announce::pathway_of(conn, &loaded.event).await?.is_none() {
        let date = date.ok_or_else(|| {
            ApiError::field(
                "occurrence_id",
                "choose one of the event's dates: it is registered for date by date",
            )
        })?;
        return Ok(places::occurrence_line(&loaded, &state.settings, date));
    }
    Ok(places::line_for_event(conn, &state.settings, &loaded).await?)
}

async fn line_of_programme(
    state: &AppState,
    conn: &impl ConnectionTrait,
    programme_id: Uuid,
) -> Result<Line, ApiError> {
    let programme = programmes::Entity::find_by_id(programme_id)
        .one(conn)
        .await?
        .ok_or(ApiError::NotFound("programme"))?;
    if !programme.taken_as_whole {
        return Err(ApiError::field(
            "programme_id",
            "this programme's events are registered for one by one",
        ));
    }
    Ok(places::programme_line(conn, &programme, &state.settings).await?)
}

/// What a registration is for.
#[derive(Debug, Clone, Copy)]
pub enum Target {
    Event(Uuid),
    Programme(Uuid),
}

/// The answer to a registration: `created` is false when the person was on the line already
/// (registering twice changes nothing and sends nothing).
pub struct Registered {
    pub created: bool,
    pub registration: RegistrationView,
}

/// Where a registration comes from: the client address, and the page form's challenge (the API
/// brings none).
#[derive(Debug, Clone, Copy, Default)]
pub struct Origin<'a> {
    pub client: Option<&'a str>,
    pub challenge: Option<&'a Answered>,
}

/// Registers a person on a line: confirmed while there is room, else waitlisted, else 422.
/// Public (the routes and pages limit how often one address may). A new registration's email
/// counts against the public forms' limits ([`confirmations::admit`], 429 over one); the same
/// confirmation again within the repeat window registers but emails nothing.
pub async fn register(
    state: &AppState,
    target: Target,
    body: NewRegistration,
    origin: Origin<'_>,
) -> Result<Registered, SchedulerError> {
    let field = match target {
        Target::Event(_) => "event_id",
        Target::Programme(_) => "programme_id",
    };
    let mut v = Violations::new();
    let email = normalise_email(&body.email);
    v.check(
        plausible_email(&email),
        "email",
        "not a valid email address",
    );
    let name = check_text(&mut v, "name", &body.name, TextRule::NAME);
    // The year it is in the Comune, as for referrals.
    let year = piazza_shared::clock::now()
        .with_timezone(&state.settings.time_zone)
        .year();
    let age_band = body
        .birth_year
        .and_then(|born| check_birth_year(&mut v, "birth_year", born, year))
        .map(|born| AgeBand::of(born, year));
    v.finish()?;
    let unit = state.begin().await?;
    if let Some(answered) = origin.challenge {
        answered.spend(&*unit).await?;
    }
    let line = match target {
        Target::Event(id) => line_of_event(state, &*unit, id, body.occurrence_id).await?,
        Target::Programme(id) => line_of_programme(state, &*unit, id).await?,
    };
    places::lock_line(&*unit, &line).await?;
    // A date that is closed or full is said by the date's field.
    let field = if line.occurrence.is_some() {
        "occurrence_id"
    } else {
        field
    };
    let now = piazza_shared::clock::now();
    let closed = |why: &str| {
        Err(SchedulerError::from(ApiError::field(
            field,
            format!("registrations are closed: {why}"),
        )))
    };
    if line.imported {
        return closed("it comes from another calendar; its organiser takes registrations");
    }
    if !line.open {
        return closed("it is not taking place");
    }
    match line.closes_at {
        Some(at) if at > now => {}
        Some(at) => return closed(&format!("they closed at {}", at.to_rfc3339())),
        None => return closed("nothing is left to attend"),
    }
    if let Some(row) = places::existing(&*unit, &line, &email).await? {
        // Registering twice changes nothing and sends nothing.
        let change = places::change(state, &*unit, &line, &row).await?;
        unit.commit().await?;
        let mut answer = view(row, change.registration.waitlist_position);
        answer.cancel_url = change.registration.cancel_url;
        return Ok(Registered {
            created: false,
            registration: answer,
        });
    }
    let summary = places::places(&*unit, &line).await?;
    let full = summary.left == Some(0);
    if full && !line.waitlist {
        return Err(ApiError::field(field, "it is full and keeps no waitlist").into());
    }
    let ask = Ask {
        recipient: &email,
        field: "email",
        client: origin.client,
        // A second date of the same event is a confirmation of its own, never a repeat.
        subject: match (&line.occurrence, line.is_programme) {
            (Some(date), _) => format!("event:{}:{}", line.id, date.occurrence_id),
            (None, true) => format!("programme:{}", line.id),
            (None, false) => format!("event:{}", line.id),
        },
        proof: origin.challenge.map_or(Proof::Api, |a| a.proof),
    };
    let quiet = confirmations::admit(&*unit, &state.settings.forms, &ask).await? == Admitted::Quiet;
    let status = if full {
        RegistrationStatus::Waitlisted
    } else {
        RegistrationStatus::Confirmed
    };
    let row = registrations::Model {
        id: Uuid::now_v7(),
        event_id: (!line.is_programme).then_some(line.id),
        programme_id: line.is_programme.then_some(line.id),
        occurrence_id: line.occurrence.as_ref().map(|o| o.occurrence_id),
        email_key: email.clone(),
        email,
        name,
        language: body.language.unwrap_or_default().as_str().into(),
        status: status.as_str().into(),
        queued_at: now,
        confirmed_at: (!full).then_some(now),
        cancelled_at: None,
        cancelled_by: None,
        age_band: age_band.map(|b| b.as_str().to_string()),
    };
    registrations::Entity::insert(registrations::ActiveModel::from(row.clone()))
        .exec_without_returning(&*unit)
        .await?;
    let told = if full {
        Told::Waitlisted
    } else {
        Told::Confirmed
    };
    places::tell_as(state, &*unit, &state.outbox, &line, &row, told, quiet).await?;
    let change = places::change(state, &*unit, &line, &row).await?;
    unit.commit().await?;
    tracing::info!(registration_id = %row.id, line = %line.id, status = status.as_str(), "registered");
    let mut answer = view(row, change.registration.waitlist_position);
    answer.cancel_url = change.registration.cancel_url;
    Ok(Registered {
        created: true,
        registration: answer,
    })
}

/// The registrations of an event (or of the pathway it belongs to; date by date for a weekly
/// event): administrators and the organising operator.
pub async fn list_for_event(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<RegistrationView>, SchedulerError> {
    caller.require(&[Role::Admin, Role::Operator])?;
    let conn = state.db.conn();
    let loaded = schedule::load(conn, id).await?;
    caller.require_owner(loaded.event.organisation_id)?;
    let mut all = Vec::new();
    for line in places::lines_for_event(conn, &state.settings, &loaded).await? {
        all.extend(listing(conn, &line).await?);
    }
    Ok(all)
}

/// The registrations of a pathway: administrators.
pub async fn list_for_programme(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
) -> Result<Vec<RegistrationView>, SchedulerError> {
    caller.require(&[Role::Admin])?;
    let conn = state.db.conn();
    let line = line_of_programme(state, conn, id).await?;
    Ok(listing(conn, &line).await?)
}

/// Cancels a registration for the person with the signed `token` from their link, or for an
/// administrator. The first person in the waitlist takes the freed place.
pub async fn cancel(
    state: &AppState,
    caller: Option<&Caller>,
    id: Uuid,
    link: CancelLink,
) -> Result<RegistrationView, SchedulerError> {
    let by = canceller(state, caller, id, link.token.as_deref())?;
    let (row, _) = cancel_registration(state, id, by).await?;
    Ok(view(row, None))
}

/// Every registration on a line, in order, with waitlist positions.
async fn listing(
    conn: &impl ConnectionTrait,
    line: &Line,
) -> Result<Vec<RegistrationView>, ApiError> {
    let rows = places::all(conn, line).await?;
    let mut position = 0;
    Ok(rows
        .into_iter()
        .map(|row| {
            let p = (row.status == RegistrationStatus::Waitlisted.as_str()).then(|| {
                position += 1;
                position
            });
            view(row, p)
        })
        .collect())
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CancelLink {
    /// The signed token from the registration's cancel link.
    pub token: Option<String>,
}

/// The line the registration `row` is on: its date's, its event's or its pathway's.
pub(crate) async fn line_of_row(
    state: &AppState,
    conn: &impl ConnectionTrait,
    row: &registrations::Model,
) -> Result<Line, ApiError> {
    match (row.event_id, row.programme_id) {
        (Some(event), _) => {
            let loaded = schedule::load(conn, event).await?;
            match row.occurrence_id {
                Some(date) => {
                    let occurrence = loaded
                        .occurrences
                        .iter()
                        .find(|o| o.id == date)
                        .ok_or(ApiError::NotFound("registration"))?;
                    Ok(places::occurrence_line(
                        &loaded,
                        &state.settings,
                        occurrence,
                    ))
                }
                None => Ok(places::event_line(
                    &loaded,
                    &state.settings,
                    piazza_shared::clock::now(),
                )),
            }
        }
        (None, Some(programme)) => line_of_programme(state, conn, programme).await,
        (None, None) => Err(ApiError::NotFound("registration")),
    }
}

/// Cancels a registration; returns it, and whether it was cancelled now (not before).
pub(crate) async fn cancel_registration(
    state: &AppState,
    id: Uuid,
    by: &str,
) -> Result<(registrations::Model, bool), ApiError> {
    let unit = state.begin().await?;
    let row = registrations::Entity::find_by_id(id)
        .one(&*unit)
        .await?
        .ok_or(ApiError::NotFound("registration"))?;
    let line = line_of_row(state, &*unit, &row).await?;
    places::lock_line(&*unit, &line).await?;
    // Read again under the lock: a concurrent cancellation may have come first.
    let mut row = registrations::Entity::find_by_id(id)
        .one(&*unit)
        .await?
        .ok_or(ApiError::NotFound("registration"))?;
    if row.status == RegistrationStatus::Cancelled.as_str() {
        unit.commit().await?;
        return Ok((row, false));
    }
    let was_confirmed = row.status == RegistrationStatus::Confirmed.as_str();
    row.status = RegistrationStatus::Cancelled.as_str().into();
    row.cancelled_at = Some(piazza_shared::clock::now());
    row.cancelled_by = Some(by.into());
    places::save(&*unit, &row).await?;
    places::tell(state, &*unit, &state.outbox, &line, &row, Told::Cancelled).await?;
    if was_confirmed && line.open {
        places::promote(state, &*unit, &line).await?;
    }
    unit.commit().await?;
    tracing::info!(registration_id = %id, by, "registration cancelled");
    Ok((row, true))
}

/// Who is cancelling: an administrator (bearer token) or the person (signed link).
pub(crate) fn canceller(
    state: &AppState,
    caller: Option<&Caller>,
    id: Uuid,
    token: Option<&str>,
) -> Result<&'static str, ApiError> {
    if let Some(caller) = caller {
        caller.require(&[Role::Admin])?;
        return Ok("admin");
    }
    let Some(token) = token else {
        return Err(ApiError::Unauthorized(
            "use the link from the registration email, or an administrator's token".into(),
        ));
    };
    let claimed: String = state
        .keys
        .verify(CANCEL_LINK, token, piazza_shared::clock::now())
        .map_err(|e| ApiError::Forbidden(format!("the cancel link is not valid: {e}")))?;
    if claimed != id.to_string() {
        return Err(ApiError::Forbidden(
            "the cancel link is for another registration".into(),
        ));
    }
    Ok("person")
}
