//! The indicator framework's use cases: list and read (administrators and evaluators), add,
//! change and remove (administrators), each change audited in its own transaction.

use crate::{
    db::indicators as rows,
    domain::indicators::{
        DEFINITION_MAX, Indicator, IndicatorKind, Measure, NAME_MAX, UNIT_MAX, figure_problem,
        is_code,
    },
    state::AppState,
};
use piazza_shared::{
    audit,
    auth::{Caller, Role},
    contracts::funding::FundingLine,
    http::{ApiError, Violations, nullable},
};
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Who may read the framework and its values.
pub const READERS: [Role; 2] = [Role::Admin, Role::Evaluator];

/// An indicator to add.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewIndicator {
    /// 2 to 40 characters of `a-z`, digits and `_`, starting with a letter; unique.
    #[schema(pattern = "^[a-z][a-z0-9_]{1,39}$")]
    pub code: String,
    /// `output` or `result`.
    #[schema(example = "output")]
    pub kind: String,
    #[schema(max_length = 200)]
    pub name_it: String,
    #[schema(max_length = 200)]
    pub name_en: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub definition_it: String,
    #[serde(default)]
    #[schema(max_length = 2000)]
    pub definition_en: String,
    #[schema(max_length = 40)]
    pub unit: String,
    /// One of the measures (`spaces_reactivated`, `space_hours`, `events_held`, …).
    #[schema(example = "space_hours")]
    pub measure: String,
    /// `fesr`, `fse_plus` or `other`: only that line's facts; absent or null for all.
    pub funding_line: Option<String>,
    #[schema(minimum = 0)]
    pub baseline: Option<f64>,
    #[schema(minimum = 0)]
    pub target: Option<f64>,
    /// Order (ascending); default after the last.
    pub position: Option<i32>,
}

/// A change to an indicator: absent fields stay, `null` clears the nullable ones.
#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorPatch {
    pub code: Option<String>,
    pub kind: Option<String>,
    pub name_it: Option<String>,
    pub name_en: Option<String>,
    pub definition_it: Option<String>,
    pub definition_en: Option<String>,
    pub unit: Option<String>,
    pub measure: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<String>, nullable)]
    pub funding_line: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>, nullable)]
    pub baseline: Option<Option<f64>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<f64>, nullable)]
    pub target: Option<Option<f64>>,
    pub position: Option<i32>,
}

fn check_text(v: &mut Violations, field: &str, text: &str, max: usize, required: bool) {
    if required {
        v.check(!text.trim().is_empty(), field, "must not be empty");
    }
    v.check(
        text.trim().chars().count() <= max,
        field,
        format!("must be at most {max} characters"),
    );
}

fn check_figure(v: &mut Violations, field: &str, value: Option<f64>) {
    if let Some(problem) = value.and_then(figure_problem) {
        v.add(field, problem);
    }
}

fn parse_kind(v: &mut Violations, kind: &str) -> Option<IndicatorKind> {
    let parsed = IndicatorKind::parse(kind);
    v.check(parsed.is_some(), "kind", "must be output or result");
    parsed
}

fn parse_measure(v: &mut Violations, measure: &str) -> Option<Measure> {
    let parsed = Measure::parse(measure);
    if parsed.is_none() {
        let known: Vec<&str> = Measure::ALL.iter().map(|m| m.as_str()).collect();
        v.add("measure", format!("must be one of {}", known.join(", ")));
    }
    parsed
}

fn parse_line(v: &mut Violations, line: Option<&str>) -> Option<Option<FundingLine>> {
    match line {
        None => Some(None),
        Some(code) => {
            let parsed = FundingLine::parse(code);
            v.check(
                parsed.is_some(),
                "funding_line",
                "must be fesr, fse_plus, other or null",
            );
            parsed.map(Some)
        }
    }
}

fn check_position(v: &mut Violations, position: Option<i32>) {
    if let Some(p) = position {
        v.check(
            (0..=1_000_000).contains(&p),
            "position",
            "must be between 0 and 1000000",
        );
    }
}

/// Every indicator of the framework, in order (administrators and evaluators).
pub async fn list(state: &AppState, caller: &Caller) -> Result<Vec<Indicator>, ApiError> {
    caller.require(&READERS)?;
    Ok(rows::all(state.db.conn()).await?)
}

/// One indicator (administrators and evaluators).
pub async fn get(state: &AppState, caller: &Caller, id: Uuid) -> Result<Indicator, ApiError> {
    caller.require(&READERS)?;
    rows::Entity::find_by_id(id)
        .one(state.db.conn())
        .await?
        .and_then(rows::Model::view)
        .ok_or(ApiError::NotFound("indicator"))
}

/// Adds an indicator (administrators).
pub async fn create(
    state: &AppState,
    caller: &Caller,
    body: NewIndicator,
) -> Result<Indicator, ApiError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let mut v = Violations::new();
    v.check(
        is_code(&body.code),
        "code",
        "must be 2 to 40 characters of a-z, digits and _, starting with a letter",
    );
    let kind = parse_kind(&mut v, &body.kind);
    check_text(&mut v, "name_it", &body.name_it, NAME_MAX, true);
    check_text(&mut v, "name_en", &body.name_en, NAME_MAX, true);
    check_text(
        &mut v,
        "definition_it",
        &body.definition_it,
        DEFINITION_MAX,
        false,
    );
    check_text(
        &mut v,
        "definition_en",
        &body.definition_en,
        DEFINITION_MAX,
        false,
    );
    check_text(&mut v, "unit", &body.unit, UNIT_MAX, true);
    let measure = parse_measure(&mut v, &body.measure);
    let line = parse_line(&mut v, body.funding_line.as_deref());
    check_figure(&mut v, "baseline", body.baseline);
    check_figure(&mut v, "target", body.target);
    check_position(&mut v, body.position);
    v.finish()?;
    let (Some(kind), Some(measure), Some(line)) = (kind, measure, line) else {
        return Err(ApiError::field("body", "invalid indicator"));
    };
    let unit = state.begin().await?;
    if rows::by_code(&*unit, &body.code).await?.is_some() {
        return Err(ApiError::field("code", "an indicator has this code"));
    }
    let position = match body.position {
        Some(p) => p,
        None => rows::next_position(&*unit).await?,
    };
    let now = piazza_shared::clock::now();
    let model = rows::Model {
        id: Uuid::now_v7(),
        code: body.code,
        kind: kind.as_str().into(),
        name_it: body.name_it.trim().into(),
        name_en: body.name_en.trim().into(),
        definition_it: body.definition_it.trim().into(),
        definition_en: body.definition_en.trim().into(),
        unit: body.unit.trim().into(),
        measure: measure.as_str().into(),
        funding_line: line.map(|l| l.as_str().to_string()),
        baseline: body.baseline,
        target: body.target,
        position,
        created_at: now,
        updated_at: now,
    };
    rows::Entity::insert(rows::ActiveModel::from(model.clone()))
        .exec_without_returning(&*unit)
        .await?;
    let view = model
        .view()
        .ok_or_else(|| ApiError::field("body", "invalid indicator"))?;
    unit.audit(
        &claims,
        "indicator.create",
        view.id,
        None,
        audit::json(&view),
    )
    .await?;
    unit.commit().await?;
    Ok(view)
}

/// Changes an indicator (administrators); a new code must be free.
pub async fn update(
    state: &AppState,
    caller: &Caller,
    id: Uuid,
    patch: IndicatorPatch,
) -> Result<Indicator, ApiError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let mut v = Violations::new();
    if let Some(code) = &patch.code {
        v.check(
            is_code(code),
            "code",
            "must be 2 to 40 characters of a-z, digits and _, starting with a letter",
        );
    }
    let kind = patch.kind.as_deref().map(|k| parse_kind(&mut v, k));
    for (field, text, max) in [
        ("name_it", &patch.name_it, NAME_MAX),
        ("name_en", &patch.name_en, NAME_MAX),
        ("unit", &patch.unit, UNIT_MAX),
    ] {
        if let Some(text) = text {
            check_text(&mut v, field, text, max, true);
        }
    }
    for (field, text) in [
        ("definition_it", &patch.definition_it),
        ("definition_en", &patch.definition_en),
    ] {
        if let Some(text) = text {
            check_text(&mut v, field, text, DEFINITION_MAX, false);
        }
    }
    let measure = patch.measure.as_deref().map(|m| parse_measure(&mut v, m));
    let line = patch
        .funding_line
        .as_ref()
        .map(|l| parse_line(&mut v, l.as_deref()));
    if let Some(baseline) = patch.baseline {
        check_figure(&mut v, "baseline", baseline);
    }
    if let Some(target) = patch.target {
        check_figure(&mut v, "target", target);
    }
    check_position(&mut v, patch.position);
    v.finish()?;
    let unit = state.begin().await?;
    let Some(row) = rows::Entity::find_by_id(id).one(&*unit).await? else {
        return Err(ApiError::NotFound("indicator"));
    };
    let before = row.clone().view();
    if let Some(code) = &patch.code
        && *code != row.code
        && rows::by_code(&*unit, code).await?.is_some()
    {
        return Err(ApiError::field("code", "an indicator has this code"));
    }
    let mut active = rows::ActiveModel::from(row);
    if let Some(code) = patch.code {
        active.code = Set(code);
    }
    if let Some(Some(kind)) = kind {
        active.kind = Set(kind.as_str().into());
    }
    if let Some(Some(measure)) = measure {
        active.measure = Set(measure.as_str().into());
    }
    if let Some(Some(line)) = line {
        active.funding_line = Set(line.map(|l| l.as_str().to_string()));
    }
    for (slot, text) in [
        (&mut active.name_it, patch.name_it),
        (&mut active.name_en, patch.name_en),
        (&mut active.definition_it, patch.definition_it),
        (&mut active.definition_en, patch.definition_en),
        (&mut active.unit, patch.unit),
    ] {
        if let Some(text) = text {
            *slot = Set(text.trim().to_string());
        }
    }
    if let Some(baseline) = patch.baseline {
        active.baseline = Set(baseline);
    }
    if let Some(target) = patch.target {
        active.target = Set(target);
    }
    if let Some(position) = patch.position {
        active.position = Set(position);
    }
    active.updated_at = Set(piazza_shared::clock::now());
    let after = active
        .update(&*unit)
        .await?
        .view()
        .ok_or_else(|| ApiError::field("body", "invalid indicator"))?;
    unit.audit(
        &claims,
        "indicator.update",
        id,
        before.as_ref().and_then(audit::json),
        audit::json(&after),
    )
    .await?;
    unit.commit().await?;
    Ok(after)
}

/// Removes an indicator from the framework (administrators); the facts stay, so adding it back
/// shows the same figures.
pub async fn delete(state: &AppState, caller: &Caller, id: Uuid) -> Result<(), ApiError> {
    let claims = caller.require(&[Role::Admin])?.clone();
    let unit = state.begin().await?;
    let Some(row) = rows::Entity::find_by_id(id).one(&*unit).await? else {
        return Err(ApiError::NotFound("indicator"));
    };
    let before = row.clone().view();
    rows::Entity::delete_by_id(id).exec(&*unit).await?;
    unit.audit(
        &claims,
        "indicator.delete",
        id,
        before.as_ref().and_then(audit::json),
        None,
    )
    .await?;
    unit.commit().await?;
    Ok(())
}
