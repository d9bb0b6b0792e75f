//! What a page handler knows about the request: the language, who is signed in (from the
//! session cookie), the CSRF token for its forms and whether a POST is same-origin; and the
//! answers pages give — a rendered template, a redirect, an error page.

use super::{
    assets, cookies,
    i18n::{self, Lang},
    session,
    templates::Templates,
};
use crate::{
    auth::{Caller, Claims, Keys, Role},
    http::{
        ApiError,
        origin::{self, FormSource, PublicOrigin},
    },
};
use axum::{
    extract::{FromRef, FromRequestParts},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{Html, IntoResponse, Redirect, Response},
};
use minijinja::{Value, context};
use std::convert::Infallible;

/// The request as a page sees it.
#[derive(Debug, Clone)]
pub struct PageCtx {
    pub lang: Lang,
    /// The signed-in account, if any.
    pub viewer: Option<Claims>,
    session_token: Option<String>,
    /// The hidden field every form of a signed-in page carries.
    pub csrf: Option<String>,
    keys: Keys,
    /// Where a POST came from (see [`crate::http::origin`]).
    source: FormSource,
    /// This page's path and query, without `lang` (for the language switch and `next`).
    pub path: String,
    /// `?lang=` was given: remember it.
    chosen_lang: bool,
    /// The visitor chose the language (`?lang=` or the cookie), rather than the browser's.
    explicit_lang: bool,
    query: Vec<(String, String)>,
}

impl<S> FromRequestParts<S> for PageCtx
where
    S: Send + Sync,
    Keys: FromRef<S>,
{
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let keys = Keys::from_ref(state);
        let query: Vec<(String, String)> = parts
            .uri
            .query()
            .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
            .unwrap_or_default();
        let query_lang = query
            .iter()
            .find(|(k, _)| k == "lang")
            .map(|(_, v)| v.clone());
        let query_lang = query_lang.as_deref();
        let lang = Lang::negotiate(query_lang, &parts.headers);
        let explicit_lang = query_lang.and_then(Lang::parse).is_some()
            || cookies::cookie(&parts.headers, i18n::COOKIE)
                .and_then(Lang::parse)
                .is_some();
        let rest: Vec<&(String, String)> = query.iter().filter(|(k, _)| k != "lang").collect();
        let path = if rest.is_empty() {
            parts.uri.path().to_string()
        } else {
            let mut serializer = form_urlencoded::Serializer::new(String::new());
            for (k, v) in rest {
                serializer.append_pair(k, v);
            }
            format!("{}?{}", parts.uri.path(), serializer.finish())
        };
        let (viewer, session_token) = match session::viewer(&parts.headers, &keys) {
            Some((claims, token)) => (Some(claims), Some(token)),
            None => (None, None),
        };
        let csrf = session_token
            .as_deref()
            .map(|token| session::csrf_token(&keys, token));
        Ok(Self {
            lang,
            viewer,
            session_token,
            csrf,
            source: origin::form_source(
                &parts.headers,
                parts
                    .extensions
                    .get::<PublicOrigin>()
                    .map(|p| p.0.as_str())
                    .unwrap_or_default(),
            ),
            keys,
            path,
            chosen_lang: query_lang.and_then(Lang::parse).is_some(),
            explicit_lang,
            query,
        })
    }
}

impl PageCtx {
    /// Query parameter `name`, trimmed; empty when absent (pages validate what they read).
    pub fn param(&self, name: &str) -> &str {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .unwrap_or("")
    }

    pub fn t<'a>(&self, it: &'a str, en: &'a str) -> &'a str {
        self.lang.pick(it, en)
    }

    /// The signed-in caller with one of `roles`; otherwise the login page (not signed in) or a
    /// 403 page (signed in as someone else).
    // The error is the page to answer with, handed straight back by the handler: boxing it
    // would only add an allocation.
    #[allow(clippy::result_large_err)]
    pub fn require(&self, templates: &Templates, roles: &[Role]) -> Result<Caller, Response> {
        match &self.viewer {
            None => {
                let mut next = form_urlencoded::Serializer::new(String::new());
                next.append_pair("next", &self.path);
                Err(Redirect::to(&format!("/login?{}", next.finish())).into_response())
            }
            Some(claims) if roles.contains(&claims.role) => Ok(Caller(claims.clone())),
            Some(_) => Err(self.error(
                templates,
                StatusCode::FORBIDDEN,
                self.t(
                    "Questa pagina è riservata ad altri ruoli.",
                    "This page is for other roles.",
                ),
            )),
        }
    }

    /// Refuses a form POST that is cross-origin or lacks this session's CSRF token (what
    /// [`super::CsrfForm`] does for a handler).
    // The error is the page to answer with, handed straight back by the handler: boxing it
    // would only add an allocation.
    #[allow(clippy::result_large_err)]
    pub fn check_post(&self, templates: &Templates, csrf: &str) -> Result<(), Response> {
        let token_ok = self
            .session_token
            .as_deref()
            .is_some_and(|session| session::csrf_valid(&self.keys, session, csrf));
        if self.same_origin() && token_ok {
            Ok(())
        } else {
            Err(self.error(
                templates,
                StatusCode::FORBIDDEN,
                self.t(
                    "Il modulo è scaduto o non viene da questo sito: ricarica la pagina e riprova.",
                    "The form has expired or does not come from this site: reload the page and try again.",
                ),
            ))
        }
    }

    /// Refuses a public form (no session) the browser shows came from another site, with a 403
    /// page saying so; a withheld origin passes (see [`crate::http::origin`]).
    #[allow(clippy::result_large_err)]
    pub fn check_origin(&self, templates: &Templates) -> Result<(), Response> {
        self.check_origin_saying(
            templates,
            "Il modulo non viene da questo sito.",
            "The form does not come from this site.",
        )
    }

    /// [`Self::check_origin`] with the page's own words (`it`, `en`): an email link's form
    /// says where its link is.
    #[allow(clippy::result_large_err)]
    pub fn check_origin_saying(
        &self,
        templates: &Templates,
        it: &str,
        en: &str,
    ) -> Result<(), Response> {
        if self.same_origin() {
            Ok(())
        } else {
            Err(self.error(templates, StatusCode::FORBIDDEN, self.t(it, en)))
        }
    }

    /// The one same-origin check of every form, signed-in or public: it is not shown to come
    /// from another site.
    pub fn same_origin(&self) -> bool {
        !self.source.is_other_site()
    }

    /// Where a POST came from.
    pub fn source(&self) -> &FormSource {
        &self.source
    }

    /// Speaks `lang` (say, the language a person chose for their emails) unless the visitor
    /// chose one here (`?lang=` or the switch's cookie).
    pub fn prefer_lang(&mut self, lang: Lang) {
        if !self.explicit_lang {
            self.lang = lang;
        }
    }

    /// Renders `name` with what every page needs plus `extra`.
    pub fn render(&self, templates: &Templates, name: &str, extra: Value) -> Response {
        self.render_status(templates, StatusCode::OK, name, extra)
    }

    pub fn render_status(
        &self,
        templates: &Templates,
        status: StatusCode,
        name: &str,
        extra: Value,
    ) -> Response {
        let mut lang_switch = form_urlencoded::Serializer::new(String::new());
        lang_switch.append_pair("lang", self.lang.other().code());
        let separator = if self.path.contains('?') { '&' } else { '?' };
        let viewer = self.viewer.as_ref().map(|c| {
            context! {
                email => &c.email,
                role => c.role.as_str(),
                organisation => &c.org_name,
            }
        });
        let base = context! {
            lang => self.lang.code(),
            other_lang => self.lang.other().code(),
            lang_switch => format!("{}{separator}{}", self.path, lang_switch.finish()),
            path => &self.path,
            css_href => assets::css_href(),
            viewer => viewer,
            csrf => &self.csrf,
        };
        match templates.render(name, context! { ..extra, ..base }) {
            Ok(html) => {
                let mut response = (status, Html(html)).into_response();
                self.decorate(response.headers_mut());
                response
            }
            Err(error) => ApiError::Internal(error).into_response(),
        }
    }

    fn decorate(&self, headers: &mut HeaderMap) {
        if self.chosen_lang {
            headers.append(header::SET_COOKIE, i18n::lang_cookie(self.lang.code()));
        }
        // Pages differ by language and by who is signed in; none may be cached by a proxy.
        headers.insert(
            header::VARY,
            HeaderValue::from_static("Cookie, Accept-Language"),
        );
        headers.insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache"),
        );
    }

    /// A page saying what went wrong, with `status`.
    pub fn error(&self, templates: &Templates, status: StatusCode, message: &str) -> Response {
        self.render_status(
            templates,
            status,
            "error.html",
            context! { status => status.as_u16(), message => message },
        )
    }

    /// An API error as a page: validation and conflicts are for the form to show, so this is
    /// for the rest (not found, forbidden, unavailable…).
    pub fn api_error(&self, templates: &Templates, error: ApiError) -> Response {
        if let ApiError::Internal(cause) = &error {
            tracing::error!(error = format!("{cause:#}"), "page failed");
        }
        let problem = error.to_problem();
        let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::BAD_REQUEST);
        let retry_after = match &error {
            ApiError::TooManyRequests { retry_after } => Some(*retry_after),
            ApiError::TooManyFor { retry_after, .. } => Some(*retry_after),
            _ => None,
        };
        let message = match (&error, status) {
            (ApiError::TooManyFor { retry_after, .. }, _) => {
                let minutes = retry_after.div_ceil(60).max(1);
                let hours = retry_after.div_ceil(3600);
                let when = match (self.lang, minutes) {
                    (Lang::It, 1) => "1 minuto".to_string(),
                    (Lang::It, 2..=90) => format!("{minutes} minuti"),
                    (Lang::It, _) => format!("{hours} ore"),
                    (Lang::En, 1) => "1 minute".to_string(),
                    (Lang::En, 2..=90) => format!("{minutes} minutes"),
                    (Lang::En, _) => format!("{hours} hours"),
                };
                match self.lang {
                    Lang::It => format!(
                        "Abbiamo già scritto troppe volte a questo indirizzo, o da qui: per \
                         proteggere chi lo riceve non inviamo altro per ora. Riprova fra {when}."
                    ),
                    Lang::En => format!(
                        "We have written to this address, or from here, too often: to protect \
                         its owner we send nothing more for now. Try again in {when}."
                    ),
                }
            }
            (_, StatusCode::NOT_FOUND) => self.t("Non trovato.", "Not found.").to_string(),
            (_, StatusCode::TOO_MANY_REQUESTS) => self
                .t(
                    "Troppe richieste da questo indirizzo: riprova fra poco.",
                    "Too many requests from this address: try again shortly.",
                )
                .to_string(),
            (_, StatusCode::INTERNAL_SERVER_ERROR) => self
                .t(
                    "Qualcosa non ha funzionato: riprova fra poco.",
                    "Something went wrong: try again shortly.",
                )
                .to_string(),
            _ => problem.detail,
        };
        let mut response = self.error(templates, status, &message);
        if let Some(seconds) = retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

/// After a successful POST: see the result at `to` (303, so reloading does not post again).
pub fn see_other(to: &str) -> Response {
    Redirect::to(to).into_response()
}
