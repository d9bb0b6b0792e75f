//! The administrator's approval queue in booking: approve, or reject with a reason. A request
//! that waits for sectors' sign-offs shows which have signed, and is approved by them.

use super::{rows, state::PageState};
use crate::{
    domain::BookingStatus,
    error::BookingError,
    ops::{
        bookings::{self, BookingFilter, RejectBody},
        sectors, signoffs,
        spaces::SpaceFilter,
    },
};
use axum::{extract::State, response::Response};
use minijinja::{context, value::Serde};
use piazza_shared::{
    http::{ApiError, Path},
    web::{AdminOnly, CsrfForm, SignedIn, page::see_other},
};
use uuid::Uuid;

/// Requests awaiting a decision, oldest first.
pub async fn queue(
    State(state): State<PageState>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
) -> Response {
    let filter = BookingFilter {
        status: Some(BookingStatus::Requested),
        limit: Some(500),
        ..BookingFilter::default()
    };
    let listed = bookings::list(&state.app, &caller, filter)
        .await
        .map_err(ApiError::from);
    let spaces = rows::all_spaces(&state.app, SpaceFilter::default()).await;
    let (page, spaces) = match (listed, spaces) {
        (Ok(page), Ok(spaces)) => (page, spaces),
        (Err(error), _) | (_, Err(error)) => return ctx.api_error(&state.templates, error),
    };
    // A series waits as one request: show its first occurrence and how many there are.
    let mut seen = std::collections::HashMap::<Uuid, usize>::new();
    let mut shown = Vec::new();
    for booking in &page.items {
        let key = booking.series_id.unwrap_or(booking.id);
        *seen.entry(key).or_default() += 1;
        if seen[&key] == 1 {
            shown.push(booking.clone());
        }
    }
    let counts: Vec<usize> = shown
        .iter()
        .map(|b| seen[&b.series_id.unwrap_or(b.id)])
        .collect();
    let spaces = rows::by_id(spaces);
    // Which sectors have signed a request that waits for sign-offs (none for the others).
    let ids: Vec<Uuid> = shown.iter().map(|b| b.id).collect();
    let (signed, sectors) = match (
        signoffs::of_requests(&state.app, &caller, &ids).await,
        sectors::list(&state.app, &caller).await,
    ) {
        (Ok(signed), Ok(sectors)) => (signed, sectors),
        (Err(error), _) | (_, Err(error)) => return ctx.api_error(&state.templates, error.into()),
    };
    let lang = ctx.lang;
    let signoffs: Vec<Vec<_>> = shown
        .iter()
        .map(|b| {
            signed
                .iter()
                .filter(|s| s.booking_id == b.id)
                .map(|s| {
                    let name = sectors
                        .iter()
                        .find(|x| x.code == s.sector)
                        .map(|x| lang.pick(&x.name_it, &x.name_en).to_string())
                        .unwrap_or_else(|| s.sector.clone());
                    let said = match s.status.as_str() {
                        "approved" => lang.pick("approvato", "approved"),
                        "rejected" => lang.pick("respinto", "rejected"),
                        _ => lang.pick("in attesa", "pending"),
                    };
                    context! { sector => name, status => &s.status, status_text => said }
                })
                .collect()
        })
        .collect();
    ctx.render(
        &state.templates,
        "queue.html",
        context! {
            bookings => Serde(rows::booking_rows(&shown, &spaces, &state.app, ctx.lang)),
            signoffs => signoffs,
            counts => counts,
            done => ctx.param("done"),
            failed => ctx.param("failed"),
        },
    )
}

/// Whether a decision was refused because the booking was decided (or changed) meanwhile.
fn decided(error: &BookingError) -> bool {
    matches!(
        error,
        BookingError::NotRequested(_)
            | BookingError::Changed
            | BookingError::Api(ApiError::Conflict { .. })
    )
}

pub async fn approve(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    _: CsrfForm,
) -> Response {
    match bookings::approve(&state.app, &caller, id).await {
        Ok(_) => see_other("/admin/bookings?done=approved"),
        Err(error) if decided(&error) => see_other("/admin/bookings?failed=decided"),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}

pub async fn reject(
    State(state): State<PageState>,
    Path(id): Path<Uuid>,
    SignedIn { caller, ctx, .. }: SignedIn<AdminOnly>,
    CsrfForm(form): CsrfForm,
) -> Response {
    let body = RejectBody {
        reason: form.get("reason").to_string(),
    };
    match bookings::reject(&state.app, &caller, id, body).await {
        Ok(_) => see_other("/admin/bookings?done=rejected"),
        Err(BookingError::Api(ApiError::Validation(_))) => {
            see_other("/admin/bookings?failed=reason")
        }
        Err(error) if decided(&error) => see_other("/admin/bookings?failed=decided"),
        Err(error) => ctx.api_error(&state.templates, error.into()),
    }
}
