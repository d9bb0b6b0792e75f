//! Registrations: a place given (confirmed, or promoted from the waitlist) is a person reached at
//! the event, with the event's funding line and season and the person's age band; a cancelled
//! place ends, for good. The person is kept as a keyed hash of their address (see
//! [`crate::domain::facts::person_address`]), never the address itself: enough to count distinct
//! people. A place on the waitlist counts nobody and writes nothing.

use crate::{
    domain::facts::{self, PERSON_KEY_PURPOSE, person_address},
    ops,
    state::AppState,
};
use chrono::{DateTime, Utc};
use piazza_shared::{
    bus::HandleError,
    contracts::{registration::RegistrationChange, resync::RegistrationSnapshot},
};
use sea_orm::DatabaseTransaction;

/// Where a registration stands, as a message tells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Confirmed or promoted: counted.
    Given,
    /// On the waitlist: not counted, nothing written.
    Waiting,
    /// Cancelled: no longer counted, for good.
    Ended,
}

pub async fn changed(
    state: &AppState,
    txn: &DatabaseTransaction,
    change: &RegistrationChange,
    place: Place,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    if place == Place::Waiting {
        return Ok(());
    }
    let person = state.keys.keyed_hash(
        PERSON_KEY_PURPOSE,
        &person_address(&change.registration.email),
    );
    let Some(fact) = facts::registration(change, place == Place::Given, person) else {
        tracing::warn!(
            registration_id = %change.registration.registration_id,
            "a registration for an event without occurrences: nothing dates it, not counted"
        );
        return Ok(());
    };
    ops::facts::record(txn, vec![fact], time).await?;
    Ok(())
}

/// A registration as the scheduler holds it now.
pub async fn snapshot(
    state: &AppState,
    txn: &DatabaseTransaction,
    snapshot: &RegistrationSnapshot,
    time: DateTime<Utc>,
) -> Result<(), HandleError> {
    let place = match snapshot.status.as_str() {
        "confirmed" => Place::Given,
        "cancelled" => Place::Ended,
        _ => Place::Waiting,
    };
    changed(state, txn, &snapshot.change, place, time).await
}
