//! The administrator's pages for the intersectoral working group: the sectors and which staff
//! accounts belong to them (`/admin/sectors`, linked from the accounts page), the sign-off rules
//! (`/admin/signoff-rules`), and each sector's sign-off queue (`/admin/signoffs`, the queues of
//! the sectors the signed-in member belongs to). Each calls the same use case as the API.

use super::{rows, state::PageState};
use crate::{
    domain::SpaceKind,
    error::BookingError,
    ops::{
        bookings::signoff::{self, Decision, SignoffBody},
        people, sectors,
        signoffs::{self, NewRule, QueueFilter},
        spaces::SpaceFilter,
    },
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{context, value::Serde};
use piazza_shared::{
    auth::{Caller, Role},
    http::{ApiError, Path},
    web::{AdminOnly, CsrfForm, Lang, PageCtx, SignedIn, page::see_other},
};
use serde::Serialize;
use std::collections::BTreeMap;
use uuid::Uuid;

/// A sector's name in the page's language.
fn sector_name(all: &[sectors::SectorView], code: &str, lang: Lang) -> String {
    all.iter()
        .find(|s| s.code == code)
        .map(|s| lang.pick(&s.name_it, &s.name_en).to_string())
        .unwrap_or_else(|| code.to_string())
}

#[derive(Serialize)]
struct StaffRow {
    id: Uuid,
    email: String,
    sectors: Vec<String>,
}

/// `GET /admin/sectors`: every sector with its members, each staff account's sectors, and the
/// form to add a sector.
pub async fn page(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    sectors_page(
        &state,
        &caller,
        &ctx,
        StatusCode::OK,
        BTreeMap::new(),
        BTreeMap::new(),
    )
    .await
}

async fn sectors_page(
    state: &PageState,
    caller: &Caller,
    ctx: &PageCtx,
    status: StatusCode,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let (all, accounts) = match (
        sectors::list(&state.app, caller).await,
        people::list(&state.app, caller).await,
    ) {
        (Ok(s), Ok(a)) => (s, a),
        (Err(error), _) | (_, Err(error)) => return ctx.api_error(&state.templates, error.into()),
    };
    let staff: Vec<StaffRow> = accounts
        .into_iter()
        .filter(|a| a.role == Role::Admin)
        .map(|a| StaffRow {
            sectors: all
                .iter()
                .filter(|s| s.members.contains(&a.id))
                .map(|s| s.code.clone())
                .collect(),
            id: a.id,
            email: a.email,
        })
        .collect();
    let emails: BTreeMap<Uuid, String> = staff.iter().map(|s| (s.id, s.email.clone())).collect();
    let rows: Vec<_> = all
        .iter()
        .map(|s| {
            context! {
                code => &s.code,
                name => ctx.lang.pick(&s.name_it, &s.name_en),
                members => Serde(s.members.iter().filter_map(|m| emails.get(m)).collect::<Vec<_>>()),
            }
        })
        .collect();
    ctx.render_status(
        &state.templates,
        status,
        "sectors.html",
        context! { sectors => rows, staff => Serde(staff), v => values, errors => errors,
        done => ctx.param("done") },
    )
}

/// `POST /admin/sectors`: adds a sector.
pub async fn add(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let body = sectors::NewSector {
        code: form.get("code").trim().to_string(),
        name_it: form.get("name_it").to_string(),
        name_en: form.get("name_en").to_string(),
    };
    match sectors::add(&state.app, &caller, body)
        .await
        .map_err(ApiError::from)
    {
        Ok(_) => see_other("/admin/sectors?done=added"),
        Err(ApiError::Validation(list)) => {
            let errors = list.into_iter().map(|e| (e.field, e.message)).collect();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            sectors_page(&state, &caller, &ctx, status, form.to_map(), errors).await
        }
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

/// `POST /admin/sectors/accounts/{id}`: sets the sectors a staff account belongs to.
pub async fn set_membership(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let body = sectors::Membership {
        sectors: form.all("sector"),
    };
    match sectors::set_membership(&state.app, &caller, id, body).await {
        Ok(_) => see_other("/admin/sectors?done=membership"),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

/// `GET /admin/signoff-rules`: the rules and the form to write one.
pub async fn rules(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    rules_page(
        &state,
        &caller,
        &ctx,
        StatusCode::OK,
        BTreeMap::new(),
        BTreeMap::new(),
    )
    .await
}

async fn rules_page(
    state: &PageState,
    caller: &Caller,
    ctx: &PageCtx,
    status: StatusCode,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let (all, listed, spaces) = match (
        sectors::list(&state.app, caller).await,
        signoffs::rules(&state.app, caller).await,
        rows::all_spaces(&state.app, SpaceFilter::default()).await,
    ) {
        (Ok(s), Ok(r), Ok(sp)) => (s, r, sp),
        (Err(error), _, _) | (_, Err(error), _) => {
            return ctx.api_error(&state.templates, error.into());
        }
        (_, _, Err(error)) => return ctx.api_error(&state.templates, error),
    };
    let lang = ctx.lang;
    let rules: Vec<_> = listed
        .iter()
        .map(|r| {
            context! {
                id => r.id.to_string(),
                name => &r.name,
                kind => r.space_kind.map(|k| k.as_str()),
                min_attendees => r.min_attendees,
                space => r.space_id.and_then(|id| spaces.iter().find(|s| s.id == id)).map(|s| s.name.clone()),
                sectors => r.sectors.iter().map(|c| sector_name(&all, c, lang)).collect::<Vec<_>>(),
            }
        })
        .collect();
    let kinds: Vec<&str> = ["square", "courtyard", "hall", "room", "lab", "other"].to_vec();
    let sector_options: Vec<_> = all
        .iter()
        .map(|s| context! { code => &s.code, name => lang.pick(&s.name_it, &s.name_en) })
        .collect();
    let space_options: Vec<_> = spaces
        .iter()
        .map(
            |s| context! { id => s.id.to_string(), name => format!("{} — {}", s.name, s.building) },
        )
        .collect();
    ctx.render_status(
        &state.templates,
        status,
        "signoff_rules.html",
        context! { rules => rules, kinds => kinds, sectors => sector_options,
        spaces => space_options, v => values, errors => errors,
        done => ctx.param("done") },
    )
}

/// `POST /admin/signoff-rules`: writes a rule.
pub async fn add_rule(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let mut errors = BTreeMap::new();
    let space_kind = match form
        .opt("space_kind")
        .map(str::trim)
        .filter(|k| !k.is_empty())
    {
        None => None,
        Some(k) => SpaceKind::parse(k).or_else(|| {
            errors.insert(
                "space_kind".into(),
                ctx.t("tipo sconosciuto", "unknown kind").into(),
            );
            None
        }),
    };
    let min_attendees = match form
        .opt("min_attendees")
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        None => None,
        Some(n) => n.parse::<i64>().ok().or_else(|| {
            errors.insert(
                "min_attendees".into(),
                ctx.t("un numero intero", "a whole number").into(),
            );
            None
        }),
    };
    let space_id = form.opt("space_id").and_then(|s| s.parse::<Uuid>().ok());
    if errors.is_empty() {
        let body = NewRule {
            name: form.get("name").to_string(),
            space_kind,
            min_attendees,
            space_id,
            sectors: form.all("sector"),
        };
        match signoffs::add_rule(&state.app, &caller, body)
            .await
            .map_err(ApiError::from)
        {
            Ok(_) => return see_other("/admin/signoff-rules?done=added"),
            Err(ApiError::Validation(list)) => {
                for e in list {
                    errors.insert(e.field, e.message);
                }
            }
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    }
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    rules_page(&state, &caller, &ctx, status, form.to_map(), errors).await
}

/// `POST /admin/signoff-rules/{id}/remove`: deletes a rule.
pub async fn remove_rule(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    match signoffs::delete_rule(&state.app, &caller, id).await {
        Ok(()) => see_other("/admin/signoff-rules?done=removed"),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

/// `GET /admin/signoffs`: the queue of each sector the signed-in member belongs to.
pub async fn queues(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    let (all, spaces) = match (
        sectors::list(&state.app, &caller).await,
        rows::all_spaces(&state.app, SpaceFilter::default()).await,
    ) {
        (Ok(s), Ok(sp)) => (s, rows::by_id(sp)),
        (Err(error), _) => return ctx.api_error(&state.templates, error.into()),
        (_, Err(error)) => return ctx.api_error(&state.templates, error),
    };
    let lang = ctx.lang;
    let mut queues = Vec::new();
    for code in &caller.0.sectors {
        let filter = QueueFilter {
            sector: code.clone(),
            status: None,
        };
        let items = match signoffs::queue(&state.app, &caller, filter).await {
            Ok(items) => items,
            Err(error) => return ctx.api_error(&state.templates, error.into()),
        };
        let bookings: Vec<_> = items.iter().map(|i| i.booking.clone()).collect();
        let shown = rows::booking_rows(&bookings, &spaces, &state.app, lang);
        let items: Vec<_> = items
            .iter()
            .zip(shown)
            .map(|(item, row)| {
                context! {
                    booking => Serde(row),
                    signoffs => item.signoffs.iter().map(|s| context! {
                        sector => sector_name(&all, &s.sector, lang),
                        status => &s.status,
                        status_text => rows::signoff_status(&s.status, lang),
                    }).collect::<Vec<_>>(),
                }
            })
            .collect();
        queues
            .push(context! { code => code, name => sector_name(&all, code, lang), items => items });
    }
    ctx.render(
        &state.templates,
        "signoffs.html",
        context! { queues => queues, done => ctx.param("done"), failed => ctx.param("failed") },
    )
}

/// `POST /admin/signoffs/{id}/{sector}/{decision}`: the member's sector approves or rejects.
pub async fn decide(
    State(state): State<PageState>,
    Path((id, sector, decision)): Path<(Uuid, String, String)>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let decision = match decision.as_str() {
        "approve" => Decision::Approve,
        "reject" => Decision::Reject,
        _ => return ctx.api_error(&state.templates, ApiError::NotFound("decision")),
    };
    let body = SignoffBody {
        reason: form.opt("reason").map(str::to_string),
    };
    match signoff::decide(&state.app, &caller, id, &sector, decision, body).await {
        Ok(signed) => see_other(&format!(
            "/admin/signoffs?done={}",
            if signed.booking.status.as_str() == "approved" {
                "confirmed"
            } else if decision == Decision::Approve {
                "approved"
            } else {
                "rejected"
            }
        )),
        Err(BookingError::Api(ApiError::Validation(_))) => {
            see_other("/admin/signoffs?failed=reason")
        }
        Err(BookingError::NotRequested(_) | BookingError::SignoffDecided(_)) => {
            see_other("/admin/signoffs?failed=decided")
        }
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}
