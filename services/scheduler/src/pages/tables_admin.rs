//! An administrator's co-design tables: every table with the form that sets one up, and each
//! table's page — its members (with the form that seats one), its meetings (scheduled in a space
//! with date, times and agenda; cancelled; and once begun recorded with minutes, attendance and
//! decisions, one a line). The same ops as `/api/v1/tables`.

use super::{
    say::{self, Refused},
    state::PageState,
    tables::{funding_name, meeting_value, member_words},
};
use crate::{
    db::spaces,
    domain::tables::{MemberKind, TableKind},
    ops::tables::{
        self, NewMember, NewTable,
        meetings::{self, CancelMeeting, MeetingRecord, NewDecision, NewMeeting},
    },
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::{Value, context};
use piazza_shared::{
    contracts::{FundingLine, sector},
    http::Path,
    web::{AdminOnly, CsrfForm, PageCtx, SignedIn, page::see_other, words},
};
use sea_orm::{EntityTrait, QueryOrder};
use std::collections::BTreeMap;
use uuid::Uuid;

type Fields = BTreeMap<String, String>;

fn funding_choices(ctx: &PageCtx) -> Vec<Value> {
    FundingLine::ALL
        .iter()
        .map(|f| context! { value => f.as_str(), label => f.label(ctx.lang.language()) })
        .collect()
}

async fn list_page(
    state: &PageState,
    ctx: &PageCtx,
    status: StatusCode,
    v: Fields,
    errors: Fields,
) -> Response {
    let list = match tables::list(&state.app).await {
        Ok(list) => list,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let rows: Vec<Value> = list
        .iter()
        .map(|t| {
            context! {
                id => t.id.to_string(), name => &t.name, theme => &t.theme,
                social => !t.minutes_public, funding => funding_name(t.funding_line, ctx.lang),
            }
        })
        .collect();
    ctx.render_status(
        &state.templates,
        status,
        "admin_tables.html",
        context! { tables => rows, fundings => funding_choices(ctx), v => v, errors => errors },
    )
}

/// `GET /admin/tables`.
pub async fn list(
    State(state): State<PageState>,
    SignedIn { ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    list_page(&state, &ctx, StatusCode::OK, Fields::new(), Fields::new()).await
}

/// `POST /admin/tables`: sets up a table.
pub async fn create(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let body = NewTable {
        name: form.get("name").to_string(),
        theme: form.get("theme").to_string(),
        kind: TableKind::parse(form.get("kind")),
        funding_line: FundingLine::parse(form.get("funding_line")),
    };
    match tables::create(&state.app, &caller, body).await {
        Ok(table) => see_other(&format!("/admin/tables/{}?done=created", table.id)),
        Err(error) => match say::refused(error, ctx.lang, str::to_string) {
            Refused::Fields(errors) => {
                let status = StatusCode::UNPROCESSABLE_ENTITY;
                list_page(&state, &ctx, status, form.to_map(), errors).await
            }
            Refused::Other(error) => ctx.api_error(&state.templates, error),
        },
    }
}

/// Which form a refusal belongs to on the table's page, and its values.
struct Typed {
    form: &'static str,
    /// The meeting a record form is for.
    meeting: Option<Uuid>,
    v: Fields,
    errors: Fields,
}

impl Typed {
    fn of(form: &'static str, meeting: Option<Uuid>, v: Fields) -> Self {
        Self {
            form,
            meeting,
            v,
            errors: Fields::new(),
        }
    }
}

async fn table_page(
    state: &PageState,
    ctx: &PageCtx,
    id: Uuid,
    status: StatusCode,
    typed: Option<Typed>,
) -> Response {
    let zone = state.app.settings.time_zone;
    let caller = ctx.viewer.clone().map(piazza_shared::auth::Caller);
    let loaded = async {
        let table = tables::get(&state.app, id).await?;
        let members = tables::members(&state.app, caller.as_ref(), id).await?;
        let meetings = meetings::list(&state.app, caller.as_ref(), id).await?;
        Ok::<_, crate::error::SchedulerError>((table, members, meetings))
    };
    let (table, members, list) = match loaded.await {
        Ok(all) => all,
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let places: Vec<Value> = match spaces::Entity::find()
        .order_by_asc(spaces::Column::Name)
        .all(state.app.db.conn())
        .await
    {
        Ok(rows) => rows
            .iter()
            .map(|s| context! { id => s.id.to_string(), label => format!("{} — {}", s.name, s.building) })
            .collect(),
        Err(error) => return ctx.api_error(&state.templates, error.into()),
    };
    let now = piazza_shared::clock::now();
    let meeting_rows: Vec<Value> = list
        .iter()
        .map(|m| {
            let begun = m.starts_at <= now && m.status != meetings::MeetingStatus::Cancelled;
            let decisions = m
                .decisions
                .iter()
                .map(|d| d.text.clone())
                .collect::<Vec<_>>();
            context! {
                m => meeting_value(m, ctx, zone),
                begun => begun,
                cancellable => m.status == meetings::MeetingStatus::Scheduled && m.ends_at > now,
                decisions_text => decisions.join("\n"),
            }
        })
        .collect();
    let typed = typed.unwrap_or(Typed {
        form: "",
        meeting: None,
        v: Fields::new(),
        errors: Fields::new(),
    });
    let today = now.with_timezone(&zone).date_naive();
    ctx.render_status(
        &state.templates,
        status,
        "admin_table.html",
        context! {
            table => context! {
                id => table.id.to_string(), name => table.name, theme => table.theme,
                social => !table.minutes_public, funding => funding_name(table.funding_line, ctx.lang),
            },
            members => members.iter().map(|m| context! {
                id => m.id.to_string(),
                words => member_words(m, ctx),
                email => &m.email,
            }).collect::<Vec<_>>(),
            meetings => meeting_rows,
            spaces => places,
            sectors => sector::KNOWN.iter().map(|s| context! {
                value => s.code, label => ctx.lang.pick(s.it, s.en),
            }).collect::<Vec<_>>(),
            form => typed.form,
            for_meeting => typed.meeting.map(|m| m.to_string()),
            v => typed.v,
            errors => typed.errors,
            today => today.to_string(),
            done => ctx.param("done"),
        },
    )
}

/// `GET /admin/tables/{id}`.
pub async fn show(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    table_page(&state, &ctx, id, StatusCode::OK, None).await
}

/// Answers a refused form on the table's page, or the error page.
async fn refused(
    state: &PageState,
    ctx: &PageCtx,
    id: Uuid,
    error: crate::error::SchedulerError,
    mut typed: Typed,
    rename: impl Fn(&str) -> String,
) -> Response {
    match say::refused(error, ctx.lang, rename) {
        Refused::Fields(errors) => {
            typed.errors = errors;
            table_page(
                state,
                ctx,
                id,
                StatusCode::UNPROCESSABLE_ENTITY,
                Some(typed),
            )
            .await
        }
        Refused::Other(error) => ctx.api_error(&state.templates, error),
    }
}

fn optional(value: &str) -> Option<String> {
    Some(value.trim().to_string()).filter(|v| !v.is_empty())
}

/// `POST /admin/tables/{id}/members`.
pub async fn add_member(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let kind = MemberKind::parse(form.get("kind")).unwrap_or(MemberKind::Organisation);
    let body = NewMember {
        kind,
        name: (kind != MemberKind::Sector).then(|| form.get("name").to_string()),
        sector: (kind == MemberKind::Sector).then(|| form.get("sector").to_string()),
        email: optional(form.get("email")).filter(|_| kind == MemberKind::Person),
        role: optional(form.get("role")).filter(|_| kind == MemberKind::Person),
    };
    match tables::add_member(&state.app, &caller, id, body).await {
        Ok(_) => see_other(&format!("/admin/tables/{id}?done=member#members")),
        Err(error) => {
            let typed = Typed::of("member", None, form.to_map());
            refused(&state, &ctx, id, error, typed, str::to_string).await
        }
    }
}

/// `POST /admin/tables/{id}/meetings`: schedules a meeting; booking is asked for the space.
pub async fn schedule(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let zone = state.app.settings.time_zone;
    let mut errors = Fields::new();
    let mut instant = |time: &str| {
        words::local_instant(form.get("date"), form.get(time), zone)
            .map_err(|e| {
                let said = piazza_shared::web::messages::field_error(time, &e, ctx.lang);
                errors.insert(time.to_string(), said)
            })
            .unwrap_or_default()
    };
    let (starts_at, ends_at) = (instant("start"), instant("end"));
    let space_id = Uuid::parse_str(form.get("space_id")).ok();
    if space_id.is_none() {
        errors.insert(
            "space_id".into(),
            ctx.t("Spazio: scegli uno spazio", "Space: choose a space")
                .into(),
        );
    }
    let (Some(space_id), true) = (space_id, errors.is_empty()) else {
        let typed = Typed {
            form: "meeting",
            meeting: None,
            v: form.to_map(),
            errors,
        };
        return table_page(
            &state,
            &ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(typed),
        )
        .await;
    };
    let body = NewMeeting {
        title: form.get("title").to_string(),
        space_id,
        starts_at,
        ends_at,
        time_zone: None,
        agenda: form.get("agenda").to_string(),
        season_id: None,
    };
    let rename = |field: &str| match field {
        "starts_at" => "start".to_string(),
        "ends_at" => "end".to_string(),
        other => other.to_string(),
    };
    match meetings::create(&state.app, &caller, id, body).await {
        Ok(_) => see_other(&format!("/admin/tables/{id}?done=scheduled#meetings")),
        Err(error) => {
            let typed = Typed::of("meeting", None, form.to_map());
            refused(&state, &ctx, id, error, typed, rename).await
        }
    }
}

/// `POST /admin/tables/{id}/meetings/{meeting}/cancel`.
pub async fn cancel(
    State(state): State<PageState>,
    Path((id, meeting)): Path<(Uuid, Uuid)>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let body = CancelMeeting {
        reason: form.get("reason").to_string(),
    };
    match meetings::cancel(&state.app, &caller, id, meeting, body).await {
        Ok(_) => see_other(&format!("/admin/tables/{id}?done=cancelled#meetings")),
        Err(error) => {
            let typed = Typed::of("cancel", Some(meeting), form.to_map());
            refused(&state, &ctx, id, error, typed, str::to_string).await
        }
    }
}

/// `POST /admin/tables/{id}/meetings/{meeting}/record`: minutes, attendance, decisions.
pub async fn record(
    State(state): State<PageState>,
    Path((id, meeting)): Path<(Uuid, Uuid)>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let mut errors = Fields::new();
    let mut number = |field: &str| match form.get(field).trim() {
        "" => 0,
        raw => raw.parse::<i64>().unwrap_or_else(|_| {
            let said = ctx.t("scrivi un numero intero", "write a whole number");
            errors.insert(field.to_string(), said.to_string());
            0
        }),
    };
    let attendance = number("attendance");
    let youth = number("youth_representatives");
    if !errors.is_empty() {
        let typed = Typed {
            form: "record",
            meeting: Some(meeting),
            v: form.to_map(),
            errors,
        };
        return table_page(
            &state,
            &ctx,
            id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(typed),
        )
        .await;
    }
    let body = MeetingRecord {
        minutes: form.get("minutes").to_string(),
        attendance,
        youth_representatives: youth,
        decisions: form
            .get("decisions")
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| NewDecision {
                text: l.to_string(),
                led_to: None,
            })
            .collect(),
    };
    let rename = |field: &str| {
        if field.starts_with("decisions") {
            "decisions".to_string()
        } else {
            field.to_string()
        }
    };
    match meetings::record(&state.app, &caller, id, meeting, body).await {
        Ok(_) => see_other(&format!("/admin/tables/{id}?done=recorded#meetings")),
        Err(crate::error::SchedulerError::Api(piazza_shared::http::ApiError::Conflict {
            detail,
            ..
        })) => {
            let said = ctx.t(
                "L'incontro non è ancora iniziato (o è annullato): il verbale si registra dopo.",
                "The meeting has not begun (or is cancelled): record it afterwards.",
            );
            tracing::debug!(%detail, "meeting not recorded");
            let typed = Typed {
                form: "record",
                meeting: Some(meeting),
                v: form.to_map(),
                errors: Fields::from([("form".to_string(), said.to_string())]),
            };
            table_page(&state, &ctx, id, StatusCode::CONFLICT, Some(typed)).await
        }
        Err(error) => {
            let typed = Typed::of("record", Some(meeting), form.to_map());
            refused(&state, &ctx, id, error, typed, rename).await
        }
    }
}
