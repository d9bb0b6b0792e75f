//! `/admin/indicators/spaces`: how much each space is used — booked hours against open hours,
//! from the utilisation report — as a bar chart, a table and CSV. Aggregates only.

use super::state::PageState;
use crate::ops::{reports, spaces::RangeQuery};
use axum::{extract::State, response::Response};
use chrono::{Datelike, NaiveDate};
use minijinja::context;
use piazza_shared::{
    auth::Caller,
    http::ApiError,
    web::{
        AdminOrEvaluator, PageCtx, SignedIn, chart,
        csv::{Cell, Csv},
    },
};

/// The page's range: `from` and `to` as given, else the current year.
fn range(ctx: &PageCtx, today: NaiveDate) -> (NaiveDate, NaiveDate) {
    let day = |name: &str, default: NaiveDate| {
        NaiveDate::parse_from_str(ctx.param(name), "%Y-%m-%d").unwrap_or(default)
    };
    let first = NaiveDate::from_ymd_opt(today.year(), 1, 1).unwrap_or(today);
    let last = NaiveDate::from_ymd_opt(today.year(), 12, 31).unwrap_or(today);
    (day("from", first), day("to", last))
}

async fn report(
    state: &PageState,
    ctx: &PageCtx,
    caller: Caller,
) -> Result<(NaiveDate, NaiveDate, reports::Utilization), ApiError> {
    let today = piazza_shared::clock::now()
        .with_timezone(&state.app.settings.time_zone)
        .date_naive();
    let (from, to) = range(ctx, today);
    let query = RangeQuery {
        from: from.to_string(),
        to: to.to_string(),
    };
    let report = reports::utilization(&state.app, &caller, query).await?;
    Ok((from, to, report))
}

/// A ratio as a whole percentage. Rounded first and then added to zero, so a ratio of zero
/// computed as a tiny negative number reads "0 %", never "-0 %".
fn percent(ratio: Option<f64>) -> String {
    ratio
        .map(|r| format!("{:.0} %", (r * 100.0).round() + 0.0))
        .unwrap_or_else(|| "–".into())
}

pub async fn page(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOrEvaluator>,
) -> Response {
    let (from, to, report) = match report(&state, &ctx, caller).await {
        Ok(found) => found,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let bars: Vec<(String, f64, String)> = report
        .spaces
        .iter()
        .map(|s| {
            (
                s.name.clone(),
                s.ratio.unwrap_or(0.0) * 100.0,
                percent(s.ratio),
            )
        })
        .collect();
    let rows: Vec<_> = report
        .spaces
        .iter()
        .map(|s| {
            context! {
                name => &s.name, building => &s.building, open => format!("{:.1}", s.open_hours),
                booked => format!("{:.1}", s.booked_hours), ratio => percent(s.ratio),
            }
        })
        .collect();
    ctx.render(
        &state.templates,
        "utilization.html",
        context! {
            from => from.to_string(), to => to.to_string(),
            chart => chart::bars(&bars), rows => rows,
        },
    )
}

pub async fn csv(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOrEvaluator>,
) -> Response {
    let (from, to, report) = match report(&state, &ctx, caller).await {
        Ok(found) => found,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let mut csv = Csv::new(&[
        "space_id",
        "space",
        "building",
        "open_hours",
        "booked_hours",
        "ratio",
    ]);
    for s in &report.spaces {
        let id = s.space_id.to_string();
        csv.row([
            Cell::from(&id),
            Cell::from(&s.name),
            Cell::from(&s.building),
            Cell::Decimal(s.open_hours, 2),
            Cell::Decimal(s.booked_hours, 2),
            s.ratio.map_or(Cell::Empty, |r| Cell::Decimal(r, 4)),
        ]);
    }
    piazza_shared::web::csv::download("piazza-utilization", from, to, csv)
}

#[cfg(test)]
mod tests {
    use super::percent;

    #[test]
    fn a_percentage_is_whole_and_never_negative_zero() {
        assert_eq!(percent(Some(-0.0)), "0 %");
        assert_eq!(percent(Some(-0.000_01)), "0 %");
        assert_eq!(percent(Some(0.456)), "46 %");
        assert_eq!(percent(None), "–");
    }
}
