//! `feeds`: external ICS calendars a season imports, and how their last fetch went.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "feeds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub season_id: Uuid,
    pub url: String,
    pub name: String,
    /// JSON array of categories given to imported events whose own CATEGORIES say nothing we know.
    pub categories: Json,
    pub age_min: Option<i32>,
    pub age_max: Option<i32>,
    /// Validators from the last full answer, sent back as If-None-Match / If-Modified-Since.
    pub etag: Option<String>,
    pub last_modified: Option<String>,
    pub last_fetched_at: Option<DateTimeUtc>,
    pub last_success_at: Option<DateTimeUtc>,
    /// Why the last fetch changed nothing; `None` after a good one.
    pub last_error: Option<String>,
    /// Failed fetches in a row.
    pub failures: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
