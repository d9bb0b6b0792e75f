//! `/admin/monitoring` (administrators and evaluators): the indicators' values by quarter or by
//! season, the young people reached by age band, the funding lines' shares beside the plan,
//! and the same report as CSV, XLSX or JSON downloads. Aggregates only, through the same use
//! case as `GET /api/v1/indicators/values`.

use super::state::PageState;
use crate::{
    domain::{
        export,
        indicators::IndicatorKind,
        periods::By,
        report::{self, IndicatorReport},
    },
    ops::values::{self, ValuesQuery},
};
use axum::{extract::State, response::Response};
use minijinja::context;
use piazza_shared::{
    auth::Caller,
    contracts::pathway::AgeBand,
    http::ApiError,
    web::{AdminOrEvaluator, Lang, PageCtx, SignedIn},
};

/// The query of the page's filter form.
fn query(ctx: &PageCtx) -> ValuesQuery {
    let given = |name: &str| Some(ctx.param(name).to_string()).filter(|v| !v.is_empty());
    ValuesQuery {
        by: given("by"),
        from: given("from"),
        to: given("to"),
    }
}

async fn report(
    state: &PageState,
    ctx: &PageCtx,
    caller: &Caller,
) -> Result<IndicatorReport, ApiError> {
    values::values(&state.app, caller, &query(ctx)).await
}

fn kind_label(kind: IndicatorKind, lang: Lang) -> &'static str {
    match kind {
        IndicatorKind::Output => lang.pick("realizzazione", "output"),
        IndicatorKind::Result => lang.pick("risultato", "result"),
    }
}

fn band_label(band: AgeBand, lang: Lang) -> &'static str {
    match band {
        AgeBand::Under14 => lang.pick("meno di 14 anni", "under 14"),
        AgeBand::From14To17 => lang.pick("14–17 anni", "14–17"),
        AgeBand::From18To24 => lang.pick("18–24 anni", "18–24"),
        AgeBand::From25To29 => lang.pick("25–29 anni", "25–29"),
        AgeBand::From30 => lang.pick("30 anni e più", "30 and over"),
    }
}

/// A figure for the page: hours with a comma in Italian.
fn number(value: f64, lang: Lang) -> String {
    let text = if value.fract() == 0.0 {
        format!("{value:.0}")
    } else {
        format!("{value:.2}")
    };
    match lang {
        Lang::It => text.replace('.', ","),
        Lang::En => text,
    }
}

pub async fn page(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOrEvaluator>,
) -> Response {
    let r = match report(&state, &ctx, &caller).await {
        Ok(r) => r,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let lang = ctx.lang;
    let rows: Vec<_> = r
        .indicators
        .iter()
        .map(|i| {
            let cells: Vec<_> = r
                .periods
                .iter()
                .map(|p| {
                    let v = r
                        .values
                        .iter()
                        .find(|v| v.indicator_id == i.id && v.period == p.key);
                    let shown = v.map_or(String::new(), |v| match v.value {
                        Some(x) if !v.suppressed => number(x, lang),
                        _ => v.shown.clone(),
                    });
                    context! { shown => shown, suppressed => v.is_some_and(|v| v.suppressed) }
                })
                .collect();
            context! {
                id => i.id.to_string(), code => &i.code,
                name => lang.pick(&i.name_it, &i.name_en),
                definition => lang.pick(&i.definition_it, &i.definition_en),
                kind => kind_label(i.kind, lang),
                unit => &i.unit,
                line => i.funding_line.map(|l| l.label(lang.language())),
                baseline => i.baseline.map(|x| number(x, lang)),
                target => i.target.map(|x| number(x, lang)),
                cells => cells,
            }
        })
        .collect();
    // Age bands of the first "young people reached" indicator, period by period.
    let bands: Vec<_> = r
        .values
        .iter()
        .find(|v| v.by_age_band.is_some())
        .map(|first| {
            AgeBand::ALL
                .into_iter()
                .map(|band| {
                    let cells: Vec<String> = r
                        .periods
                        .iter()
                        .map(|p| {
                            r.values
                                .iter()
                                .find(|v| v.indicator_id == first.indicator_id && v.period == p.key)
                                .and_then(|v| v.by_age_band.as_ref())
                                .and_then(|b| b.get(&band))
                                .map_or(String::new(), |c| c.shown.to_string())
                        })
                        .collect();
                    context! { label => band_label(band, lang), code => band.as_str(), cells => cells }
                })
                .collect()
        })
        .unwrap_or_default();
    let shares: Vec<_> = r
        .funding_shares
        .iter()
        .map(|s| {
            let label = r
                .periods
                .iter()
                .find(|p| p.key == s.period)
                .map_or(s.period.clone(), |p| p.label.clone());
            context! {
                period => &s.period, label => label,
                lines => s.shares.lines.iter().map(|l| context! {
                    code => l.funding_line.as_str(),
                    name => l.funding_line.label(lang.language()),
                    space_hours => number(l.space_hours, lang),
                    space_percent => l.space_percent.map(|x| number(x, lang)),
                    event_hours => number(l.event_hours, lang),
                    event_percent => l.event_percent.map(|x| number(x, lang)),
                    planned => l.planned_percent,
                }).collect::<Vec<_>>(),
                space_without => number(s.shares.space_hours_without_line, lang),
                event_without => number(s.shares.event_hours_without_line, lang),
            }
        })
        .collect();
    let q = format!("by={}&from={}&to={}", r.by.as_str(), r.from, r.to);
    ctx.render(
        &state.templates,
        "monitoring.html",
        context! {
            by => r.by.as_str(),
            season => r.by == By::Season,
            from => r.from.to_string(), to => r.to.to_string(),
            periods => r.periods.iter().map(|p| context! { key => &p.key, label => &p.label, from => p.from.to_string(), to => p.to.to_string() }).collect::<Vec<_>>(),
            rows => rows, bands => bands, shares => shares, q => q,
            is_admin => caller.is_admin(),
        },
    )
}

/// A download of the page's report in `format` (`csv`, `xlsx` or `json`).
async fn download(state: &PageState, ctx: &PageCtx, caller: &Caller, format: &str) -> Response {
    let r = match report(state, ctx, caller).await {
        Ok(r) => r,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let rows = report::export_rows(&r);
    let (body, content_type) = match format {
        "csv" => {
            return piazza_shared::web::csv::download(
                "piazza-indicators",
                r.from,
                r.to,
                export::csv(&rows),
            );
        }
        "xlsx" => match export::xlsx(&rows) {
            Ok(bytes) => (bytes, export::XLSX_TYPE),
            Err(e) => {
                return ctx.api_error(
                    &state.templates,
                    anyhow::anyhow!("writing the workbook: {e}").into(),
                );
            }
        },
        _ => match serde_json::to_vec_pretty(&r) {
            Ok(bytes) => (bytes, "application/json"),
            Err(e) => {
                return ctx.api_error(
                    &state.templates,
                    anyhow::anyhow!("writing JSON: {e}").into(),
                );
            }
        },
    };
    let name = format!("piazza-indicators-{}-{}.{format}", r.from, r.to);
    piazza_shared::web::csv::attachment(&name, content_type, body)
}

pub async fn csv(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOrEvaluator>,
) -> Response {
    download(&state, &ctx, &caller, "csv").await
}

pub async fn xlsx(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOrEvaluator>,
) -> Response {
    download(&state, &ctx, &caller, "xlsx").await
}

pub async fn json(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOrEvaluator>,
) -> Response {
    download(&state, &ctx, &caller, "json").await
}
