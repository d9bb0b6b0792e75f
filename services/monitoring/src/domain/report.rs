//! The values answer: every indicator of the framework × every period, with baseline and
//! target, and the funding lines' shares per period. Pure: built from the framework, the
//! periods and the facts read once; the API, the pages and the three exports all show this
//! one value, so they cannot disagree.

use super::{
    indicators::{Indicator, Measure},
    measures::{self, Fact, FundingShares},
    periods::{By, Period},
};
use chrono::NaiveDate;
use piazza_shared::{contracts::pathway::AgeBand, small_cells::Count};
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// One indicator's figure in one period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndicatorValue {
    pub indicator_id: Uuid,
    pub code: String,
    pub measure: Measure,
    /// The period's key (see `periods`).
    pub period: String,
    /// The figure; null when it counts fewer than 5 people.
    pub value: Option<f64>,
    /// What to print: the figure, or `<5`.
    pub shown: String,
    /// Whether the figure is withheld (a people count below 5).
    pub suppressed: bool,
    /// Whether the figure counts people.
    pub people: bool,
    pub baseline: Option<f64>,
    pub target: Option<f64>,
    /// Distinct people per age band (young people reached only), each withheld below 5.
    #[schema(value_type = Option<Object>)]
    pub by_age_band: Option<BTreeMap<AgeBand, Count>>,
}

/// The funding lines' shares of one period.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct PeriodFundingShares {
    /// The period's key.
    pub period: String,
    #[serde(flatten)]
    pub shares: FundingShares,
}

/// The whole answer of `GET /api/v1/indicators/values` (and `export.json`).
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct IndicatorReport {
    pub by: By,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub periods: Vec<Period>,
    pub indicators: Vec<Indicator>,
    /// Indicator by indicator (in framework order), period by period.
    pub values: Vec<IndicatorValue>,
    /// Per period, the hours per funding line beside the plan.
    pub funding_shares: Vec<PeriodFundingShares>,
}

/// The report of `indicators` over `periods`, from `facts`.
pub fn build(
    by: By,
    from: NaiveDate,
    to: NaiveDate,
    periods: Vec<Period>,
    indicators: Vec<Indicator>,
    facts: &[Fact],
) -> IndicatorReport {
    let mut values = Vec::with_capacity(indicators.len() * periods.len());
    for indicator in &indicators {
        for period in &periods {
            let outcome =
                measures::compute(indicator.measure, facts, period, indicator.funding_line);
            values.push(IndicatorValue {
                indicator_id: indicator.id,
                code: indicator.code.clone(),
                measure: indicator.measure,
                period: period.key.clone(),
                value: outcome.figure.value(),
                shown: outcome.figure.shown(),
                suppressed: outcome.figure.suppressed(),
                people: indicator.measure.counts_people(),
                baseline: indicator.baseline,
                target: indicator.target,
                by_age_band: outcome.by_age_band,
            });
        }
    }
    let funding_shares = shares(&periods, facts);
    IndicatorReport {
        by,
        from,
        to,
        periods,
        indicators,
        values,
        funding_shares,
    }
}

/// The funding lines' shares of each of `periods`.
pub fn shares(periods: &[Period], facts: &[Fact]) -> Vec<PeriodFundingShares> {
    periods
        .iter()
        .map(|p| PeriodFundingShares {
            period: p.key.clone(),
            shares: measures::shares(facts, p),
        })
        .collect()
}

/// One cell of an exported row.
#[derive(Debug, Clone, PartialEq)]
pub enum ExportCell {
    Text(String),
    /// A figure with this many decimals.
    Number(f64, usize),
    Empty,
}

impl ExportCell {
    fn text(s: &str) -> Self {
        ExportCell::Text(s.to_string())
    }

    fn figure(value: Option<f64>, places: usize) -> Self {
        value.map_or(ExportCell::Empty, |v| ExportCell::Number(v, places))
    }
}

/// The exported table's columns. One long table for indicators, age bands and funding shares,
/// told apart by `section`, so a spreadsheet can filter it and the CSV stays one table.
pub const EXPORT_COLUMNS: [&str; 18] = [
    "section",
    "period",
    "period_label",
    "period_from",
    "period_to",
    "code",
    "name_it",
    "name_en",
    "kind",
    "measure",
    "unit",
    "funding_line",
    "age_band",
    "value",
    "shown",
    "baseline",
    "target",
    "planned_percent",
];

fn places(measure: Measure) -> usize {
    if measure == Measure::SpaceHours { 2 } else { 0 }
}

/// The report as rows of [`EXPORT_COLUMNS`]: per indicator and period its figure (`section`
/// `indicator`), the age bands of young people reached (`age_band`), and per period and
/// funding line the space and event hours (`funding_hours`, `value` in hours) and their share
/// (`funding_share`, `value` in percent, beside `planned_percent`). Aggregates only: nothing
/// in it names or points at a person.
pub fn export_rows(report: &IndicatorReport) -> Vec<Vec<ExportCell>> {
    let mut rows = Vec::new();
    let period = |key: &str| report.periods.iter().find(|p| p.key == key);
    let period_cells = |key: &str| -> [ExportCell; 4] {
        match period(key) {
            Some(p) => [
                ExportCell::text(&p.key),
                ExportCell::text(&p.label),
                ExportCell::Text(p.from.to_string()),
                ExportCell::Text(p.to.to_string()),
            ],
            None => [
                ExportCell::text(key),
                ExportCell::Empty,
                ExportCell::Empty,
                ExportCell::Empty,
            ],
        }
    };
    for v in &report.values {
        let Some(indicator) = report.indicators.iter().find(|i| i.id == v.indicator_id) else {
            continue;
        };
        let head = |section: &str, age_band: Option<AgeBand>| {
            let mut row = vec![ExportCell::text(section)];
            row.extend(period_cells(&v.period));
            row.extend([
                ExportCell::text(&indicator.code),
                ExportCell::text(&indicator.name_it),
                ExportCell::text(&indicator.name_en),
                ExportCell::text(indicator.kind.as_str()),
                ExportCell::text(indicator.measure.as_str()),
                ExportCell::text(&indicator.unit),
                indicator
                    .funding_line
                    .map_or(ExportCell::Empty, |l| ExportCell::text(l.as_str())),
                age_band.map_or(ExportCell::Empty, |b| ExportCell::text(b.as_str())),
            ]);
            row
        };
        let mut row = head("indicator", None);
        row.extend([
            ExportCell::figure(v.value, places(v.measure)),
            ExportCell::text(&v.shown),
            ExportCell::figure(v.baseline, 2),
            ExportCell::figure(v.target, 2),
            ExportCell::Empty,
        ]);
        rows.push(row);
        for (band, count) in v.by_age_band.iter().flatten() {
            let mut row = head("age_band", Some(*band));
            row.extend([
                ExportCell::figure(count.value.map(|n| n as f64), 0),
                ExportCell::Text(count.shown.to_string()),
                ExportCell::Empty,
                ExportCell::Empty,
                ExportCell::Empty,
            ]);
            rows.push(row);
        }
    }
    for shares in &report.funding_shares {
        for line in &shares.shares.lines {
            for (section, code, value, places) in [
                ("funding_hours", "space_hours", Some(line.space_hours), 2),
                ("funding_hours", "event_hours", Some(line.event_hours), 2),
                ("funding_share", "space_hours", line.space_percent, 2),
                ("funding_share", "event_hours", line.event_percent, 2),
            ] {
                let mut row = vec![ExportCell::text(section)];
                row.extend(period_cells(&shares.period));
                row.extend([
                    ExportCell::text(code),
                    ExportCell::Empty,
                    ExportCell::Empty,
                    ExportCell::Empty,
                    ExportCell::Empty,
                    ExportCell::text(if section == "funding_share" { "%" } else { "h" }),
                    ExportCell::text(line.funding_line.as_str()),
                    ExportCell::Empty,
                    ExportCell::figure(value, places),
                    ExportCell::Text(value.map_or(String::new(), |v| format!("{v:.2}"))),
                    ExportCell::Empty,
                    ExportCell::Empty,
                    if section == "funding_share" {
                        ExportCell::Number(f64::from(line.planned_percent), 0)
                    } else {
                        ExportCell::Empty
                    },
                ]);
                rows.push(row);
            }
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{
        indicators::IndicatorKind,
        measures::kind,
        periods::{self, By},
    };
    use chrono::{NaiveDate, TimeZone};
    use chrono_tz::Europe::Rome;
    use piazza_shared::contracts::funding::FundingLine;

    fn indicator(code: &str, measure: Measure, line: Option<FundingLine>) -> Indicator {
        let now = chrono::Utc::now();
        Indicator {
            id: Uuid::new_v4(),
            code: code.into(),
            kind: IndicatorKind::Output,
            name_it: "Nome".into(),
            name_en: "Name".into(),
            definition_it: String::new(),
            definition_en: String::new(),
            unit: "h".into(),
            measure,
            funding_line: line,
            baseline: None,
            target: Some(10.0),
            position: 10,
            created_at: now,
            updated_at: now,
        }
    }

    #[test]
    fn every_exported_row_fills_every_column_and_a_line_filters_its_indicator() {
        let from = NaiveDate::from_ymd_opt(2027, 1, 1).unwrap();
        let to = NaiveDate::from_ymd_opt(2027, 6, 30).unwrap();
        let periods = periods::quarters(from, to, Rome);
        let at = Rome
            .with_ymd_and_hms(2027, 2, 3, 18, 0, 0)
            .unwrap()
            .to_utc();
        let fact = |line| Fact {
            kind: kind::SPACE_USE.into(),
            subject_id: Uuid::new_v4(),
            at,
            ends_at: Some(at + chrono::Duration::hours(2)),
            space_id: Some(Uuid::new_v4()),
            funding_line: Some(line),
            age_band: None,
            person_key: None,
            amount: 1,
            live: true,
        };
        let facts = [fact(FundingLine::Fesr), fact(FundingLine::Other)];
        let report = build(
            By::Quarter,
            from,
            to,
            periods,
            vec![
                indicator("hours", Measure::SpaceHours, None),
                indicator("hours_fesr", Measure::SpaceHours, Some(FundingLine::Fesr)),
                indicator("reached", Measure::YoungPeopleReached, None),
            ],
            &facts,
        );
        let shown = |code: &str, period: &str| {
            report
                .values
                .iter()
                .find(|v| v.code == code && v.period == period)
                .map(|v| v.shown.clone())
        };
        assert_eq!(shown("hours", "2027-Q1").as_deref(), Some("4.00"));
        assert_eq!(shown("hours_fesr", "2027-Q1").as_deref(), Some("2.00"));
        assert_eq!(shown("hours", "2027-Q2").as_deref(), Some("0.00"));
        assert_eq!(shown("reached", "2027-Q1").as_deref(), Some("<5"));
        let rows = export_rows(&report);
        // 3 indicators × 2 quarters, 5 age bands × 2 quarters, 3 lines × 4 figures × 2 quarters.
        assert_eq!(rows.len(), 6 + 10 + 24);
        assert!(rows.iter().all(|r| r.len() == EXPORT_COLUMNS.len()));
    }
}
