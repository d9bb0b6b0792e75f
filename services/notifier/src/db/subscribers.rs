//! `subscribers`: young people (or their guardians' wards) who asked for event emails.

use sea_orm::entity::prelude::*;

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
