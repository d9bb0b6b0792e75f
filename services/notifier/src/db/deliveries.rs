//! `deliveries`: one row per email, unique per (kind, subject, recipient), with its state.
//! Creating them: inserting a key that exists does nothing, which is what makes a redelivered
//! message or a replayed fan-out harmless.

use crate::domain::{DeliveryState, Kind};
use piazza_shared::contracts::Language;
use sea_orm::{Condition, QuerySelect, entity::prelude::*, sea_query::OnConflict};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deliveries")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    /// What the email is about (an event, a booking, a subscription request).
    pub subject_id: Uuid,
    pub recipient: String,
    pub subscriber_id: Option<Uuid>,
    pub language: String,
    /// What the template needs beyond the subject.
    pub context: Json,
    /// `pending`, `sending` (claimed by the sender `sender_id`), `sent`, `failed`, `cancelled`,
    /// or `unknown` (the connection broke after the email's data went out: the server may have
    /// accepted it; never resent by itself).
    pub state: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub next_attempt_at: DateTimeUtc,
    pub created_at: DateTimeUtc,
    pub sent_at: Option<DateTimeUtc>,
    /// The sender holding the claim while `sending`.
    pub sender_id: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// One email to create.
#[derive(Debug, Clone)]
pub struct NewDelivery {
    pub kind: Kind,
    pub subject_id: Uuid,
    pub recipient: String,
    pub subscriber_id: Option<Uuid>,
    pub language: Language,
    pub context: serde_json::Value,
}

/// Rows per INSERT; keeps statements well under the databases' parameter limits.
const CHUNK: usize = 1000;

/// Inserts the deliveries that do not exist yet; returns how many were new.
pub async fn enqueue(conn: &impl ConnectionTrait, items: Vec<NewDelivery>) -> Result<u64, DbErr> {
    let now = piazza_shared::clock::now();
    let mut created = 0;
    let mut rows = items.into_iter().map(|d| {
        ActiveModel::from(Model {
            id: Uuid::now_v7(),
            kind: d.kind.as_str().to_string(),
            subject_id: d.subject_id,
            recipient: d.recipient,
            subscriber_id: d.subscriber_id,
            language: d.language.as_str().to_string(),
            context: d.context,
            state: DeliveryState::Pending.as_str().into(),
            attempts: 0,
            last_error: None,
            next_attempt_at: now,
            created_at: now,
            sent_at: None,
            sender_id: None,
        })
    });
    loop {
        let chunk: Vec<_> = rows.by_ref().take(CHUNK).collect();
        if chunk.is_empty() {
            break;
        }
        created += Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([Column::Kind, Column::SubjectId, Column::Recipient])
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(conn)
            .await?;
    }
    Ok(created)
}

/// Drops the emails still waiting (`pending`) that `which` picks, saying `why`; returns how many.
/// One being sent already goes.
pub async fn cancel_pending(
    conn: &impl ConnectionTrait,
    which: Condition,
    why: &str,
) -> Result<u64, DbErr> {
    Ok(Entity::update_many()
        .col_expr(
            Column::State,
            Expr::value(DeliveryState::Cancelled.as_str()),
        )
        .col_expr(Column::LastError, Expr::value(Some(why.to_string())))
        .filter(which)
        .filter(Column::State.eq(DeliveryState::Pending.as_str()))
        .exec(conn)
        .await?
        .rows_affected)
}

/// Forgets the person the emails `which` picks were written to (an erasure, GDPR art. 17): the
/// records of emails sent keep only what the outreach report counts (kind, subject, when), under
/// one placeholder recipient that names nobody; every other one goes, so nothing is sent to them
/// afterwards. Returns how many rows were kept under the placeholder.
pub async fn forget(conn: &impl ConnectionTrait, which: Condition) -> Result<u64, DbErr> {
    let placeholder = format!("erased:{}", Uuid::new_v4().simple());
    let kept = Entity::update_many()
        .col_expr(Column::Recipient, Expr::value(placeholder))
        .col_expr(Column::SubscriberId, Expr::value(None::<Uuid>))
        .col_expr(Column::Context, Expr::value(serde_json::Value::Null))
        .col_expr(Column::LastError, Expr::value(None::<String>))
        .filter(which.clone())
        .filter(Column::State.eq(DeliveryState::Sent.as_str()))
        .exec(conn)
        .await?
        .rows_affected;
    Entity::delete_many()
        .filter(which)
        .filter(Column::State.ne(DeliveryState::Sent.as_str()))
        .exec(conn)
        .await?;
    Ok(kept)
}

/// Puts the claimed emails (`sending`) that `which` picks back to `pending`, unclaimed and due
/// at `due`, without counting an attempt; returns how many. The one way a claim is released.
pub async fn release(
    conn: &impl ConnectionTrait,
    which: Condition,
    due: DateTimeUtc,
) -> Result<u64, DbErr> {
    Ok(Entity::update_many()
        .col_expr(Column::State, Expr::value(DeliveryState::Pending.as_str()))
        .col_expr(Column::SenderId, Expr::value(Option::<Uuid>::None))
        .col_expr(Column::NextAttemptAt, Expr::value(due))
        .filter(which)
        .filter(Column::State.eq(DeliveryState::Sending.as_str()))
        .exec(conn)
        .await?
        .rows_affected)
}

/// How far the fan-outs under way have got: over every (kind, subject) that still has an email
/// waiting or being sent, the emails settled (sent, failed, cancelled, unknown) and in all.
/// The waiting ones are found through `deliveries_due`, each group counted through the unique
/// key, so the cost follows the work under way, not the table.
pub async fn under_way(conn: &impl ConnectionTrait) -> Result<(u64, u64), DbErr> {
    let waiting = [
        DeliveryState::Pending.as_str(),
        DeliveryState::Sending.as_str(),
    ];
    let groups: Vec<(String, Uuid)> = Entity::find()
        .select_only()
        .column(Column::Kind)
        .column(Column::SubjectId)
        .filter(Column::State.is_in(waiting))
        .distinct()
        .into_tuple()
        .all(conn)
        .await?;
    let (mut settled, mut total) = (0, 0);
    for (kind, subject) in groups {
        let group = Entity::find()
            .filter(Column::Kind.eq(kind))
            .filter(Column::SubjectId.eq(subject));
        let all = group.clone().count(conn).await?;
        let left = group
            .filter(Column::State.is_in(waiting))
            .count(conn)
            .await?;
        settled += all - left;
        total += all;
    }
    Ok((settled, total))
}
