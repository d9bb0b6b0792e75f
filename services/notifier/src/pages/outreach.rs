//! `/admin/indicators/outreach`: young people reached, events announced per category,
//! registrations and emails sent, from the outreach report — a chart, figures and CSV.
//! Aggregates only.

use super::state::PageState;
use crate::{
    domain::RegistrationStatus,
    ops::reports::{self, Outreach, Period},
};
use axum::{extract::State, response::Response};
use chrono::{Datelike, NaiveDate};
use minijinja::{context, value::Serde};
use piazza_shared::{
    auth::Caller,
    http::ApiError,
    web::{
        AdminOrEvaluator, PageCtx, SignedIn, chart,
        csv::{Cell, Csv},
        words,
    },
};

async fn report(
    state: &PageState,
    ctx: &PageCtx,
    caller: Caller,
) -> Result<(NaiveDate, NaiveDate, Outreach), ApiError> {
    let today = piazza_shared::clock::now()
        .with_timezone(&state.app.settings.time_zone)
        .date_naive();
    let day = |name: &str, default: NaiveDate| {
        NaiveDate::parse_from_str(ctx.param(name), "%Y-%m-%d").unwrap_or(default)
    };
    let from = day(
        "from",
        NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today),
    );
    let to = day(
        "to",
        NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today),
    );
    let period = Period {
        from: Some(from.to_string()),
        to: Some(to.to_string()),
    };
    let outreach = reports::outreach(&state.app, &caller, period).await?;
    Ok((from, to, outreach))
}

pub async fn page(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOrEvaluator>,
) -> Response {
    let (from, to, o) = match report(&state, &ctx, caller).await {
        Ok(found) => found,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let bars: Vec<(String, f64, String)> = words::categories(ctx.lang)
        .into_iter()
        .map(|(key, label)| {
            let n = o.events.by_category.get(key).copied().unwrap_or(0);
            (label.to_string(), n as f64, n.to_string())
        })
        .collect();
    ctx.render(
        &state.templates,
        "outreach.html",
        context! {
            from => from.to_string(), to => to.to_string(),
            reached => o.young_people_reached,
            events => o.events.total,
            registrations => Serde(&o.registrations),
            emails => o.emails_sent.total,
            chart => chart::bars(&bars),
        },
    )
}

pub async fn csv(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOrEvaluator>,
) -> Response {
    let (from, to, o) = match report(&state, &ctx, caller).await {
        Ok(found) => found,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let mut csv = Csv::new(&["measure", "key", "value"]);
    let mut row = |measure: &str, key: &str, value: u64| {
        csv.row([Cell::from(measure), Cell::from(key), Cell::from(value)]);
    };
    row("young_people_reached", "", o.young_people_reached);
    row("events", "all", o.events.total);
    for (category, n) in &o.events.by_category {
        row("events", category, *n);
    }
    let registrations = [
        (RegistrationStatus::Confirmed, o.registrations.confirmed),
        (RegistrationStatus::Waitlisted, o.registrations.waitlisted),
        (RegistrationStatus::Cancelled, o.registrations.cancelled),
    ];
    for (status, n) in registrations {
        row("registrations", status.as_str(), n);
    }
    for (kind, n) in &o.emails_sent.by_kind {
        row("emails_sent", kind, *n);
    }
    piazza_shared::web::csv::download("piazza-outreach", from, to, csv)
}
