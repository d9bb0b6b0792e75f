//! Subscribers: subscribing (public, double opt-in, a guardian under 14), and a person's own
//! data — export and erasure — for the holder of the signed link from their emails.

use super::links::LinkHolder;
use crate::{
    db::{
        consents,
        deliveries::{self, NewDelivery, enqueue},
        subscribers,
    },
    domain::{ConsentAction, Frequency, Kind, SubscriberStatus, may_be_under_consent_age},
    error::NotifierError,
    state::AppState,
};
use chrono::{DateTime, Datelike, Utc};
use piazza_shared::{
    confirmations::{self, Admitted, Ask, Proof},
    contracts::{Category, Language},
    email::{normalise_email, plausible_email},
    http::Violations,
    web::challenge::Answered,
};
use sea_orm::{ColumnTrait, Condition, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// Domains of throwaway mailboxes: a subscription to one would never be read.
const DISPOSABLE: &[&str] = &[
    "mailinator.com",
    "guerrillamail.com",
    "10minutemail.com",
    "yopmail.com",
    "trashmail.com",
    "tempmail.com",
    "temp-mail.org",
    "sharklasers.com",
    "getnada.com",
    "dispostable.com",
    "maildrop.cc",
    "throwawaymail.com",
    "fakeinbox.com",
];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSubscriber {
    pub email: String,
    #[schema(min_items = 1)]
    pub interests: Vec<Category>,
    pub birth_year: i64,
    #[serde(default)]
    pub language: Language,
    pub frequency: Frequency,
    /// Required when the person may be under 14; the guardian confirms.
    #[serde(default)]
    pub guardian_email: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Accepted {
    /// Always `pending`: the same answer whether or not the address was known.
    pub status: SubscriberStatus,
    pub detail: String,
}

fn check_address(v: &mut Violations, field: &str, email: &str) {
    if !plausible_email(email) {
        v.add(field, "is not an email address");
    } else if let Some((_, domain)) = email.rsplit_once('@')
        && DISPOSABLE.contains(&domain)
    {
        v.add(
            field,
            "use an address you read: disposable mailboxes are not accepted",
        );
    }
}

/// A subscription asked for, checked whole: the address (and the guardian's under 14), the
/// interests and the year of birth.
struct Checked {
    email: String,
    guardian: Option<String>,
    interests: Vec<Category>,
    birth_year: i32,
}

fn check(body: &NewSubscriber) -> Result<Checked, NotifierError> {
    let email = normalise_email(&body.email);
    let guardian = body
        .guardian_email
        .as_deref()
        .map(normalise_email)
        .filter(|g| !g.is_empty());
    let year = piazza_shared::clock::now().year();
    let mut v = Violations::new();
    check_address(&mut v, "email", &email);
    v.check(
        !body.interests.is_empty(),
        "interests",
        "choose at least one interest",
    );
    let birth_year = i32::try_from(body.birth_year).unwrap_or(0);
    v.check(birth_year <= year, "birth_year", "is in the future");
    v.check(
        birth_year > year - 100 && birth_year <= year - 8,
        "birth_year",
        format!("must be between {} and {}", year - 99, year - 8),
    );
    let minor = may_be_under_consent_age(birth_year, year);
    match &guardian {
        None if minor => v.add(
            "guardian_email",
            "under 14 a parent or guardian must consent: give their email",
        ),
        Some(g) => {
            check_address(&mut v, "guardian_email", g);
            v.check(
                *g != email,
                "guardian_email",
                "must differ from the subscriber's email",
            );
        }
        None => {}
    }
    v.finish()?;
    let mut interests = body.interests.clone();
    interests.sort();
    interests.dedup();
    Ok(Checked {
        email,
        guardian,
        interests,
        birth_year,
    })
}

/// Subscribes (from the client address `source`): nothing but the confirmation is sent until
/// the link in it is used. The answer is the same whether or not the address was known.
///
/// The page's form brings its `challenge`, spent here; the API brings none. Either way the
/// confirmation is counted against the recipient's and the client's limits
/// ([`confirmations::admit`]): over one the answer is 429; the same confirmation again within the
/// repeat window is answered as a success and changes and sends nothing.
pub async fn subscribe(
    state: &AppState,
    source: Option<String>,
    body: NewSubscriber,
    challenge: Option<&Answered>,
) -> Result<Accepted, NotifierError> {
    let Checked {
        email,
        guardian,
        interests,
        birth_year,
    } = check(&body)?;
    let accepted = Accepted {
        status: SubscriberStatus::Pending,
        detail: "if this address can subscribe, a confirmation email is on its way".into(),
    };
    let unit = state.begin().await?;
    if let Some(answered) = challenge {
        answered.spend(&*unit).await?;
    }
    let ask = Ask {
        recipient: guardian.as_deref().unwrap_or(&email),
        field: if guardian.is_some() {
            "guardian_email"
        } else {
            "email"
        },
        client: source.as_deref(),
        subject: "subscription".into(),
        proof: challenge.map_or(Proof::Api, |a| a.proof),
    };
    if confirmations::admit(&*unit, &state.settings.forms, &ask).await? == Admitted::Quiet {
        state.commit_and_send(unit).await?;
        return Ok(accepted);
    }
    let existing = subscribers::Entity::find()
        .filter(subscribers::Column::Email.eq(email.as_str()))
        .one(&*unit)
        .await?;
    let now = piazza_shared::clock::now();
    // Known and pending or active: answer the same, send nothing (no duplicate, no disclosure).
    let subscriber_id = match existing {
        Some(s) if s.status() != SubscriberStatus::Unsubscribed => None,
        Some(s) => {
            let mut active: subscribers::ActiveModel = s.clone().into();
            active.interests = Set(serde_json::json!(interests));
            active.birth_year = Set(birth_year);
            active.language = Set(body.language.as_str().to_string());
            active.frequency = Set(body.frequency.as_str().to_string());
            active.guardian_email = Set(guardian.clone());
            active.status = Set(SubscriberStatus::Pending.as_str().into());
            active.confirmed_at = Set(None);
            active.unsubscribed_at = Set(None);
            subscribers::Entity::update(active).exec(&*unit).await?;
            Some(s.id)
        }
        None => {
            let id = Uuid::now_v7();
            let model = subscribers::Model {
                id,
                email: email.clone(),
                interests: serde_json::json!(interests),
                birth_year,
                language: body.language.as_str().to_string(),
                frequency: body.frequency.as_str().to_string(),
                guardian_email: guardian.clone(),
                status: SubscriberStatus::Pending.as_str().into(),
                created_at: now,
                confirmed_at: None,
                unsubscribed_at: None,
            };
            subscribers::Entity::insert(subscribers::ActiveModel::from(model))
                .exec_without_returning(&*unit)
                .await?;
            Some(id)
        }
    };
    if let Some(id) = subscriber_id {
        let names: Vec<&str> = interests.iter().map(|c| c.as_str()).collect();
        let detail = format!(
            "asked for {} emails about {} in {}{}",
            body.frequency.as_str(),
            names.join(", "),
            body.language.as_str(),
            guardian
                .as_ref()
                .map(|g| format!("; guardian {g} to consent"))
                .unwrap_or_default()
        );
        let consent_id =
            consents::record(&*unit, id, ConsentAction::Subscribed, &detail, source).await?;
        let recipient = guardian.clone().unwrap_or_else(|| email.clone());
        enqueue(
            &*unit,
            vec![NewDelivery {
                kind: Kind::ConfirmSubscription,
                // Keyed by this request, so a later re-subscription gets its own confirmation.
                subject_id: consent_id,
                recipient,
                subscriber_id: Some(id),
                language: body.language,
                context: serde_json::Value::Null,
            }],
        )
        .await?;
    }
    state.commit_and_send(unit).await?;
    Ok(accepted)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ConsentRecord {
    pub action: String,
    pub detail: String,
    pub source: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct EmailRecord {
    pub kind: String,
    pub state: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
}

/// Everything Piazza holds about one person.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonalData {
    pub email: String,
    pub interests: Vec<Category>,
    pub birth_year: i32,
    pub language: String,
    pub frequency: String,
    pub guardian_email: Option<String>,
    pub status: String,
    pub created_at: DateTime<Utc>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub unsubscribed_at: Option<DateTime<Utc>>,
    pub consents: Vec<ConsentRecord>,
    pub emails: Vec<EmailRecord>,
}

/// Everything Piazza holds about the link's holder (GDPR art. 15 and 20).
pub async fn export(state: &AppState, holder: LinkHolder) -> Result<PersonalData, NotifierError> {
    let s = holder.into_subscriber();
    let consents = consents::Entity::find()
        .filter(consents::Column::SubscriberId.eq(s.id))
        .order_by_asc(consents::Column::At)
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|c| ConsentRecord {
            action: c.action,
            detail: c.detail,
            source: c.source,
            at: c.at,
        })
        .collect();
    let emails = deliveries::Entity::find()
        .filter(deliveries::Column::SubscriberId.eq(s.id))
        .order_by_asc(deliveries::Column::CreatedAt)
        .all(state.db.conn())
        .await?
        .into_iter()
        .map(|d| EmailRecord {
            kind: d.kind,
            state: d.state,
            created_at: d.created_at,
            sent_at: d.sent_at,
        })
        .collect();
    Ok(PersonalData {
        interests: s.interests(),
        email: s.email,
        birth_year: s.birth_year,
        language: s.language,
        frequency: s.frequency,
        guardian_email: s.guardian_email,
        status: s.status,
        created_at: s.created_at,
        confirmed_at: s.confirmed_at,
        unsubscribed_at: s.unsubscribed_at,
        consents,
        emails,
    })
}

/// Erases the link's holder (GDPR art. 17): the subscriber and the consent log go; the records
/// of emails sent keep only what the outreach report counts (kind, subject, when), under a
/// placeholder recipient that is the same for this person's rows and names nobody.
pub async fn erase(state: &AppState, holder: LinkHolder) -> Result<(), NotifierError> {
    let s = holder.into_subscriber();
    let unit = state.begin().await?;
    deliveries::forget(
        &*unit,
        Condition::all().add(deliveries::Column::SubscriberId.eq(s.id)),
    )
    .await?;
    consents::Entity::delete_many()
        .filter(consents::Column::SubscriberId.eq(s.id))
        .exec(&*unit)
        .await?;
    subscribers::Entity::delete_by_id(s.id).exec(&*unit).await?;
    unit.commit().await?;
    tracing::info!(subscriber_id = %s.id, "subscriber erased on request");
    Ok(())
}
