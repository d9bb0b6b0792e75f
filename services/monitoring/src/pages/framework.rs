//! `/admin/monitoring/indicators` (administrators): the indicator framework, with a form to add
//! an indicator, one to edit each (`/admin/monitoring/indicators/{id}`) and a button to remove
//! it — through the same use cases as the API, so the same checks and the same audit entries.

use super::state::PageState;
use crate::{
    domain::indicators::{Indicator, Measure},
    ops::indicators::{self, IndicatorPatch, NewIndicator},
};
use axum::{extract::State, http::StatusCode, response::Response};
use minijinja::context;
use piazza_shared::{
    auth::Caller,
    contracts::funding::FundingLine,
    http::{ApiError, Path},
    web::{AdminOnly, CsrfForm, FormData, Lang, PageCtx, SignedIn, page::see_other},
};
use std::collections::BTreeMap;
use uuid::Uuid;

fn measure_label(m: Measure, lang: Lang) -> &'static str {
    match m {
        Measure::SpacesReactivated => lang.pick("spazi riattivati", "spaces reactivated"),
        Measure::SpaceHours => lang.pick("ore di utilizzo degli spazi", "hours of space use"),
        Measure::EventsHeld => lang.pick("eventi realizzati", "events held"),
        Measure::Participants => lang.pick("partecipanti agli eventi", "event participants"),
        Measure::YoungPeopleReached => lang.pick("giovani raggiunti", "young people reached"),
        Measure::PathwayParticipants => {
            lang.pick("partecipanti ai percorsi", "pathway participants")
        }
        Measure::PathwayCompletions => lang.pick("percorsi completati", "pathways completed"),
        Measure::CodesignMeetings => lang.pick("incontri dei tavoli", "table meetings"),
        Measure::CodesignParticipants => lang.pick(
            "partecipanti alla co-progettazione",
            "co-design participants",
        ),
        Measure::IdeasReceived => lang.pick("idee ricevute", "ideas received"),
        Measure::IdeasTakenUp => lang.pick("idee accolte", "ideas taken up"),
    }
}

/// The form's fields of an indicator.
fn values_of(i: &Indicator) -> BTreeMap<String, String> {
    let figure = |x: Option<f64>| x.map_or(String::new(), |x| x.to_string());
    BTreeMap::from([
        ("code".into(), i.code.clone()),
        ("kind".into(), i.kind.as_str().into()),
        ("name_it".into(), i.name_it.clone()),
        ("name_en".into(), i.name_en.clone()),
        ("definition_it".into(), i.definition_it.clone()),
        ("definition_en".into(), i.definition_en.clone()),
        ("unit".into(), i.unit.clone()),
        ("measure".into(), i.measure.as_str().into()),
        (
            "funding_line".into(),
            i.funding_line.map_or(String::new(), |l| l.as_str().into()),
        ),
        ("baseline".into(), figure(i.baseline)),
        ("target".into(), figure(i.target)),
    ])
}

async fn render(
    state: &PageState,
    caller: &Caller,
    ctx: &PageCtx,
    status: StatusCode,
    editing: Option<Uuid>,
    values: BTreeMap<String, String>,
    errors: BTreeMap<String, String>,
) -> Response {
    let all = match indicators::list(&state.app, caller).await {
        Ok(all) => all,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let lang = ctx.lang;
    let rows: Vec<_> = all
        .iter()
        .map(|i| {
            context! {
                id => i.id.to_string(), code => &i.code,
                name => lang.pick(&i.name_it, &i.name_en),
                kind => i.kind.as_str(),
                measure => measure_label(i.measure, lang),
                line => i.funding_line.map(|l| l.label(lang.language())),
                baseline => i.baseline, target => i.target,
            }
        })
        .collect();
    let measures: Vec<_> = Measure::ALL
        .into_iter()
        .map(|m| context! { code => m.as_str(), label => measure_label(m, lang) })
        .collect();
    let lines: Vec<_> = FundingLine::ALL
        .into_iter()
        .map(|l| context! { code => l.as_str(), label => l.label(lang.language()) })
        .collect();
    ctx.render_status(
        &state.templates,
        status,
        "monitoring_indicators.html",
        context! {
            indicators => rows, measures => measures, lines => lines,
            editing => editing.map(|id| id.to_string()),
            v => values, errors => errors, done => ctx.param("done"),
        },
    )
}

/// `GET /admin/monitoring/indicators`.
pub async fn page(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    let defaults = BTreeMap::from([
        ("kind".to_string(), "output".to_string()),
        (
            "measure".to_string(),
            Measure::EventsHeld.as_str().to_string(),
        ),
    ]);
    render(
        &state,
        &caller,
        &ctx,
        StatusCode::OK,
        None,
        defaults,
        BTreeMap::new(),
    )
    .await
}

/// `GET /admin/monitoring/indicators/{id}`: the form filled with the indicator.
pub async fn edit(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    match indicators::get(&state.app, &caller, id).await {
        Ok(i) => {
            render(
                &state,
                &caller,
                &ctx,
                StatusCode::OK,
                Some(id),
                values_of(&i),
                BTreeMap::new(),
            )
            .await
        }
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

/// A number typed in the form: empty is none; a comma is a decimal point (Italian).
fn figure(
    form: &FormData,
    field: &str,
    errors: &mut BTreeMap<String, String>,
    lang: Lang,
) -> Option<f64> {
    let text = form.get(field).trim().replace(',', ".");
    if text.is_empty() {
        return None;
    }
    match text.parse::<f64>() {
        Ok(x) if x.is_finite() => Some(x),
        _ => {
            errors.insert(
                field.into(),
                lang.pick("deve essere un numero", "must be a number")
                    .into(),
            );
            None
        }
    }
}

fn line(form: &FormData) -> Option<String> {
    Some(form.get("funding_line").trim().to_string()).filter(|l| !l.is_empty())
}

/// What a use case answered, as the page shows it: a 422 shows the form again with the fields
/// at fault; anything else is the error page.
async fn answer(
    state: &PageState,
    caller: &Caller,
    ctx: &PageCtx,
    editing: Option<Uuid>,
    form: &FormData,
    result: Result<(), ApiError>,
    done: &str,
) -> Response {
    match result {
        Ok(()) => see_other(&format!("/admin/monitoring/indicators?done={done}")),
        Err(ApiError::Validation(list)) => {
            let errors = list.into_iter().map(|e| (e.field, e.message)).collect();
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            render(state, caller, ctx, status, editing, form.to_map(), errors).await
        }
        Err(error) => ctx.api_error(&state.templates, error),
    }
}

/// `POST /admin/monitoring/indicators`: adds an indicator.
pub async fn add(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let mut errors = BTreeMap::new();
    let baseline = figure(&form, "baseline", &mut errors, ctx.lang);
    let target = figure(&form, "target", &mut errors, ctx.lang);
    let result = if errors.is_empty() {
        let body = NewIndicator {
            code: form.get("code").trim().to_string(),
            kind: form.get("kind").to_string(),
            name_it: form.get("name_it").to_string(),
            name_en: form.get("name_en").to_string(),
            definition_it: form.get("definition_it").to_string(),
            definition_en: form.get("definition_en").to_string(),
            unit: form.get("unit").to_string(),
            measure: form.get("measure").to_string(),
            funding_line: line(&form),
            baseline,
            target,
            position: None,
        };
        indicators::create(&state.app, &caller, body)
            .await
            .map(|_| ())
    } else {
        Err(to_validation(errors))
    };
    answer(&state, &caller, &ctx, None, &form, result, "added").await
}

fn to_validation(errors: BTreeMap<String, String>) -> ApiError {
    ApiError::Validation(
        errors
            .into_iter()
            .map(|(f, m)| piazza_shared::http::FieldError::new(f, m))
            .collect(),
    )
}

/// `POST /admin/monitoring/indicators/{id}`: saves the edited indicator.
pub async fn save(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let mut errors = BTreeMap::new();
    let baseline = figure(&form, "baseline", &mut errors, ctx.lang);
    let target = figure(&form, "target", &mut errors, ctx.lang);
    let result = if errors.is_empty() {
        let text = |name: &str| Some(form.get(name).to_string());
        let patch = IndicatorPatch {
            code: Some(form.get("code").trim().to_string()),
            kind: text("kind"),
            name_it: text("name_it"),
            name_en: text("name_en"),
            definition_it: text("definition_it"),
            definition_en: text("definition_en"),
            unit: text("unit"),
            measure: text("measure"),
            funding_line: Some(line(&form)),
            baseline: Some(baseline),
            target: Some(target),
            position: None,
        };
        indicators::update(&state.app, &caller, id, patch)
            .await
            .map(|_| ())
    } else {
        Err(to_validation(errors))
    };
    answer(&state, &caller, &ctx, Some(id), &form, result, "saved").await
}

/// `POST /admin/monitoring/indicators/{id}/delete`: removes the indicator.
pub async fn remove(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(_form): CsrfForm,
) -> Response {
    match indicators::delete(&state.app, &caller, id).await {
        Ok(()) => see_other("/admin/monitoring/indicators?done=removed"),
        Err(error) => ctx.api_error(&state.templates, error),
    }
}
