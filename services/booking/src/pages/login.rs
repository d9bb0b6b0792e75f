//! `/login` and `/logout`: the session cookie holds the same signed token the API issues, so
//! every service's pages can read it without asking booking.

use super::state::PageState;
use crate::ops::sessions;
use axum::{
    extract::State,
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use minijinja::context;
use piazza_shared::{
    auth::Role,
    http::{ApiError, LoginLimit},
    web::{CsrfForm, FormData, PageCtx, page::see_other, session},
};

/// Where to go after logging in: only a path of ours, never another site.
fn safe_next(next: &str) -> Option<&str> {
    (next.starts_with('/') && !next.starts_with("//") && !next.contains('\\')).then_some(next)
}

pub(super) fn home(role: Role) -> &'static str {
    match role {
        Role::Admin => "/admin/bookings",
        Role::Operator => "/bookings",
        Role::Evaluator => "/admin/indicators",
    }
}

pub async fn form(State(state): State<PageState>, ctx: PageCtx) -> Response {
    let next = ctx.param("next");
    ctx.render(
        &state.templates,
        "login.html",
        context! { next => next, email => "", failed => false },
    )
}

pub async fn submit(
    State(state): State<PageState>,
    ctx: PageCtx,
    limit: Result<LoginLimit, ApiError>,
    form: FormData,
) -> Response {
    // The same limits as the API's login: per address, and failed attempts per account.
    let limit = match limit {
        Ok(limit) => limit,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    if let Err(refused) = ctx.check_origin(&state.templates) {
        return refused;
    }
    let (email, password) = (form.get("email"), form.get("password"));
    if let Err(error) = limit.check_account(email).await {
        return ctx.api_error(&state.templates, error);
    }
    let claims = if email.is_empty() || password.is_empty() || password.len() > 1024 {
        None
    } else {
        match sessions::authenticate(&state.app, email, password).await {
            Ok(claims) => claims,
            Err(error) => {
                return ctx.api_error(&state.templates, error.into());
            }
        }
    };
    let Some(claims) = claims else {
        limit.failed(email).await;
        tracing::info!("page login refused");
        return ctx.render_status(
            &state.templates,
            StatusCode::UNAUTHORIZED,
            "login.html",
            context! { next => form.get("next"), email => email, failed => true },
        );
    };
    limit.succeeded(email).await;
    let sessions::Token { token, ttl } = sessions::issue(&state.app, &claims);
    let secure = state.app.settings.public_url().scheme() == "https";
    let to = safe_next(form.get("next")).unwrap_or(home(claims.role));
    tracing::info!(account = %claims.sub, role = claims.role.as_str(), "page login");
    let mut response = see_other(to);
    response
        .headers_mut()
        .append(header::SET_COOKIE, session::set_cookie(&token, ttl, secure));
    response
}

/// Ends the session on the server (its token is refused everywhere from then on) and clears the
/// cookie.
pub async fn logout(State(state): State<PageState>, ctx: PageCtx, _: CsrfForm) -> Response {
    if let Some(claims) = &ctx.viewer
        && let Err(error) = sessions::log_out(&state.app, claims).await
    {
        return ctx.api_error(&state.templates, error.into());
    }
    let mut response = see_other("/").into_response();
    response
        .headers_mut()
        .append(header::SET_COOKIE, session::clear_cookie());
    response
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_our_own_paths_are_followed_after_login() {
        assert_eq!(safe_next("/bookings"), Some("/bookings"));
        assert_eq!(safe_next("//evil.example/"), None);
        assert_eq!(safe_next("https://evil.example/"), None);
        assert_eq!(safe_next("/\\evil.example"), None);
    }
}
