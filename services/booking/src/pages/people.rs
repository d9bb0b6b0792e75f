//! The administrator's pages for people: accounts (list, invite, reset a password, disable,
//! enable) and organisations; and the page an emailed link opens to set a password, which then
//! signs the person in.

use super::{login::home, state::PageState};
use crate::ops::{
    people::{
        self, AccountState, EMAIL_TAKEN, Invitation, LinkRefused, NAME_TAKEN, NEEDS_ORGANISATION,
        NO_ORGANISATION, NOT_AN_EMAIL, NOT_YOURSELF, NewOrganisation, OrganisationPatch,
        PASSWORD_SHORT,
    },
    sessions,
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{context, value::Serde};
use piazza_shared::{
    auth::Role,
    contracts::{Category, Language},
    http::{ApiError, Path},
    web::{
        AdminOnly, CsrfForm, FormData, Lang, PageCtx, SignedIn, page::see_other, session, words,
    },
};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

fn language(lang: Lang) -> Language {
    match lang {
        Lang::It => Language::It,
        Lang::En => Language::En,
    }
}

pub(super) fn role_name(role: Role, lang: Lang) -> &'static str {
    match role {
        Role::Admin => lang.pick("amministratore", "administrator"),
        Role::Operator => lang.pick("operatore", "operator"),
        Role::Evaluator => lang.pick("valutatore", "evaluator"),
    }
}

fn state_name(state: AccountState, lang: Lang) -> &'static str {
    match state {
        AccountState::Invited => lang.pick("invitato, senza password", "invited, no password yet"),
        AccountState::Active => lang.pick("attivo", "active"),
        AccountState::Disabled => lang.pick("disattivato", "disabled"),
    }
}

/// A field's refusal in the page's language (the use case's own words otherwise).
fn say(message: &str, ctx: &PageCtx) -> String {
    let pairs = [
        (
            NOT_AN_EMAIL,
            "non è un indirizzo email",
            "is not an email address",
        ),
        (
            EMAIL_TAKEN,
            "esiste già un account con questo indirizzo",
            "an account with this address exists",
        ),
        (
            NEEDS_ORGANISATION,
            "un operatore appartiene a un'organizzazione: sceglila",
            "an operator belongs to an organisation: choose it",
        ),
        (
            NO_ORGANISATION,
            "solo gli operatori appartengono a un'organizzazione",
            "only operators belong to an organisation",
        ),
        (
            PASSWORD_SHORT,
            "almeno 10 caratteri",
            "at least 10 characters",
        ),
        (
            NAME_TAKEN,
            "esiste già un'organizzazione con questo nome",
            "an organisation has this name",
        ),
        (
            NOT_YOURSELF,
            "non puoi disattivare il tuo account",
            "you cannot disable your own account",
        ),
        ("must not be empty", "obbligatorio", "required"),
    ];
    pairs
        .iter()
        .find(|(key, _, _)| *key == message)
        .map(|(_, it, en)| ctx.t(it, en).to_string())
        .unwrap_or_else(|| message.to_string())
}

#[derive(Serialize)]
struct AccountRow {
    id: Uuid,
    email: String,
    role: &'static str,
    organisation: Option<String>,
    state: AccountState,
    state_text: &'static str,
    yourself: bool,
}

/// The accounts page, with the invitation form holding `values` and `errors`.
async fn accounts_page(
    state: &PageState,
    caller: &piazza_shared::auth::Caller,
    ctx: &PageCtx,
    status: StatusCode,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let listed = people::list(&state.app, caller).await;
    let organisations = people::organisations(&state.app, caller).await;
    let (accounts, organisations) = match (listed, organisations) {
        (Ok(a), Ok(o)) => (a, o),
        (Err(error), _) | (_, Err(error)) => return ctx.api_error(&state.templates, error.into()),
    };
    let rows: Vec<AccountRow> = accounts
        .into_iter()
        .map(|a| AccountRow {
            yourself: a.id == caller.0.sub,
            role: role_name(a.role, ctx.lang),
            state_text: state_name(a.state, ctx.lang),
            id: a.id,
            email: a.email,
            organisation: a.organisation,
            state: a.state,
        })
        .collect();
    let roles: Vec<(&str, &str)> = [Role::Operator, Role::Admin, Role::Evaluator]
        .iter()
        .map(|r| (r.as_str(), role_name(*r, ctx.lang)))
        .collect();
    ctx.render_status(
        &state.templates,
        status,
        "accounts.html",
        context! {
            accounts => Serde(rows),
            organisations => Serde(organisations),
            roles => roles,
            v => values,
            errors => errors,
            done => ctx.param("done"),
        },
    )
}

/// `GET /admin/accounts`: every account with its role, organisation and state.
pub async fn accounts(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    let mut values = BTreeMap::new();
    values.insert("role".to_string(), "operator".to_string());
    accounts_page(
        &state,
        &caller,
        &ctx,
        StatusCode::OK,
        values,
        BTreeMap::new(),
    )
    .await
}

/// `POST /admin/accounts`: invites someone by email.
pub async fn invite(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let mut errors = BTreeMap::new();
    let role = Role::parse(form.get("role")).unwrap_or_else(|| {
        errors.insert(
            "role".to_string(),
            ctx.t("scegli un ruolo", "choose a role").to_string(),
        );
        Role::Operator
    });
    if errors.is_empty() {
        let invitation = Invitation {
            email: form.get("email").to_string(),
            role,
            organisation: form.opt("organisation").map(str::to_string),
            language: language(ctx.lang),
        };
        match people::invite(&state.app, &caller, invitation)
            .await
            .map_err(ApiError::from)
        {
            Ok(_) => return see_other("/admin/accounts?done=invited"),
            Err(ApiError::Validation(list)) => {
                for e in list {
                    errors.insert(e.field.clone(), say(&e.message, &ctx));
                }
            }
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    }
    accounts_page(
        &state,
        &caller,
        &ctx,
        StatusCode::UNPROCESSABLE_ENTITY,
        form.to_map(),
        errors,
    )
    .await
}

/// `POST /admin/accounts/{id}/reset|disable|enable`.
pub async fn act(
    State(state): State<PageState>,
    Path((id, action)): Path<(Uuid, String)>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    let app = &state.app;
    let done = match action.as_str() {
        "reset" => people::reset(app, &caller, id, language(ctx.lang)).await,
        "disable" => people::disable(app, &caller, id).await,
        "enable" => people::enable(app, &caller, id).await,
        _ => return ctx.api_error(&state.templates, ApiError::NotFound("page")),
    };
    match done.map_err(ApiError::from) {
        Ok(()) => see_other(&format!("/admin/accounts?done={action}")),
        Err(ApiError::Validation(list)) => {
            let errors = list
                .into_iter()
                .map(|e| (e.field.clone(), say(&e.message, &ctx)))
                .collect();
            accounts_page(
                &state,
                &caller,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                BTreeMap::new(),
                errors,
            )
            .await
        }
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

async fn organisations_page(
    state: &PageState,
    caller: &piazza_shared::auth::Caller,
    ctx: &PageCtx,
    status: StatusCode,
    name: &str,
    errors: BTreeMap<String, String>,
) -> Response {
    match people::organisations(&state.app, caller).await {
        Ok(list) => ctx.render_status(
            &state.templates,
            status,
            "organisations.html",
            context! {
                organisations => Serde(list),
                name => name,
                errors => errors,
                done => ctx.param("done"),
                categories => words::categories(ctx.lang)
                    .into_iter()
                    .map(|(value, label)| context! { value => value, label => label })
                    .collect::<Vec<_>>(),
            },
        ),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

/// `GET /admin/organisations`.
pub async fn organisations(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    organisations_page(&state, &caller, &ctx, StatusCode::OK, "", BTreeMap::new()).await
}

/// `POST /admin/organisations`: adds one.
pub async fn add_organisation(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let name = form.get("name");
    let new = NewOrganisation {
        name: name.to_string(),
        fields: chosen_fields(&form),
    };
    match people::add_organisation(&state.app, &caller, new)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => see_other("/admin/organisations?done=added"),
        Err(ApiError::Validation(list)) => {
            let errors = list
                .into_iter()
                .map(|e| (e.field.clone(), say(&e.message, &ctx)))
                .collect();
            organisations_page(
                &state,
                &caller,
                &ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
                name,
                errors,
            )
            .await
        }
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

/// The fields ticked on a form (unknown codes are left out).
fn chosen_fields(form: &FormData) -> Vec<Category> {
    form.all("fields")
        .iter()
        .filter_map(|code| Category::parse(code))
        .collect()
}

/// `POST /admin/organisations/{id}`: sets the fields an organisation works in.
pub async fn update_organisation(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    Path(id): Path<Uuid>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let patch = OrganisationPatch {
        fields: Some(chosen_fields(&form)),
    };
    match people::update_organisation(&state.app, &caller, id, patch).await {
        Ok(_) => see_other("/admin/organisations?done=saved"),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

/// A link that does not open, in words.
fn refused(ctx: &PageCtx, state: &PageState, why: LinkRefused) -> Response {
    let message = match why {
        LinkRefused::Invalid => ctx.t(
            "Questo collegamento non è valido: copia l'indirizzo intero dall'email.",
            "This link is not valid: copy the whole address from the email.",
        ),
        LinkRefused::Expired => ctx.t(
            "Questo collegamento è scaduto: chiedi al Comune di inviartene un altro.",
            "This link has expired: ask the Comune to send you another.",
        ),
        LinkRefused::Spent => ctx.t(
            "Questo collegamento è già stato usato o ne è arrivato uno più recente: accedi con la tua password, o chiedi al Comune un nuovo collegamento.",
            "This link has been used, or a newer one was sent: log in with your password, or ask the Comune for a new link.",
        ),
        LinkRefused::Disabled => ctx.t(
            "Questo account è disattivato.",
            "This account is disabled.",
        ),
    };
    ctx.error(&state.templates, StatusCode::GONE, message)
}

/// `GET /account/password?token=`: the emailed link's form to choose a password.
pub async fn password_form(State(state): State<PageState>, ctx: PageCtx) -> Response {
    let token = ctx.param("token");
    match people::open_link(&state.app, token).await {
        Ok(Ok(account)) => ctx.render(
            &state.templates,
            "password.html",
            context! { token => token, email => account.email, errors => BTreeMap::<String, String>::new() },
        ),
        Ok(Err(why)) => refused(&ctx, &state, why),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

/// `POST /account/password`: sets the password, which spends the link, and signs in.
pub async fn password_set(
    State(state): State<PageState>,
    ctx: PageCtx,
    form: FormData,
) -> Response {
    if let Err(refusal) = ctx.check_origin_saying(
        &state.templates,
        "Il modulo non viene da questo sito: apri di nuovo il collegamento dall'email.",
        "The form does not come from this site: open the link from the email again.",
    ) {
        return refusal;
    }
    let token = form.get("token");
    let (password, again) = (form.get("password"), form.get("password_again"));
    let mut errors = BTreeMap::new();
    if password != again {
        errors.insert(
            "password_again".to_string(),
            ctx.t("le due password sono diverse", "the two passwords differ")
                .to_string(),
        );
    } else {
        match people::set_password(&state.app, token, password)
            .await
            .map_err(ApiError::from)
        {
            Ok(Ok(claims)) => {
                let sessions::Token { token, ttl } = sessions::issue(&state.app, &claims);
                let secure = state.app.settings.public_url().scheme() == "https";
                tracing::info!(account = %claims.sub, "password set from a link");
                let mut response = see_other(home(claims.role));
                response.headers_mut().append(
                    axum::http::header::SET_COOKIE,
                    session::set_cookie(&token, ttl, secure),
                );
                return response;
            }
            Ok(Err(why)) => return refused(&ctx, &state, why),
            Err(ApiError::Validation(list)) => {
                for e in list {
                    errors.insert(e.field.clone(), say(&e.message, &ctx));
                }
            }
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    }
    let email = match people::open_link(&state.app, token).await {
        Ok(Ok(account)) => account.email,
        Ok(Err(why)) => return refused(&ctx, &state, why),
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    ctx.render_status(
        &state.templates,
        StatusCode::UNPROCESSABLE_ENTITY,
        "password.html",
        context! { token => token, email => email, errors => errors },
    )
}
