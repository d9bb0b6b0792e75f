//! Registrations: the notifier keeps a copy of each (whom to remind, whom to tell of a change)
//! and writes to the person when a place is given, when they join the waitlist and when a place
//! frees up for them. Reminders (`reminder.due`) go to the confirmed registrants of the
//! occurrence.
//!
//! Messages may arrive out of order after retries, so a registration's state only moves forward:
//! waiting, then confirmed, then cancelled. A late "waitlisted" never undoes a promotion, and
//! nothing revives a cancelled registration (a new registration has a new id).

use crate::{
    db::deliveries::{NewDelivery, enqueue},
    db::registrations,
    domain::{Kind, RegistrationStatus},
};
use piazza_shared::{
    bus::HandleError,
    contracts::{jobs::ReminderDue, registration::RegistrationChange},
};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbErr, EntityTrait,
    QueryFilter,
};
use uuid::Uuid;

/// Stores the registration with `status`, unless the copy is already further along.
async fn keep(
    conn: &impl ConnectionTrait,
    change: &RegistrationChange,
    status: RegistrationStatus,
) -> Result<(), DbErr> {
    let r = &change.registration;
    let now = piazza_shared::clock::now();
    let known = registrations::Entity::find_by_id(r.registration_id)
        .one(conn)
        .await?;
    let created_at = known.as_ref().map_or(now, |k| k.created_at);
    if let Some(known) = &known
        && known.status() >= status
    {
        return Ok(());
    }
    let row = registrations::Model {
        id: r.registration_id,
        event_id: r.event_id,
        occurrence_id: r.occurrence_id,
        email: r.email.trim().to_lowercase(),
        name: r.name.clone(),
        language: r.language.as_str().to_string(),
        status: status.as_str().to_string(),
        cancel_url: r.cancel_url.clone(),
        created_at,
        updated_at: now,
    };
    // Every column set, so an update writes them all (a model converts to "unchanged" values).
    let active = registrations::ActiveModel::from(row).reset_all();
    if known.is_some() {
        registrations::Entity::update(active).exec(conn).await?;
    } else {
        registrations::Entity::insert(active)
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// A registration changed: keep it, and write to the person when `kind` says so.
pub async fn changed(
    txn: &DatabaseTransaction,
    change: &RegistrationChange,
    status: RegistrationStatus,
    kind: Option<Kind>,
) -> Result<(), HandleError> {
    keep(txn, change, status).await?;
    let Some(kind) = kind else { return Ok(()) };
    let r = &change.registration;
    // The scheduler found the same confirmation sent to this address moments ago (the public
    // forms' repeat window): the registration is kept, no email goes.
    if r.quiet {
        return Ok(());
    }
    // The event as it was when the place was given: the email names it even if the notifier
    // never saw it published (a pathway, say).
    let context = serde_json::json!({
        "registration_id": r.registration_id,
        "event": change.event,
        "waitlist_position": r.waitlist_position,
        "occurrence_starts_at": r.occurrence_starts_at,
    });
    enqueue(
        txn,
        vec![NewDelivery {
            kind,
            subject_id: r.registration_id,
            recipient: r.email.trim().to_lowercase(),
            subscriber_id: None,
            language: r.language,
            context,
        }],
    )
    .await?;
    Ok(())
}

/// An occurrence starts soon: one reminder to each person with a confirmed place at it.
pub async fn reminder(
    txn: &DatabaseTransaction,
    message_id: Uuid,
    message: &ReminderDue,
) -> Result<(), HandleError> {
    let occurrence = &message.occurrence;
    let registered = registrations::Entity::find()
        .filter(registrations::Column::EventId.eq(message.event.event_id))
        .filter(registrations::Column::Status.eq(RegistrationStatus::Confirmed.as_str()))
        .all(txn)
        .await?;
    let items: Vec<NewDelivery> = registered
        .into_iter()
        .filter(|r| {
            r.occurrence_id
                .is_none_or(|o| o == occurrence.occurrence_id)
        })
        .map(|r| NewDelivery {
            kind: Kind::Reminder,
            subject_id: message_id,
            recipient: r.email,
            subscriber_id: None,
            language: piazza_shared::contracts::Language::parse(&r.language).unwrap_or_default(),
            context: serde_json::json!({
                "registration_id": r.id,
                "event": message.event,
                "occurrence": occurrence,
            }),
        })
        .collect();
    let created = enqueue(txn, items).await?;
    tracing::info!(event_id = %message.event.event_id, occurrence_id = %occurrence.occurrence_id, created, "reminders queued");
    Ok(())
}
