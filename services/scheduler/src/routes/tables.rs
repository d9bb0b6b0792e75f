//! `/api/v1/tables`: co-design tables, their members and meetings, over [`crate::ops::tables`].

use crate::{
    ops::tables::{
        self, MemberView, NewMember, NewTable, TableView,
        meetings::{self, CancelMeeting, MeetingPatch, MeetingRecord, MeetingView, NewMeeting},
    },
    state::AppState,
};
use axum::{extract::State, http::StatusCode};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Json, Page, Path, Problem},
};
use uuid::Uuid;

type Created<T> = Result<(StatusCode, axum::Json<T>), ApiError>;

/// Sets up a co-design table (or a social-services network table).
#[utoipa::path(
    post,
    path = "/api/v1/tables",
    tag = "tables",
    security(("bearer" = ["admin"])),
    request_body = NewTable,
    responses(
        (status = 201, body = TableView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn create_table(
    State(state): State<AppState>,
    caller: Caller,
    Json(body): Json<NewTable>,
) -> Created<TableView> {
    let table = tables::create(&state, &caller, body).await?;
    Ok((StatusCode::CREATED, axum::Json(table)))
}

/// Every table, by name.
#[utoipa::path(
    get,
    path = "/api/v1/tables",
    tag = "tables",
    security(()),
    responses((status = 200, body = Page<TableView>))
)]
pub async fn list_tables(
    State(state): State<AppState>,
) -> Result<axum::Json<Page<TableView>>, ApiError> {
    Ok(axum::Json(tables::whole(tables::list(&state).await?)))
}

/// One table.
#[utoipa::path(
    get,
    path = "/api/v1/tables/{id}",
    tag = "tables",
    security(()),
    params(("id" = Uuid, Path, description = "Table id")),
    responses((status = 200, body = TableView), (status = 404, body = Problem), (status = 422, body = Problem))
)]
pub async fn get_table(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<TableView>, ApiError> {
    Ok(axum::Json(tables::get(&state, id).await?))
}

/// Seats a member: an organisation, a sector of the Comune (by code) or an invited person.
#[utoipa::path(
    post,
    path = "/api/v1/tables/{id}/members",
    tag = "tables",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Table id")),
    request_body = NewMember,
    responses(
        (status = 201, body = MemberView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn add_member(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<NewMember>,
) -> Created<MemberView> {
    let member = tables::add_member(&state, &caller, id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(member)))
}

/// A table's members; invited people's names and addresses for administrators only.
#[utoipa::path(
    get,
    path = "/api/v1/tables/{id}/members",
    tag = "tables",
    security((), ("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Table id")),
    responses(
        (status = 200, body = Page<MemberView>), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list_members(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Page<MemberView>>, ApiError> {
    let members = tables::members(&state, caller.as_ref(), id).await?;
    Ok(axum::Json(tables::whole(members)))
}

/// Takes a member off a table.
#[utoipa::path(
    delete,
    path = "/api/v1/tables/{id}/members/{member_id}",
    tag = "tables",
    security(("bearer" = ["admin"])),
    params(
        ("id" = Uuid, Path, description = "Table id"),
        ("member_id" = Uuid, Path, description = "Member id"),
    ),
    responses(
        (status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn remove_member(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, member_id)): Path<(Uuid, Uuid)>,
) -> Result<StatusCode, ApiError> {
    tables::remove_member(&state, &caller, id, member_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Schedules a meeting in a space: booking is asked for the slot over the bus, as for an
/// event; `space_status` follows its answer (`pending`, then `confirmed` or `unavailable`).
#[utoipa::path(
    post,
    path = "/api/v1/tables/{id}/meetings",
    tag = "tables",
    security(("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Table id")),
    request_body = NewMeeting,
    responses(
        (status = 201, body = MeetingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, description = "Unknown table or season", body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn create_meeting(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<Uuid>,
    Json(body): Json<NewMeeting>,
) -> Created<MeetingView> {
    let meeting = meetings::create(&state, &caller, id, body).await?;
    Ok((StatusCode::CREATED, axum::Json(meeting)))
}

/// A table's meetings in time order; a social-services table's minutes for administrators only.
#[utoipa::path(
    get,
    path = "/api/v1/tables/{id}/meetings",
    tag = "tables",
    security((), ("bearer" = ["admin"])),
    params(("id" = Uuid, Path, description = "Table id")),
    responses(
        (status = 200, body = Page<MeetingView>), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn list_meetings(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<Page<MeetingView>>, ApiError> {
    let list = meetings::list(&state, caller.as_ref(), id).await?;
    Ok(axum::Json(tables::whole(list)))
}

/// One meeting.
#[utoipa::path(
    get,
    path = "/api/v1/tables/{id}/meetings/{meeting_id}",
    tag = "tables",
    security((), ("bearer" = ["admin"])),
    params(
        ("id" = Uuid, Path, description = "Table id"),
        ("meeting_id" = Uuid, Path, description = "Meeting id"),
    ),
    responses(
        (status = 200, body = MeetingView), (status = 401, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem),
    )
)]
pub async fn get_meeting(
    State(state): State<AppState>,
    caller: Option<Caller>,
    Path((id, meeting_id)): Path<(Uuid, Uuid)>,
) -> Result<axum::Json<MeetingView>, ApiError> {
    Ok(axum::Json(
        meetings::get(&state, caller.as_ref(), id, meeting_id).await?,
    ))
}

/// Changes a meeting's title, agenda, time or space; booking moves the hold.
#[utoipa::path(
    patch,
    path = "/api/v1/tables/{id}/meetings/{meeting_id}",
    tag = "tables",
    security(("bearer" = ["admin"])),
    params(
        ("id" = Uuid, Path, description = "Table id"),
        ("meeting_id" = Uuid, Path, description = "Meeting id"),
    ),
    request_body = MeetingPatch,
    responses(
        (status = 200, body = MeetingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Cancelled", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn patch_meeting(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, meeting_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<MeetingPatch>,
) -> Result<axum::Json<MeetingView>, ApiError> {
    Ok(axum::Json(
        meetings::patch(&state, &caller, id, meeting_id, body).await?,
    ))
}

/// Cancels a meeting; booking frees the slot.
#[utoipa::path(
    post,
    path = "/api/v1/tables/{id}/meetings/{meeting_id}/cancel",
    tag = "tables",
    security(("bearer" = ["admin"])),
    params(
        ("id" = Uuid, Path, description = "Table id"),
        ("meeting_id" = Uuid, Path, description = "Meeting id"),
    ),
    request_body = CancelMeeting,
    responses(
        (status = 200, body = MeetingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, description = "Already cancelled", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn cancel_meeting(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, meeting_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<CancelMeeting>,
) -> Result<axum::Json<MeetingView>, ApiError> {
    Ok(axum::Json(
        meetings::cancel(&state, &caller, id, meeting_id, body).await?,
    ))
}

/// Records a meeting that has begun: minutes, attendance (and how many were young people's
/// representatives), decisions and what they led to. Tells the monitoring read model.
#[utoipa::path(
    post,
    path = "/api/v1/tables/{id}/meetings/{meeting_id}/record",
    tag = "tables",
    security(("bearer" = ["admin"])),
    params(
        ("id" = Uuid, Path, description = "Table id"),
        ("meeting_id" = Uuid, Path, description = "Meeting id"),
    ),
    request_body = MeetingRecord,
    responses(
        (status = 200, body = MeetingView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, description = "Not begun yet, or cancelled", body = Problem),
        (status = 422, body = Problem),
    )
)]
pub async fn record_meeting(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, meeting_id)): Path<(Uuid, Uuid)>,
    Json(body): Json<MeetingRecord>,
) -> Result<axum::Json<MeetingView>, ApiError> {
    Ok(axum::Json(
        meetings::record(&state, &caller, id, meeting_id, body).await?,
    ))
}
