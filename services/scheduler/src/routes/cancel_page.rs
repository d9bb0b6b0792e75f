//! The page a registration's cancel link opens. It asks before cancelling — its button POSTs to
//! the same address — so a mail scanner that follows links cancels nothing.

use super::registrations::{CancelLink, cancel_registration, canceller};
use crate::{db::registrations, domain::RegistrationStatus, state::AppState};
use axum::{
    extract::State,
    http::StatusCode,
    response::{Html, IntoResponse, Response},
};
use piazza_shared::http::{ApiError, Path, PublicLimit, Query, SameOrigin};
use sea_orm::EntityTrait;
use uuid::Uuid;

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html lang=\"it\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head><body><main><h1>{title}</h1>{body}</main></body></html>"
    );
    (status, Html(html)).into_response()
}

fn escape_html(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn link_error(error: ApiError) -> Response {
    page(
        error.code().1,
        "Link non valido",
        "<p>Il link non è valido o è scaduto. / The link is not valid or has expired.</p>",
    )
}

/// The page the cancel link opens: it asks before cancelling, so a link scanner that follows it
/// cancels nothing.
#[utoipa::path(
    get,
    path = "/registrations/{id}/cancel",
    tag = "registrations",
    security(("link" = [])),
    params(("id" = Uuid, Path, description = "Registration id"), CancelLink),
    responses((status = 200, description = "A page with a button", content_type = "text/html"))
)]
pub async fn cancel_page(
    State(state): State<AppState>,
    Path(id): Path<Uuid>,
    Query(link): Query<CancelLink>,
) -> Response {
    let token = link.token.unwrap_or_default();
    if let Err(error) = canceller(&state, None, id, Some(&token)) {
        return link_error(error);
    }
    let row = match registrations::Entity::find_by_id(id)
        .one(state.db.conn())
        .await
    {
        Ok(Some(row)) => row,
        Ok(None) => return link_error(ApiError::NotFound("registration")),
        Err(error) => return ApiError::from(error).into_response(),
    };
    if row.status == RegistrationStatus::Cancelled.as_str() {
        return page(
            StatusCode::OK,
            "Iscrizione annullata",
            "<p>L'iscrizione è già annullata. / The registration is already cancelled.</p>",
        );
    }
    let action = format!(
        "/registrations/{id}/cancel?token={}",
        url::form_urlencoded::byte_serialize(token.as_bytes()).collect::<String>()
    );
    page(
        StatusCode::OK,
        "Annullare l'iscrizione?",
        &format!(
            "<p>{} ({})</p><form method=\"post\" action=\"{}\">\
             <button type=\"submit\">Annulla l'iscrizione / Cancel my registration</button></form>",
            escape_html(&row.name),
            escape_html(&row.email),
            escape_html(&action)
        ),
    )
}

/// The page's button: cancels and says so.
#[utoipa::path(
    post,
    path = "/registrations/{id}/cancel",
    tag = "registrations",
    security(("link" = [])),
    params(("id" = Uuid, Path, description = "Registration id"), CancelLink),
    responses(
        (status = 200, description = "A page confirming the cancellation", content_type = "text/html"),
        (status = 403, description = "A form sent from another site", body = piazza_shared::http::Problem),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn cancel_from_page(
    State(state): State<AppState>,
    _limit: PublicLimit,
    _origin: SameOrigin,
    Path(id): Path<Uuid>,
    Query(link): Query<CancelLink>,
) -> Response {
    let by = match canceller(&state, None, id, link.token.as_deref()) {
        Ok(by) => by,
        Err(error) => return link_error(error),
    };
    match cancel_registration(&state, id, by).await {
        Ok(_) => page(
            StatusCode::OK,
            "Iscrizione annullata",
            "<p>La tua iscrizione è annullata. / Your registration is cancelled.</p>",
        ),
        Err(ApiError::NotFound(_)) => link_error(ApiError::NotFound("registration")),
        Err(error) => error.into_response(),
    }
}
