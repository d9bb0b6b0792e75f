//! What a page handler asks for instead of checking it by hand: the signed-in caller with a role
//! the page is for ([`SignedIn`]), and a form posted from this site with this session's CSRF
//! token ([`CsrfForm`]). Each answers a refusal as a page in the visitor's language: the sign-in
//! page when nobody is signed in, a 403 page for another role, a stale or foreign form.

use super::{form::FormData, page::PageCtx, templates::Templates};
use crate::auth::{Caller, Keys, Role};
use axum::{
    extract::{FromRef, FromRequest, FromRequestParts, Request},
    http::request::Parts,
    response::{IntoResponse, Response},
};
use std::marker::PhantomData;

/// The roles a page is for.
pub trait Roles: Send + Sync + 'static {
    const ROLES: &'static [Role];
}

/// Pages for administrators.
pub struct AdminOnly;

impl Roles for AdminOnly {
    const ROLES: &'static [Role] = &[Role::Admin];
}

/// Pages for operators (their own organisation's things) and administrators.
pub struct OperatorOrAdmin;

impl Roles for OperatorOrAdmin {
    const ROLES: &'static [Role] = &[Role::Operator, Role::Admin];
}

/// Pages of figures: administrators and evaluators.
pub struct AdminOrEvaluator;

impl Roles for AdminOrEvaluator {
    const ROLES: &'static [Role] = &[Role::Admin, Role::Evaluator];
}

/// The signed-in caller, with one of the roles `R`, and the page's context. Without a session
/// the visitor is sent to the sign-in page (and back here after); with another role, a 403 page.
pub struct SignedIn<R: Roles> {
    pub caller: Caller,
    pub ctx: PageCtx,
    roles: PhantomData<R>,
}

impl<S, R> FromRequestParts<S> for SignedIn<R>
where
    S: Send + Sync,
    R: Roles,
    Keys: FromRef<S>,
    Templates: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Ok(ctx) = PageCtx::from_request_parts(parts, state).await;
        let caller = ctx.require(&Templates::from_ref(state), R::ROLES)?;
        Ok(Self {
            caller,
            ctx,
            roles: PhantomData,
        })
    }
}

/// A signed-in page's form: refused with a 403 page unless it comes from this site and carries
/// the CSRF token of this session (see [`PageCtx::check_post`]). Put it last, after
/// [`SignedIn`]: it reads the body.
pub struct CsrfForm(pub FormData);

impl<S> FromRequest<S> for CsrfForm
where
    S: Send + Sync,
    Keys: FromRef<S>,
    Templates: FromRef<S>,
{
    type Rejection = Response;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let (mut parts, body) = request.into_parts();
        let Ok(ctx) = PageCtx::from_request_parts(&mut parts, state).await;
        let form = FormData::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        ctx.check_post(&Templates::from_ref(state), form.get("csrf"))?;
        Ok(Self(form))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        auth::{Claims, caller::API_TOKEN},
        web::{PageState, session},
    };
    use axum::{
        Router,
        body::{Body, to_bytes},
        http::{StatusCode, header},
        routing::get,
    };
    use tower::ServiceExt;

    #[derive(Clone)]
    struct App(Keys);

    impl FromRef<App> for Keys {
        fn from_ref(app: &App) -> Keys {
            app.0.clone()
        }
    }

    fn keys() -> Keys {
        Keys::new("a-test-secret-of-at-least-thirty-two-chars", &[])
    }

    /// A session token for `role`, as the sign-in page sets it in the cookie.
    fn session_of(role: Role) -> String {
        let claims = Claims {
            sub: uuid::Uuid::now_v7(),
            email: "someone@comune.test".into(),
            role,
            org: None,
            org_name: None,
            sid: None,
            sv: 0,
            sectors: Vec::new(),
        };
        keys().sign(
            API_TOKEN,
            &claims,
            crate::clock::now() + chrono::Duration::hours(1),
        )
    }

    fn app() -> Router {
        let state = PageState {
            app: App(keys()),
            templates: Templates::new(&[]).unwrap(),
        };
        Router::new()
            .route(
                "/admin/things",
                get(|SignedIn { caller, .. }: SignedIn<AdminOnly>| async move { caller.0.email })
                    .post(
                        |_: SignedIn<AdminOnly>, CsrfForm(form): CsrfForm| async move {
                            form.get("name").to_string()
                        },
                    ),
            )
            .with_state(state)
    }

    async fn send(
        method: &str,
        session: Option<&str>,
        body: &str,
        origin: Option<&str>,
    ) -> (StatusCode, Option<String>, String) {
        let mut request = axum::http::Request::builder()
            .method(method)
            .uri("/admin/things?x=1")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some(token) = session {
            request = request.header(header::COOKIE, format!("{}={token}", session::COOKIE));
        }
        if let Some(origin) = origin {
            request = request.header(header::ORIGIN, origin);
        }
        let response = app()
            .oneshot(request.body(Body::from(body.to_string())).unwrap())
            .await
            .unwrap();
        let location = response
            .headers()
            .get(header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string());
        let status = response.status();
        let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
        (
            status,
            location,
            String::from_utf8_lossy(&bytes).into_owned(),
        )
    }

    #[tokio::test]
    async fn a_page_for_a_role_sends_strangers_to_sign_in_and_refuses_other_roles() {
        let (status, location, _) = send("GET", None, "", None).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        assert_eq!(
            location.as_deref(),
            Some("/login?next=%2Fadmin%2Fthings%3Fx%3D1")
        );
        let operator = session_of(Role::Operator);
        let (status, _, _) = send("GET", Some(&operator), "", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let admin = session_of(Role::Admin);
        let (status, _, body) = send("GET", Some(&admin), "", None).await;
        assert_eq!(
            (status, body.as_str()),
            (StatusCode::OK, "someone@comune.test")
        );
    }

    #[tokio::test]
    async fn a_signed_in_form_needs_its_sessions_token_and_no_other_sites_origin() {
        let admin = session_of(Role::Admin);
        let csrf = session::csrf_token(&keys(), &admin);
        let body = format!("name=Sala&csrf={csrf}");
        let (status, _, text) = send("POST", Some(&admin), &body, None).await;
        assert_eq!((status, text.as_str()), (StatusCode::OK, "Sala"));
        // A withheld origin is not another site.
        let (status, _, _) = send("POST", Some(&admin), &body, Some("null")).await;
        assert_eq!(status, StatusCode::OK);
        let (status, _, _) = send("POST", Some(&admin), &body, Some("https://evil.example")).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let (status, _, _) = send("POST", Some(&admin), "name=Sala&csrf=v1.forged", None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        let other = session_of(Role::Admin);
        let (status, _, _) = send("POST", Some(&other), &body, None).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
}
