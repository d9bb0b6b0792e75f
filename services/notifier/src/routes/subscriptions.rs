//! Pages reached from email links: confirm a subscription, see and change one's preferences,
//! unsubscribe.
//! Unsubscribing needs a POST (RFC 8058 one-click, or the button on the page): a link scanner
//! that follows a GET changes nothing.

use super::{
    pages::{bad_link, page},
    subscribers::{TokenQuery, record_consent},
};
use crate::{
    db::{deliveries, subscribers},
    email::templates::escape,
    links::{CONFIRM, MANAGE, UNSUBSCRIBE},
    state::AppState,
};
use axum::{extract::State, http::StatusCode, response::Response};
use piazza_shared::{
    contracts::Language,
    http::{ApiError, ClientAddress, PublicLimit, Query, SameOrigin},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, Set, sea_query::Expr};

async fn find(
    state: &AppState,
    purpose: &str,
    token: &str,
) -> Result<Option<subscribers::Model>, Response> {
    let claims = state
        .links
        .verify(purpose, token)
        .map_err(|e| bad_link(&e.to_string()))?;
    let subscriber = subscribers::Entity::find_by_id(claims.s)
        .one(state.db.conn())
        .await
        .map_err(|e| ApiError::from(e).into_response_page())?;
    Ok(subscriber.filter(|s| s.email == claims.e))
}

trait PageError {
    fn into_response_page(self) -> Response;
}

impl PageError for ApiError {
    fn into_response_page(self) -> Response {
        let problem = self.to_problem();
        let status =
            StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        if status.is_server_error() {
            tracing::error!(error = ?self, "page failed");
        }
        page(
            status,
            "Errore",
            &format!("<p>{}</p>", escape(&problem.detail)),
        )
    }
}

fn gone() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Iscrizione non trovata",
        "<p>Non troviamo questa iscrizione: forse è stata cancellata.</p>",
    )
}

/// Confirms a subscription (double opt-in), from the link in the confirmation email.
#[utoipa::path(
    get,
    path = "/subscriptions/confirm",
    tag = "subscriptions",
    security(("link" = [])),
    params(TokenQuery),
    responses(
        (status = 200, description = "Confirmed (HTML page)", content_type = "text/html"),
        (status = 400, description = "Bad or expired link (HTML page)", content_type = "text/html"),
        (status = 404, description = "Erased meanwhile (HTML page)", content_type = "text/html"),
    )
)]
pub async fn confirm(
    State(state): State<AppState>,
    ClientAddress(source): ClientAddress,
    Query(query): Query<TokenQuery>,
) -> Response {
    let subscriber = match find(&state, CONFIRM, &query.token).await {
        Ok(Some(s)) => s,
        Ok(None) => return gone(),
        Err(response) => return response,
    };
    if subscriber.status == "pending" {
        let result: Result<(), ApiError> = async {
            let txn = state.db.begin().await?;
            let mut active: subscribers::ActiveModel = subscriber.clone().into();
            active.status = Set("active".into());
            active.confirmed_at = Set(Some(piazza_shared::clock::now()));
            subscribers::Entity::update(active).exec(&*txn).await?;
            let (action, detail) = match &subscriber.guardian_email {
                Some(g) => (
                    "guardian_confirmed",
                    format!("guardian {g} consented to emails for {}", subscriber.email),
                ),
                None => (
                    "confirmed",
                    "confirmed the subscription from the emailed link".to_string(),
                ),
            };
            record_consent(&*txn, subscriber.id, action, &detail, source).await?;
            txn.commit().await?;
            Ok(())
        }
        .await;
        if let Err(error) = result {
            return error.into_response_page();
        }
        tracing::info!(subscriber_id = %subscriber.id, "subscription confirmed");
    } else if subscriber.status == "unsubscribed" {
        return page(
            StatusCode::CONFLICT,
            "Iscrizione cancellata",
            "<p>Questa iscrizione è stata cancellata. Per ricevere di nuovo le email, iscriviti di nuovo.</p>",
        );
    }
    page(
        StatusCode::OK,
        "Iscrizione confermata",
        "<p>Grazie! Da ora riceverai le email sugli eventi che ti interessano.</p><p lang=\"en\">Thank you: your subscription is confirmed.</p>",
    )
}

/// A subscriber's preferences, from the link at the foot of every email.
#[utoipa::path(
    get,
    path = "/subscriptions/manage",
    tag = "subscriptions",
    security(("link" = [])),
    params(TokenQuery),
    responses(
        (status = 200, description = "Preferences (HTML page)", content_type = "text/html"),
        (status = 400, description = "Bad or expired link (HTML page)", content_type = "text/html"),
    )
)]
pub async fn manage(State(state): State<AppState>, Query(query): Query<TokenQuery>) -> Response {
    let subscriber = match find(&state, MANAGE, &query.token).await {
        Ok(Some(s)) => s,
        Ok(None) => return gone(),
        Err(response) => return response,
    };
    let (title, address) = match Language::parse(&subscriber.language).unwrap_or_default() {
        Language::It => ("Le tue preferenze", "Indirizzo"),
        Language::En => ("Your preferences", "Address"),
    };
    let body = format!(
        "<p>{address}: <strong>{}</strong></p>{}",
        escape(&subscriber.email),
        super::preferences::form(&state, &subscriber, &query.token)
    );
    page(StatusCode::OK, title, &body)
}

/// The unsubscribe page: a button, since a GET must not unsubscribe (link scanners follow GETs).
#[utoipa::path(
    get,
    path = "/subscriptions/unsubscribe",
    tag = "subscriptions",
    security(("link" = [])),
    params(TokenQuery),
    responses(
        (status = 200, description = "A page with the unsubscribe button", content_type = "text/html"),
        (status = 400, description = "Bad or expired link (HTML page)", content_type = "text/html"),
    )
)]
pub async fn unsubscribe_page(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
) -> Response {
    match find(&state, UNSUBSCRIBE, &query.token).await {
        Ok(Some(s)) => page(
            StatusCode::OK,
            "Cancella l'iscrizione",
            &format!(
                "<p>Vuoi smettere di ricevere le email di Piazza all'indirizzo <strong>{}</strong>?</p>\
                 <form method=\"post\"><button type=\"submit\">Sì, cancellami</button></form>",
                escape(&s.email)
            ),
        ),
        Ok(None) => gone(),
        Err(response) => response,
    }
}

/// Unsubscribes: RFC 8058 one-click (`List-Unsubscribe=One-Click`) or the page's button. Pending
/// emails to the person are dropped.
#[utoipa::path(
    post,
    path = "/subscriptions/unsubscribe",
    tag = "subscriptions",
    security(("link" = [])),
    params(TokenQuery),
    responses(
        (status = 200, description = "Unsubscribed (HTML page)", content_type = "text/html"),
        (status = 400, description = "Bad or expired link (HTML page)", content_type = "text/html"),
        (status = 403, description = "A form sent from another site", body = piazza_shared::http::Problem),
        (status = 429, description = "Too many requests from this address; see Retry-After", body = piazza_shared::http::Problem),
    )
)]
pub async fn unsubscribe(
    State(state): State<AppState>,
    _limit: PublicLimit,
    _origin: SameOrigin,
    ClientAddress(source): ClientAddress,
    Query(query): Query<TokenQuery>,
) -> Response {
    let subscriber = match find(&state, UNSUBSCRIBE, &query.token).await {
        Ok(Some(s)) => s,
        Ok(None) => return gone(),
        Err(response) => return response,
    };
    if subscriber.status != "unsubscribed" {
        let result: Result<(), ApiError> = async {
            let txn = state.db.begin().await?;
            let now = piazza_shared::clock::now();
            let mut active: subscribers::ActiveModel = subscriber.clone().into();
            active.status = Set("unsubscribed".into());
            active.unsubscribed_at = Set(Some(now));
            subscribers::Entity::update(active).exec(&*txn).await?;
            deliveries::Entity::update_many()
                .col_expr(deliveries::Column::State, Expr::value("cancelled"))
                .col_expr(
                    deliveries::Column::LastError,
                    Expr::value(Some("unsubscribed".to_string())),
                )
                .filter(deliveries::Column::SubscriberId.eq(subscriber.id))
                .filter(deliveries::Column::State.eq("pending"))
                .exec(&*txn)
                .await?;
            record_consent(
                &*txn,
                subscriber.id,
                "unsubscribed",
                "withdrew consent to event emails",
                source,
            )
            .await?;
            txn.commit().await?;
            Ok(())
        }
        .await;
        if let Err(error) = result {
            return error.into_response_page();
        }
        tracing::info!(subscriber_id = %subscriber.id, "unsubscribed");
    }
    page(
        StatusCode::OK,
        "Iscrizione cancellata",
        "<p>Non riceverai più email da Piazza.</p><p lang=\"en\">You will not receive any more emails from Piazza.</p>",
    )
}
