//! Registrations: anyone registers for a published event (or a pathway as a whole) with an email
//! and a name; a full event puts them in its waitlist; the person cancels through the signed link
//! each message carries, or an administrator cancels for them, and the first in line moves up.

use crate::{
    db::{programmes, registrations},
    domain::{RegistrationStatus, TextRule, check_text},
    places::{self, CANCEL_LINK, Line, Told},
    schedule::{self, announce},
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    contracts::Language,
    email::{normalise_email, plausible_email},
    http::{ApiError, Json, Path, Problem, PublicLimit, Query, Violations},
};
use sea_orm::{ConnectionTrait, EntityTrait};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewRegistration {
    pub email: String,
    pub name: String,
    /// The language of the emails about it. Default `it`.
    #[serde(default)]
    pub language: Option<Language>,
}

/// A registration as its person and the organisers see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RegistrationView {
    pub id: Uuid,
    pub event_id: Option<Uuid>,
    pub programme_id: Option<Uuid>,
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

/// The line a registration for `event_id` goes on (its pathway's when it is a session of one).
async fn line_of_event(
    state: &AppState,
    conn: &impl ConnectionTrait,
    event_id: Uuid,
) -> Result<Line, ApiError> {
    let loaded = schedule::load(conn, event_id).await?;
    if !announce::is_public(&loaded.event) {
        return Err(ApiError::NotFound("event"));
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
enum Target {
    Event(Uuid),
    Programme(Uuid),
}

/// Registers a person on a line: confirmed while there is room, else waitlisted, else 422.
async fn register(
    state: &AppState,
    target: Target,
    body: NewRegistration,
) -> Result<(StatusCode, axum::Json<RegistrationView>), ApiError> {
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
    v.finish()?;
    let txn = state.db.begin().await?;
    let line = match target {
        Target::Event(id) => line_of_event(state, &*txn, id).await?,
        Target::Programme(id) => line_of_programme(state, &*txn, id).await?,
    };
    places::lock_line(&*txn, &line).await?;
    let now = piazza_shared::clock::now();
    let closed = |why: &str| {
        Err(ApiError::field(
            field,
            format!("registrations are closed: {why}"),
        ))
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
    if let Some(row) = places::existing(&*txn, &line, &email).await? {
        // Registering twice changes nothing and sends nothing.
        let change = places::change(state, &*txn, &line, &row).await?;
        txn.commit().await?;
        let mut answer = view(row, change.registration.waitlist_position);
        answer.cancel_url = change.registration.cancel_url;
        return Ok((StatusCode::OK, axum::Json(answer)));
    }
    let summary = places::places(&*txn, &line).await?;
    let full = summary.left == Some(0);
    if full && !line.waitlist {
        return Err(ApiError::field(field, "it is full and keeps no waitlist"));
    }
    let status = if full {
        RegistrationStatus::Waitlisted
    } else {
        RegistrationStatus::Confirmed
    };
    let row = registrations::Model {
        id: Uuid::now_v7(),
        event_id: (!line.is_programme).then_some(line.id),
        programme_id: line.is_programme.then_some(line.id),
        email_key: email.clone(),
        email,
        name,
        language: body.language.unwrap_or_default().as_str().into(),
        status: status.as_str().into(),
        queued_at: now,
        confirmed_at: (!full).then_some(now),
        cancelled_at: None,
        cancelled_by: None,
    };
    registrations::Entity::insert(registrations::ActiveModel::from(row.clone()))
        .exec_without_returning(&*txn)
        .await?;
    let told = if full {
        Told::Waitlisted
    } else {
        Told::Confirmed
    };
    places::tell(state, &*txn, &state.outbox, &line, &row, told).await?;
    let change = places::change(state, &*txn, &line, &row).await?;
    txn.commit().await?;
    state.outbox.wake();
    tracing::info!(registration_id = %row.id, line = %line.id, status = status.as_str(), "registered");
    let mut answer = view(row, change.registration.waitlist_position);
    answer.cancel_url = change.registration.cancel_url;
    Ok((StatusCode::CREATED, axum::Json(answer)))
}

/// Registers for a published event (for a session of a pathway: for the whole pathway).
#[utoipa::path(
    post,
    path = "/api/v1/events/{id}/registrations",
    tag = "registrations",
    security(()),
    params(("id" = Uuid, Path, description = "Event id")),
    request_body = NewRegistration,
    responses(
        (status = 201, description = "Confirmed or waitlisted", body = RegistrationView),
        (status = 200, description = "Already registered: the registration as it is", body = RegistrationView),
        (status = 404, body = Problem),
        (status = 422, description = "Bad fields, registrations closed, or full without a waitlist", body = Problem),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn register_for_event(
    State(state): State<AppState>,
    _limit: PublicLimit,
    Path(id): Path<Uuid>,
    Json(body): Json<NewRegistration>,
) -> Result<(StatusCode, axum::Json<RegistrationView>), ApiError> {
    register(&state, Target::Event(id), body).await
}

/// Registers for a pathway as a whole.
#[utoipa::path(
    post,
    path = "/api/v1/programmes/{id}/registrations",
    tag = "registrations",
    security(()),
    params(("id" = Uuid, Path, description = "Programme id")),
    request_body = NewRegistration,
    responses(
        (status = 201, description = "Confirmed or waitlisted", body = RegistrationView),
        (status = 200, description = "Already registered: the registration as it is", body = RegistrationView),
        (status = 404, body = Problem),
        (status = 422, description = "Bad fields, not a pathway, registrations closed, or full without a waitlist", body = Problem),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn register_for_programme(
    State(state): State<AppState>,
    _limit: PublicLimit,
    Path(id): Path<Uuid>,
    Json(body): Json<NewRegistration>,
) -> Result<(StatusCode, axum::Json<RegistrationView>), ApiError> {
    register(&state, Target::Programme(id), body).await
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

/// The registrations of an event (or of the pathway it belongs to): administrators and the
/// organising operator.
#[utoipa::path(
    get,
    path = "/api/v1/events/{id}/registrations",
    tag = "registrations",
    security(("bearer" = ["admin", "operator"])),
    extensions(("x-piazza-scope" = json!("organisation"))),
    params(("id" = Uuid, Path, description = "Event id")),
    responses(
        (status = 200, body = Vec<RegistrationView>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list_for_event(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<RegistrationView>>, ApiError> {
    caller.require(&[Role::Admin, Role::Operator])?;
    let conn = state.db.conn();
    let loaded = schedule::load(conn, id).await?;
    caller.require_owner(loaded.event.organisation_id)?;
    let line = places::line_for_event(conn, &state.settings, &loaded).await?;
    Ok(axum::Json(listing(conn, &line).await?))
}

/// The registrations of a pathway: administrators.
#[utoipa::path(
    get,
    path = "/api/v1/programmes/{id}/registrations",
    tag = "registrations",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Programme id")),
    responses(
        (status = 200, body = Vec<RegistrationView>), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list_for_programme(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Vec<RegistrationView>>, ApiError> {
    caller.require(&[Role::Admin])?;
    let conn = state.db.conn();
    let line = line_of_programme(&state, conn, id).await?;
    Ok(axum::Json(listing(conn, &line).await?))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CancelLink {
    /// The signed token from the registration's cancel link.
    pub token: Option<String>,
}

/// Cancels a registration; returns it, and whether it was cancelled now (not before).
pub(crate) async fn cancel_registration(
    state: &AppState,
    id: Uuid,
    by: &str,
) -> Result<(registrations::Model, bool), ApiError> {
    let txn = state.db.begin().await?;
    let row = registrations::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(ApiError::NotFound("registration"))?;
    let line = match (row.event_id, row.programme_id) {
        (Some(event), _) => {
            let loaded = schedule::load(&*txn, event).await?;
            places::event_line(&loaded, &state.settings, piazza_shared::clock::now())
        }
        (None, Some(programme)) => line_of_programme(state, &*txn, programme).await?,
        (None, None) => return Err(ApiError::NotFound("registration")),
    };
    places::lock_line(&*txn, &line).await?;
    // Read again under the lock: a concurrent cancellation may have come first.
    let mut row = registrations::Entity::find_by_id(id)
        .one(&*txn)
        .await?
        .ok_or(ApiError::NotFound("registration"))?;
    if row.status == RegistrationStatus::Cancelled.as_str() {
        txn.commit().await?;
        return Ok((row, false));
    }
    let was_confirmed = row.status == RegistrationStatus::Confirmed.as_str();
    row.status = RegistrationStatus::Cancelled.as_str().into();
    row.cancelled_at = Some(piazza_shared::clock::now());
    row.cancelled_by = Some(by.into());
    places::save(&*txn, &row).await?;
    places::tell(state, &*txn, &state.outbox, &line, &row, Told::Cancelled).await?;
    if was_confirmed && line.open {
        places::promote(state, &*txn, &line).await?;
    }
    txn.commit().await?;
    state.outbox.wake();
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

/// Cancels a registration: the person with the signed `token` from their link, or an
/// administrator. The first person in the waitlist takes the freed place.
#[utoipa::path(
    post,
    path = "/api/v1/registrations/{id}/cancel",
    tag = "registrations",
    security(("link" = []), ("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Registration id"), CancelLink),
    responses(
        (status = 200, body = RegistrationView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    _limit: PublicLimit,
    caller: Option<Caller>,
    Path(id): Path<Uuid>,
    Query(link): Query<CancelLink>,
) -> Result<axum::Json<RegistrationView>, ApiError> {
    let by = canceller(&state, caller.as_ref(), id, link.token.as_deref())?;
    let (row, _) = cancel_registration(&state, id, by).await?;
    Ok(axum::Json(view(row, None)))
}
