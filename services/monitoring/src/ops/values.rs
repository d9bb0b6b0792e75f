//! The indicators' values and the funding lines' shares over a range cut into quarters or
//! seasons (administrators and evaluators): the query read and checked, the facts of the range
//! read once, the report built by `domain::report`.

use super::indicators::READERS;
use crate::{
    db::{facts, indicators as rows, seasons},
    domain::{
        measures::Fact,
        periods::{self, By, MAX_PERIODS, Period, SeasonSpan},
        report::{self, IndicatorReport, PeriodFundingShares},
    },
    state::AppState,
};
use chrono::{Datelike, NaiveDate};
use piazza_shared::{
    auth::Caller,
    http::{ApiError, Violations},
    time::parse_date,
};
use serde::Deserialize;
use utoipa::IntoParams;

/// The range and how to cut it, as the query string gives them.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ValuesQuery {
    /// `quarter` (default) or `season`.
    pub by: Option<String>,
    /// First day (YYYY-MM-DD, local). Default: 1 January of this year; by season without
    /// dates, the first day of the first season.
    pub from: Option<String>,
    /// Last day, inclusive (YYYY-MM-DD, local). Default: 31 December of `from`'s year; by
    /// season without dates, the last day of the last season.
    pub to: Option<String>,
}

/// The query checked: how to cut, and the first and last day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub by: By,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

fn year_bounds(day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let first = NaiveDate::from_ymd_opt(day.year(), 1, 1).unwrap_or(day);
    let last = NaiveDate::from_ymd_opt(day.year(), 12, 31).unwrap_or(day);
    (first, last)
}

/// Reads `query` (422 naming the parameter at fault), with `all_seasons` for the defaults of a
/// range by season.
pub fn range(
    query: &ValuesQuery,
    today: NaiveDate,
    all_seasons: &[SeasonSpan],
) -> Result<Range, ApiError> {
    let mut v = Violations::new();
    let by = match query.by.as_deref() {
        None | Some("") => Some(By::Quarter),
        Some(text) => {
            let by = By::parse(text);
            v.check(by.is_some(), "by", "must be quarter or season");
            by
        }
    };
    let mut day = |field: &str, value: &Option<String>| match value.as_deref() {
        None | Some("") => Some(None),
        Some(text) => {
            let date = parse_date(text);
            v.check(date.is_some(), field, "must be a date (YYYY-MM-DD)");
            date.map(Some)
        }
    };
    let from = day("from", &query.from);
    let to = day("to", &query.to);
    v.finish()?;
    let (Some(by), Some(from), Some(to)) = (by, from, to) else {
        return Err(ApiError::field("query", "invalid range"));
    };
    let (from, to) = match (by, from, to) {
        (By::Season, None, None) if !all_seasons.is_empty() => (
            all_seasons
                .iter()
                .map(|s| s.starts_on)
                .min()
                .unwrap_or(today),
            all_seasons.iter().map(|s| s.ends_on).max().unwrap_or(today),
        ),
        (_, from, to) => {
            let from = from.unwrap_or_else(|| year_bounds(to.unwrap_or(today)).0);
            (from, to.unwrap_or_else(|| year_bounds(from).1))
        }
    };
    let mut v = Violations::new();
    v.check(from <= to, "to", "must not be before from");
    v.check(
        periods::quarter_count(from, to) <= MAX_PERIODS as i64,
        "to",
        "the range may span at most ten years",
    );
    v.finish()?;
    Ok(Range { by, from, to })
}

/// The range of `query` cut into periods, and the live facts of those periods: read once, and
/// counted in memory by `domain::measures` (a season of a historic centre is thousands of facts,
/// not millions).
struct Counted {
    range: Range,
    periods: Vec<Period>,
    facts: Vec<Fact>,
}

async fn counted(state: &AppState, query: &ValuesQuery) -> Result<Counted, ApiError> {
    let zone = state.settings.time_zone;
    let today = piazza_shared::clock::now()
        .with_timezone(&zone)
        .date_naive();
    let conn = state.db.conn();
    let all_seasons = seasons::spans(conn).await?;
    let range = range(query, today, &all_seasons)?;
    let periods = match range.by {
        By::Quarter => periods::quarters(range.from, range.to, zone),
        By::Season => periods::seasons(&all_seasons, range.from, range.to, zone),
    };
    let facts = match (
        periods.iter().map(|p| p.start).min(),
        periods.iter().map(|p| p.end).max(),
    ) {
        (Some(start), Some(end)) => facts::live_between(conn, start, end).await?,
        _ => Vec::new(),
    };
    Ok(Counted {
        range,
        periods,
        facts,
    })
}

/// Every indicator's value per period of `query`, with the funding lines' shares
/// (administrators and evaluators).
pub async fn values(
    state: &AppState,
    caller: &Caller,
    query: &ValuesQuery,
) -> Result<IndicatorReport, ApiError> {
    caller.require(&READERS)?;
    let Counted {
        range,
        periods,
        facts,
    } = counted(state, query).await?;
    let indicators = rows::all(state.db.conn()).await?;
    Ok(report::build(
        range.by, range.from, range.to, periods, indicators, &facts,
    ))
}

/// The funding lines' shares per period of `query`, without the indicators (administrators
/// and evaluators).
pub async fn funding_shares(
    state: &AppState,
    caller: &Caller,
    query: &ValuesQuery,
) -> Result<(Range, Vec<Period>, Vec<PeriodFundingShares>), ApiError> {
    caller.require(&READERS)?;
    let Counted {
        range,
        periods,
        facts,
    } = counted(state, query).await?;
    let shares = report::shares(&periods, &facts);
    Ok((range, periods, shares))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn query(by: Option<&str>, from: Option<&str>, to: Option<&str>) -> ValuesQuery {
        ValuesQuery {
            by: by.map(Into::into),
            from: from.map(Into::into),
            to: to.map(Into::into),
        }
    }

    #[test]
    fn the_range_defaults_to_this_year_and_names_the_parameter_at_fault() {
        let today = day(2027, 5, 4);
        let r = range(&query(None, None, None), today, &[]).unwrap();
        assert_eq!(
            (r.by, r.from, r.to),
            (By::Quarter, day(2027, 1, 1), day(2027, 12, 31))
        );
        let season = SeasonSpan {
            id: uuid::Uuid::nil(),
            name: "S".into(),
            starts_on: day(2026, 9, 1),
            ends_on: day(2027, 6, 30),
        };
        let r = range(&query(Some("season"), None, None), today, &[season]).unwrap();
        assert_eq!((r.from, r.to), (day(2026, 9, 1), day(2027, 6, 30)));
        for (q, field) in [
            (query(Some("month"), None, None), "by"),
            (query(None, Some("2027-13-01"), None), "from"),
            (query(None, Some("2027-02-01"), Some("2027-01-01")), "to"),
            (query(None, Some("2000-01-01"), Some("2027-01-01")), "to"),
        ] {
            match range(&q, today, &[]) {
                Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, field),
                other => panic!("{q:?}: {other:?}"),
            }
        }
    }
}
