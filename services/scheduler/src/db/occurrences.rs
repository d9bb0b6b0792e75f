//! `occurrences`: one row per dated occurrence of an event. Rows are never deleted once an
//! event is public: a removed occurrence is `cancelled`, so calendar clients hear of it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "occurrences")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub event_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    /// `scheduled` or `cancelled`.
    pub status: String,
    /// Grows each time this occurrence alone changes; ICS SEQUENCE is the event's plus this.
    pub sequence: i32,
    /// Where the rule first placed this occurrence (RFC 5545 RECURRENCE-ID), kept when it moves.
    pub recurrence_id: Option<DateTimeUtc>,
    /// When its reminder was sent; cleared when it moves.
    pub reminded_at: Option<DateTimeUtc>,
    pub cancel_reason: Option<String>,
    pub updated_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::events::Entity",
        from = "Column::EventId",
        to = "super::events::Column::Id"
    )]
    Event,
}

impl Related<super::events::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Event.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// The columns calendars show of an occurrence (reading fewer columns keeps long listings fast).
#[derive(Clone, Debug, PartialEq, Eq, sea_orm::FromQueryResult)]
pub struct Brief {
    pub id: Uuid,
    pub event_id: Uuid,
    pub starts_at: DateTimeUtc,
    pub ends_at: DateTimeUtc,
    pub status: String,
    pub sequence: i32,
    pub updated_at: Option<DateTimeUtc>,
}

impl Brief {
    pub const COLUMNS: [Column; 7] = [
        Column::Id,
        Column::EventId,
        Column::StartsAt,
        Column::EndsAt,
        Column::Status,
        Column::Sequence,
        Column::UpdatedAt,
    ];
}

impl From<&Model> for Brief {
    fn from(m: &Model) -> Self {
        Self {
            id: m.id,
            event_id: m.event_id,
            starts_at: m.starts_at,
            ends_at: m.ends_at,
            status: m.status.clone(),
            sequence: m.sequence,
            updated_at: m.updated_at,
        }
    }
}

/// A new scheduled occurrence; the rule placed it at `starts_at`.
pub fn new_occurrence(
    event_id: Uuid,
    starts_at: chrono::DateTime<chrono::Utc>,
    ends_at: chrono::DateTime<chrono::Utc>,
    now: chrono::DateTime<chrono::Utc>,
) -> Model {
    Model {
        id: Uuid::now_v7(),
        event_id,
        starts_at,
        ends_at,
        status: crate::domain::SCHEDULED.into(),
        sequence: 0,
        recurrence_id: Some(starts_at),
        reminded_at: None,
        cancel_reason: None,
        updated_at: Some(now),
    }
}

/// Inserts occurrences in batches small enough for any database's parameter limit.
pub async fn insert_occurrences(
    conn: &impl sea_orm::ConnectionTrait,
    rows: &[Model],
) -> Result<(), sea_orm::DbErr> {
    for chunk in rows.chunks(500) {
        Entity::insert_many(chunk.iter().cloned().map(ActiveModel::from))
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}
