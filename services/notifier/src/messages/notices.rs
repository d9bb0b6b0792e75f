//! A notice for staff or operators (a booking request, a proposal, a call in their field): one
//! email to each recipient booking named, keyed by the thing it is about, so a redelivered
//! message or a second notice of the same thing writes no second email.

use crate::{
    db::deliveries::{NewDelivery, enqueue},
    domain::Kind,
};
use piazza_shared::{
    bus::HandleError,
    contracts::{
        Language,
        notice::{Notice, NoticeIssued},
    },
    email::normalise_email,
};
use sea_orm::DatabaseTransaction;

pub async fn issued(txn: &DatabaseTransaction, message: &NoticeIssued) -> Result<(), HandleError> {
    let kind = match message.notice {
        Notice::BookingRequested { .. } => Kind::BookingRequestNotice,
        Notice::ProposalSubmitted { .. } => Kind::ProposalNotice,
        Notice::CallOpened { .. } => Kind::CallNotice,
    };
    let subject_id = message.notice.subject_id();
    let context = serde_json::to_value(&message.notice).unwrap_or_default();
    let mut recipients: Vec<String> = message
        .recipients
        .iter()
        .map(|r| normalise_email(r))
        .collect();
    recipients.sort();
    recipients.dedup();
    let items = recipients
        .into_iter()
        .map(|recipient| NewDelivery {
            kind,
            subject_id,
            recipient,
            subscriber_id: None,
            // Accounts have no language: the email is in Italian with the English below.
            language: Language::It,
            context: context.clone(),
        })
        .collect();
    enqueue(txn, items).await?;
    Ok(())
}
