//! `/api/v1/pathways` and `/api/v1/referral-accreditations`: socio-educational pathways for
//! young people in difficulty over [`crate::ops::pathways`]. Who sees names and who reads
//! counts is decided there; the roles below are the outer gate.

use crate::{
    ops::pathways::{
        self as ops, NewPathway, NewSessions, PathwayView,
        accreditations::{self, AccreditationView, NewAccreditation},
        attendance::{self, AttendanceView, TakenAttendance},
        referrals::{self, Completion, NewReferral},
    },
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Path, Problem},
};
use uuid::Uuid;

/// Creates a pathway (administrators in Social policies).
#[utoipa::path(
    post,
    path = "/api/v1/pathways",
    tag = "pathways",
    security(("bearer" = ["admin"])),
    request_body = NewPathway,
    responses(
        (status = 201, body = PathwayView), (status = 401, body = Problem),
        (status = 403, description = "Not in Social policies", body = Problem), (status = 413, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewPathway>,
) -> Result<(StatusCode, axum::Json<PathwayView>), ApiError> {
    let view = ops::create(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// The pathways the caller may read (an operator: those it runs, or all when accredited to
/// refer). Names only for the operator and referring workers; counts suppressed below 5.
#[utoipa::path(
    get,
    path = "/api/v1/pathways",
    tag = "pathways",
    security(("bearer" = ["admin", "operator", "evaluator"])),
    responses((status = 200, body = Vec<PathwayView>), (status = 401, body = Problem), (status = 403, body = Problem))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<PathwayView>>, ApiError> {
    Ok(axum::Json(ops::list(&state, &caller).await?))
}

/// One pathway with its sessions and counts.
#[utoipa::path(
    get,
    path = "/api/v1/pathways/{id}",
    tag = "pathways",
    security(("bearer" = ["admin", "operator", "evaluator"])),
    params(("id" = Uuid, Path, description = "Pathway id")),
    responses(
        (status = 200, body = PathwayView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn get_one(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<PathwayView>, ApiError> {
    Ok(axum::Json(ops::get(&state, &caller, id).await?))
}

/// Adds sessions in a space (one, or a series by a rule); booking is asked for the space over
/// the bus. Administrators in Social policies.
#[utoipa::path(
    post,
    path = "/api/v1/pathways/{id}/sessions",
    tag = "pathways",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Pathway id")),
    request_body = NewSessions,
    responses(
        (status = 201, body = PathwayView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn add_sessions(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<NewSessions>,
) -> Result<(StatusCode, axum::Json<PathwayView>), ApiError> {
    let view = ops::add_sessions(&state, &caller, id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Refers a young person to the pathway, enrolling them: a social worker (an administrator in
/// Social policies, or an operator of an accredited organisation).
#[utoipa::path(
    post,
    path = "/api/v1/pathways/{id}/referrals",
    tag = "pathways",
    security(("bearer" = ["admin", "operator"])),
    params(("id" = Uuid, Path, description = "Pathway id")),
    request_body = NewReferral,
    responses(
        (status = 201, body = PathwayView), (status = 401, body = Problem),
        (status = 403, description = "Not a social worker", body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn refer(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<NewReferral>,
) -> Result<(StatusCode, axum::Json<PathwayView>), ApiError> {
    let view = referrals::refer(&state, &caller, id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(view)))
}

/// Records or takes back a young person's completion: the pathway's operator.
#[utoipa::path(
    put,
    path = "/api/v1/pathways/{id}/referrals/{referral_id}/completion",
    tag = "pathways",
    security(("bearer" = ["operator"])),
    params(("id" = Uuid, Path, description = "Pathway id"), ("referral_id" = Uuid, Path, description = "Referral id")),
    request_body = Completion,
    responses(
        (status = 200, body = PathwayView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn completion(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, referral_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<Completion>,
) -> Result<axum::Json<PathwayView>, ApiError> {
    Ok(axum::Json(
        referrals::complete(&state, &caller, id, referral_id, body).await?,
    ))
}

/// A session's attendance: names for the pathway's operator (and a referring worker's own),
/// counts suppressed below 5 for everyone else.
#[utoipa::path(
    get,
    path = "/api/v1/pathways/{id}/sessions/{session_id}/attendance",
    tag = "pathways",
    security(("bearer" = ["admin", "operator", "evaluator"])),
    params(("id" = Uuid, Path, description = "Pathway id"), ("session_id" = Uuid, Path, description = "Session id")),
    responses(
        (status = 200, body = AttendanceView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn read_attendance(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, session_id)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<AttendanceView>, ApiError> {
    Ok(axum::Json(
        attendance::read(&state, &caller, id, session_id).await?,
    ))
}

/// Takes attendance at a session (who was present): the pathway's operator.
#[utoipa::path(
    put,
    path = "/api/v1/pathways/{id}/sessions/{session_id}/attendance",
    tag = "pathways",
    security(("bearer" = ["operator"])),
    params(("id" = Uuid, Path, description = "Pathway id"), ("session_id" = Uuid, Path, description = "Session id")),
    request_body = TakenAttendance,
    responses(
        (status = 200, body = AttendanceView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Saved by someone else at the same moment (`attendance_changed`): reload and save again", body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn take_attendance(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, session_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<TakenAttendance>,
) -> Result<axum::Json<AttendanceView>, ApiError> {
    Ok(axum::Json(
        attendance::take(&state, &caller, id, session_id, body).await?,
    ))
}

/// The organisations accredited to refer young people to pathways.
#[utoipa::path(
    get,
    path = "/api/v1/referral-accreditations",
    tag = "pathways",
    security(("bearer" = ["admin"])),
    responses((status = 200, body = Vec<AccreditationView>), (status = 401, body = Problem), (status = 403, body = Problem))
)]
pub async fn list_accreditations(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<AccreditationView>>, ApiError> {
    Ok(axum::Json(accreditations::list(&state, &caller).await?))
}

/// Accredits an operator organisation to refer (administrators in Social policies).
#[utoipa::path(
    put,
    path = "/api/v1/referral-accreditations/{organisation_id}",
    tag = "pathways",
    security(("bearer" = ["admin"])),
    params(("organisation_id" = Uuid, Path, description = "Organisation id")),
    request_body = NewAccreditation,
    responses(
        (status = 200, body = AccreditationView), (status = 401, body = Problem),
        (status = 403, description = "Not in Social policies", body = Problem),
        (status = 404, description = "Never: any organisation id may be accredited", body = Problem),
        (status = 413, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn grant_accreditation(
    State(state): State<AppState>,
    caller: Caller,
    Path(organisation_id): Path<Uuid>,
    Json(body): Json<NewAccreditation>,
) -> Result<axum::Json<AccreditationView>, ApiError> {
    Ok(axum::Json(
        accreditations::grant(&state, &caller, organisation_id, body).await?,
    ))
}

/// Withdraws an organisation's accreditation (administrators in Social policies).
#[utoipa::path(
    delete,
    path = "/api/v1/referral-accreditations/{organisation_id}",
    tag = "pathways",
    security(("bearer" = ["admin"])),
    params(("organisation_id" = Uuid, Path, description = "Organisation id")),
    responses(
        (status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn withdraw_accreditation(
    State(state): State<AppState>,
    caller: Caller,
    Path(organisation_id): Path<Uuid>,
) -> Result<StatusCode, ApiError> {
    accreditations::withdraw(&state, &caller, organisation_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
