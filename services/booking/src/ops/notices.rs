//! Who hears of what, decided here because booking keeps the accounts: administrators of a
//! booking request waiting for them (the members of the sectors whose sign-off it waits for,
//! when sign-off rules matched it) and of a proposal sent to a call; operators of a call
//! opened in a field their organisation works in. Each use case reads the message that says the
//! thing happened and writes one `piazza.notice.issued` with the recipients' addresses, in the
//! transaction that records the message; the notifier writes the emails, once per recipient.

use crate::{
    db::{accounts, bookings, organisations, sectors, signoffs, spaces},
    state::AppState,
};
use piazza_shared::{
    auth::Role,
    bus::HandleError,
    contracts::{
        booking::BookingRequested,
        call::{CallOpened, ProposalSubmitted},
        notice::{Notice, NoticeIssued},
    },
};
use sea_orm::{DatabaseTransaction, EntityTrait};

/// Writes the notice for `recipients`, unless there are none.
async fn issue(
    state: &AppState,
    txn: &DatabaseTransaction,
    recipients: Vec<String>,
    notice: Notice,
) -> Result<(), HandleError> {
    let subject = notice.subject_id();
    if recipients.is_empty() {
        tracing::info!(subject = %subject, "nobody to tell");
        return Ok(());
    }
    tracing::info!(subject = %subject, recipients = recipients.len(), "notice issued");
    let message = NoticeIssued {
        version: 1,
        recipients,
        notice,
    };
    state.outbox.add(txn, &message, None).await?;
    Ok(())
}

/// A booking was requested: when an operator asked (not an event's slot, not an administrator,
/// who approve their own), the active administrators hear of it, once for a whole series.
pub async fn booking_requested(
    state: &AppState,
    txn: &DatabaseTransaction,
    requested: &BookingRequested,
) -> Result<(), HandleError> {
    let booking = &requested.booking;
    let Some(row) = bookings::Entity::find_by_id(booking.booking_id)
        .one(txn)
        .await?
    else {
        return Ok(());
    };
    let requester = match row.requested_by {
        Some(id) if row.event_id.is_none() => accounts::Entity::find_by_id(id).one(txn).await?,
        _ => None,
    };
    if requester.is_none_or(|a| a.role != Role::Operator.as_str()) {
        return Ok(());
    }
    let space = spaces::Entity::find_by_id(booking.space_id)
        .one(txn)
        .await?
        .map(|s| s.name)
        .unwrap_or_default();
    // A request waiting for sectors' sign-offs is theirs to decide: their members hear of it.
    let ids = match row.series_id {
        Some(series) => bookings::series_ids(txn, series).await?,
        None => vec![row.id],
    };
    let waiting: Vec<String> = signoffs::of_bookings(txn, &ids)
        .await?
        .into_iter()
        .map(|s| s.sector)
        .collect();
    let admins = if waiting.is_empty() {
        accounts::active_addresses(txn, Role::Admin.as_str(), None).await?
    } else {
        let members = sectors::members(txn, &waiting).await?;
        accounts::active_addresses_among(txn, Role::Admin.as_str(), &members).await?
    };
    let notice = Notice::BookingRequested {
        booking: booking.clone(),
        space,
        signoffs: waiting,
    };
    issue(state, txn, admins, notice).await
}

/// A proposal was sent to a call: the active administrators hear of it.
pub async fn proposal_submitted(
    state: &AppState,
    txn: &DatabaseTransaction,
    submitted: &ProposalSubmitted,
) -> Result<(), HandleError> {
    let admins = accounts::active_addresses(txn, Role::Admin.as_str(), None).await?;
    let notice = Notice::ProposalSubmitted {
        proposal: submitted.proposal.clone(),
    };
    issue(state, txn, admins, notice).await
}

/// A call for ideas was opened: the active operators of the organisations working in one of its
/// fields hear of it (a call without fields tells nobody).
pub async fn call_opened(
    state: &AppState,
    txn: &DatabaseTransaction,
    opened: &CallOpened,
) -> Result<(), HandleError> {
    let working = organisations::working_in(txn, &opened.call.fields).await?;
    let operators = if working.is_empty() {
        Vec::new()
    } else {
        accounts::active_addresses(txn, Role::Operator.as_str(), Some(&working)).await?
    };
    let notice = Notice::CallOpened {
        call: opened.call.clone(),
    };
    issue(state, txn, operators, notice).await
}
