//! `ideas`: an idea sent to a call by a person without an account. It stays `unverified` (and
//! invisible to staff) until its author opens the emailed link, then `verified` waits in the
//! staff's queue until `accepted` (into the proposal `proposal_id`) or `declined` with a reason.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "ideas")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub call_id: Uuid,
    pub title: String,
    pub description: String,
    pub author_name: String,
    /// The author's address, normalised; only staff see it.
    pub email: String,
    /// The informal group the author speaks for, if any.
    pub informal_group: Option<String>,
    /// One of [`crate::ops::ideas::AGE_BANDS`] (a birth year is turned into its band, never kept).
    pub age_band: Option<String>,
    pub language: String,
    /// `unverified`, `verified`, `accepted` or `declined`.
    pub status: String,
    pub decision_reason: Option<String>,
    pub proposal_id: Option<Uuid>,
    pub created_at: DateTimeUtc,
    pub verified_at: Option<DateTimeUtc>,
    pub decided_at: Option<DateTimeUtc>,
    pub decided_by: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
