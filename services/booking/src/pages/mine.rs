//! "My bookings": the operator's bookings (an administrator sees everyone's), a series as one
//! entry with its dates inside, newest request first, a page of entries at a time; each live date
//! or series can be cancelled from here. After a request, the dates a series left out are named.

use super::{rows, state::PageState};
use crate::{
    error::BookingError,
    ops::{
        bookings::{self, BookingFilter, CancelBody, CancelScope},
        spaces::SpaceFilter,
    },
    views::BookingView,
};
use axum::{extract::State, response::Response};
use chrono::{DateTime, Utc};
use minijinja::{context, value::Serde};
use piazza_shared::{
    http::{ApiError, Path},
    time::parse_instant,
    web::{CsrfForm, OperatorOrAdmin, SignedIn, page::see_other, words},
};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// Entries (a single booking, or a series) per page.
const PER_PAGE: usize = 10;
/// The most occurrences read for the page (a few organisations' seasons).
const MOST: usize = 5000;

#[derive(Serialize)]
struct Entry {
    title: String,
    space: String,
    /// The first date, and how many.
    when: String,
    count: usize,
    /// Statuses in words with how many dates have each.
    summary: String,
    /// The booking to cancel the whole series by (one of its live dates).
    live_id: Option<Uuid>,
    dates: Vec<rows::BookingRow>,
    /// The sectors whose sign-off the request waits for (or got), when sign-off rules matched.
    signoffs: Vec<rows::SignoffLine>,
}

/// `GET /bookings?page=&requested=&skipped=`.
pub async fn mine(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<OperatorOrAdmin>,
) -> Response {
    let mut items: Vec<BookingView> = Vec::new();
    let mut filter = BookingFilter {
        limit: Some(500),
        ..BookingFilter::default()
    };
    loop {
        let page = match bookings::list(&state.app, &caller, filter).await {
            Ok(page) => page,
            Err(error) => return ctx.api_error(&state.templates, error.into()),
        };
        items.extend(page.items);
        match page.next_cursor {
            Some(cursor) if items.len() < MOST => {
                filter = BookingFilter {
                    limit: Some(500),
                    cursor: Some(cursor),
                    ..BookingFilter::default()
                };
            }
            _ => break,
        }
    }
    let spaces = match rows::all_spaces(&state.app, SpaceFilter::default()).await {
        Ok(spaces) => rows::by_id(spaces),
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    // A series is one entry, in the order of its first date; newest requests first.
    let mut groups: Vec<(Uuid, Vec<BookingView>)> = Vec::new();
    let mut at: HashMap<Uuid, usize> = HashMap::new();
    for booking in items {
        let key = booking.series_id.unwrap_or(booking.id);
        match at.get(&key) {
            Some(&i) => groups[i].1.push(booking),
            None => {
                at.insert(key, groups.len());
                groups.push((key, vec![booking]));
            }
        }
    }
    // Ids are v7 (time-ordered): they settle requests made in the same instant.
    groups.sort_by_key(|(key, dates)| {
        std::cmp::Reverse((dates.iter().map(|d| d.created_at).min(), *key))
    });
    let pages = groups.len().div_ceil(PER_PAGE).max(1);
    let page = ctx
        .param("page")
        .parse::<usize>()
        .unwrap_or(1)
        .clamp(1, pages);
    let shown_groups = || groups.iter().skip((page - 1) * PER_PAGE).take(PER_PAGE);
    let ids: Vec<Uuid> = shown_groups()
        .flat_map(|(_, dates)| dates.iter().map(|d| d.id))
        .collect();
    let mut signoffs = match rows::signoff_lines(&state.app, &ids, ctx.lang).await {
        Ok(lines) => lines,
        Err(error) => return ctx.api_error(&state.templates, error),
    };
    let entries: Vec<Entry> = shown_groups()
        .map(|(_, dates)| {
            let shown = rows::booking_rows(dates, &spaces, &state.app, ctx.lang);
            let mut counts: Vec<(String, usize)> = Vec::new();
            for row in &shown {
                match counts.iter_mut().find(|(s, _)| *s == row.status_text) {
                    Some((_, n)) => *n += 1,
                    None => counts.push((row.status_text.clone(), 1)),
                }
            }
            let summary = counts
                .iter()
                .map(|(s, n)| {
                    if dates.len() > 1 {
                        format!("{n} {s}")
                    } else {
                        s.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            Entry {
                title: shown[0].title.clone(),
                space: shown[0].space.clone(),
                when: shown[0].when.clone(),
                count: shown.len(),
                summary,
                live_id: dates.iter().find(|d| d.status.holds_slot()).map(|d| d.id),
                dates: shown,
                signoffs: dates
                    .iter()
                    .flat_map(|d| signoffs.remove(&d.id).unwrap_or_default())
                    .collect(),
            }
        })
        .collect();
    let zone = state.app.settings.time_zone;
    let skipped: Vec<String> = ctx
        .param("skipped")
        .split(',')
        .filter_map(|s| parse_instant(s).ok())
        .map(|s: DateTime<Utc>| {
            let local = s.with_timezone(&zone);
            format!(
                "{}, {}",
                words::date(local.date_naive(), ctx.lang),
                local.format("%H:%M")
            )
        })
        .collect();
    ctx.render(
        &state.templates,
        "bookings.html",
        context! {
            entries => Serde(entries),
            page => page,
            pages => pages,
            requested => ctx.param("requested"),
            skipped => skipped,
            done => ctx.param("done"),
        },
    )
}

/// `POST /bookings/{id}/cancel` with `scope` `occurrence` (that date) or `series` (every live
/// date of its series).
pub async fn cancel(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<OperatorOrAdmin>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let scope = match form.get("scope") {
        "series" => CancelScope::Series,
        _ => CancelScope::Occurrence,
    };
    let body = CancelBody {
        reason: None,
        scope,
    };
    let back = match form.get("page") {
        "" => String::new(),
        page => format!("&page={}", page.parse::<usize>().unwrap_or(1)),
    };
    match bookings::cancel(&state.app, &caller, id, body).await {
        Ok(_) => see_other(&format!("/bookings?done=cancelled{back}")),
        // Cancelled meanwhile (another tab, an administrator): the page shows it as it is.
        Err(BookingError::NotLive(_) | BookingError::Changed) => {
            see_other(&format!("/bookings?done=already{back}"))
        }
        // The operator's own event uses the booking: said in the page's language.
        Err(BookingError::InUse(_)) => ctx.error(
            &state.templates,
            axum::http::StatusCode::CONFLICT,
            ctx.t(
                "Un vostro evento si svolge in questa prenotazione: annullate o spostate prima l'evento.",
                "One of your events takes place in this booking: cancel or move the event first.",
            ),
        ),
        Err(error) => ctx.api_error(&state.templates, ApiError::from(error)),
    }
}
