//! `subscribers`: young people (or their guardians' wards) who asked for event emails; and who
//! of them hears of an event.

use crate::domain::{Frequency, SubscriberStatus, matches};
use piazza_shared::contracts::{Category, event::EventSummary};
use sea_orm::{QueryFilter, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subscribers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// Lower-cased.
    pub email: String,
    /// JSON array of category names.
    pub interests: Json,
    pub birth_year: i32,
    pub language: String,
    /// `instant` or `weekly`.
    pub frequency: String,
    /// Who confirms for someone under 14.
    pub guardian_email: Option<String>,
    /// `pending` (not confirmed), `active` or `unsubscribed`.
    pub status: String,
    pub created_at: DateTimeUtc,
    pub confirmed_at: Option<DateTimeUtc>,
    pub unsubscribed_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The stored status; a value this code never writes reads as ended, which sends nothing.
    pub fn status(&self) -> SubscriberStatus {
        SubscriberStatus::parse(&self.status).unwrap_or(SubscriberStatus::Unsubscribed)
    }

    pub fn interests(&self) -> Vec<Category> {
        serde_json::from_value(self.interests.clone()).unwrap_or_default()
    }

    pub fn frequency(&self) -> Frequency {
        Frequency::parse(&self.frequency).unwrap_or(Frequency::Instant)
    }
}

/// Every active subscriber who wants emails at `frequency`.
pub async fn active_at(
    conn: &impl ConnectionTrait,
    frequency: Frequency,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Status.eq(SubscriberStatus::Active.as_str()))
        .filter(Column::Frequency.eq(frequency.as_str()))
        .all(conn)
        .await
}

/// Active subscribers with `frequency` who match `event` in `year` (see [`matches`]).
pub async fn matching(
    conn: &impl ConnectionTrait,
    event: &EventSummary,
    frequency: Frequency,
    year: i32,
) -> Result<Vec<Model>, DbErr> {
    Ok(active_at(conn, frequency)
        .await?
        .into_iter()
        .filter(|s| matches(&s.interests(), s.birth_year, event, year))
        .collect())
}
