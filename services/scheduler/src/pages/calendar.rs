//! `/`: the public calendar as a month grid, a week or a list, filtered by category, age and
//! words in the title or description. It reads the same published occurrences as
//! `GET /api/v1/events` (`ops::listing`). A period with nothing in it shows the next events
//! after it instead, saying so, so that an empty month never looks like an empty programme.

use super::state::PageState;
use crate::{ops::listing, views::OccurrenceItem};
use axum::{extract::State, response::Response};
use chrono::{Datelike, Duration, NaiveDate};
use minijinja::{context, value::Serde};
use piazza_shared::{
    contracts::Category,
    http::ApiError,
    images::ImageView,
    time::parse_zone,
    web::{Lang, PageCtx, words},
};
use serde::Serialize;
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum View {
    Month,
    Week,
    List,
}

#[derive(Debug, Serialize)]
struct Item {
    event_id: String,
    title: String,
    when: String,
    time: String,
    day: String,
    place: String,
    categories: Vec<String>,
    ages: String,
    cancelled: bool,
    image: Option<ImageView>,
}

fn ages(min: Option<u8>, max: Option<u8>, lang: Lang) -> String {
    match (min, max) {
        (Some(a), Some(b)) => format!("{a}–{b} {}", lang.pick("anni", "years")),
        (Some(a), None) => format!("{a}+ {}", lang.pick("anni", "years")),
        (None, Some(b)) => format!(
            "{} {b} {}",
            lang.pick("fino a", "up to"),
            lang.pick("anni", "years")
        ),
        (None, None) => lang.pick("per tutti", "all ages").to_string(),
    }
}

fn item(o: &OccurrenceItem, lang: Lang, fallback: chrono_tz::Tz) -> Item {
    let zone = parse_zone(&o.time_zone).unwrap_or(fallback);
    let start = o.starts_at.with_timezone(&zone);
    Item {
        event_id: o.event_id.to_string(),
        title: o.title.clone(),
        when: words::span(o.starts_at, o.ends_at, zone, lang),
        time: start.format("%H:%M").to_string(),
        day: start.date_naive().to_string(),
        place: o
            .place
            .as_ref()
            .map(|p| format!("{}, {}", p.name, p.building))
            .or_else(|| o.location.clone())
            .unwrap_or_default(),
        categories: o
            .categories
            .iter()
            .map(|c| words::category(c.as_str(), lang))
            .collect(),
        ages: ages(o.age_min, o.age_max, lang),
        cancelled: o.status == "cancelled",
        image: o.image.clone(),
    }
}

/// What the visitor filters by.
struct Wanted {
    category: Option<Category>,
    age: Option<u8>,
    q: Option<String>,
}

/// Every published occurrence in `[from, to]` (local dates), following the cursor.
async fn occurrences(
    state: &PageState,
    from: NaiveDate,
    to: NaiveDate,
    wanted: &Wanted,
) -> Result<Vec<OccurrenceItem>, ApiError> {
    let mut items = Vec::new();
    let mut cursor = None;
    // A calendar page shows at most a few hundred; the cap keeps a busy month from running long.
    while items.len() < 2000 {
        let filter = listing::CalendarFilter {
            from: Some(from.to_string()),
            to: Some(to.to_string()),
            category: wanted.category,
            age: wanted.age,
            q: wanted.q.clone(),
            cursor: cursor.take(),
            limit: Some(500),
            ..listing::CalendarFilter::default()
        };
        let page = listing::list(&state.app, filter).await?;
        items.extend(page.items);
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    Ok(items)
}

pub async fn page(State(state): State<PageState>, ctx: PageCtx) -> Response {
    let zone = state.app.settings.time_zone;
    let today = piazza_shared::clock::now()
        .with_timezone(&zone)
        .date_naive();
    let view = match ctx.param("view") {
        "month" => View::Month,
        "week" => View::Week,
        _ => View::List,
    };
    let anchor = NaiveDate::parse_from_str(ctx.param("date"), "%Y-%m-%d").unwrap_or(today);
    let category = Category::ALL
        .into_iter()
        .find(|c| c.as_str() == ctx.param("category"));
    let age = ctx.param("age").parse::<u8>().ok().filter(|a| *a <= 120);
    let (from, to, previous, next, heading) = match view {
        View::Month => {
            let first = anchor.with_day(1).unwrap_or(anchor);
            let next = first
                .checked_add_months(chrono::Months::new(1))
                .unwrap_or(first);
            let previous = first
                .checked_sub_months(chrono::Months::new(1))
                .unwrap_or(first);
            let heading = format!(
                "{} {}",
                words::month_name(first.month(), ctx.lang),
                first.year()
            );
            (first, next - Duration::days(1), previous, next, heading)
        }
        View::Week => {
            let monday =
                anchor - Duration::days(i64::from(anchor.weekday().num_days_from_monday()));
            let sunday = monday + Duration::days(6);
            let heading = format!(
                "{} {} – {}",
                ctx.t("Settimana dal", "Week of"),
                words::date(monday, ctx.lang),
                words::date(sunday, ctx.lang)
            );
            (
                monday,
                sunday,
                monday - Duration::days(7),
                monday + Duration::days(7),
                heading,
            )
        }
        View::List => {
            let to = anchor + Duration::days(30);
            let heading = format!("{} {}", ctx.t("Dal", "From"), words::date(anchor, ctx.lang));
            (
                anchor,
                to,
                anchor - Duration::days(31),
                to + Duration::days(1),
                heading,
            )
        }
    };
    let q: String = ctx.param("q").chars().take(200).collect();
    let wanted = Wanted {
        category,
        age,
        q: Some(q.clone()).filter(|q| !q.trim().is_empty()),
    };
    let found = match occurrences(&state, from, to, &wanted).await {
        Ok(found) => found,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let items: Vec<Item> = found.iter().map(|o| item(o, ctx.lang, zone)).collect();
    // Nothing in the period: the next ones after it (or from today, for a past period).
    let later: Vec<Item> = if items.is_empty() {
        let filter = listing::CalendarFilter {
            from: Some((to + Duration::days(1)).max(today).to_string()),
            category: wanted.category,
            age: wanted.age,
            q: wanted.q.clone(),
            limit: Some(6),
            ..listing::CalendarFilter::default()
        };
        match listing::list(&state.app, filter).await {
            Ok(page) => page.items.iter().map(|o| item(o, ctx.lang, zone)).collect(),
            Err(error) => return ctx.api_error(&state.templates, error),
        }
    } else {
        Vec::new()
    };
    let mut by_day: BTreeMap<String, Vec<&Item>> = BTreeMap::new();
    for i in &items {
        by_day.entry(i.day.clone()).or_default().push(i);
    }
    // The month as weeks of seven days, Monday first, padded with the neighbouring months.
    let mut weeks = Vec::new();
    if view == View::Month {
        let mut day = from - Duration::days(i64::from(from.weekday().num_days_from_monday()));
        while day <= to {
            let week: Vec<_> = (0..7)
                .map(|i| {
                    let d = day + Duration::days(i);
                    context! {
                        date => d.to_string(),
                        number => d.day(),
                        label => words::date(d, ctx.lang),
                        inside => d.month() == from.month(),
                        items => Serde(by_day.get(&d.to_string()).cloned().unwrap_or_default()),
                    }
                })
                .collect();
            weeks.push(week);
            day += Duration::days(7);
        }
    }
    let days: Vec<_> = by_day
        .iter()
        .map(|(day, items)| {
            let date = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap_or(today);
            context! { label => words::date(date, ctx.lang), items => Serde(items) }
        })
        .collect();
    let weekdays: Vec<&str> = (0..7)
        .map(|i| {
            words::weekday_name(
                from - Duration::days(i64::from(from.weekday().num_days_from_monday()))
                    + Duration::days(i),
                ctx.lang,
            )
        })
        .collect();
    let view_name = match view {
        View::Month => "month",
        View::Week => "week",
        View::List => "list",
    };
    // The filters the view and period links keep.
    let keep = {
        let mut query = form_urlencoded::Serializer::new(String::new());
        query
            .append_pair("category", category.map(|c| c.as_str()).unwrap_or(""))
            .append_pair("age", &age.map(|a| a.to_string()).unwrap_or_default())
            .append_pair("q", &q);
        format!("&{}", query.finish())
    };
    let categories: Vec<_> = words::categories(ctx.lang)
        .into_iter()
        .map(|(value, label)| context! { value => value, label => label })
        .collect();
    ctx.render(
        &state.templates,
        "calendar.html",
        context! {
            view => view_name,
            heading => heading,
            date => anchor.to_string(),
            previous => previous.to_string(),
            next => next.to_string(),
            category => category.map(|c| c.as_str()).unwrap_or(""),
            age => age.map(|a| a.to_string()).unwrap_or_default(),
            q => q,
            keep => keep,
            later => Serde(later),
            categories => categories,
            days => days,
            weeks => weeks,
            weekdays => weekdays,
            count => items.len(),
        },
    )
}
