//! `job_runs`: one row per cron firing a job has dealt with, keyed by the local wall time it was
//! due at, so a restart, a repeated local hour or a second replica never runs it twice.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "job_runs")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub job: String,
    /// Local wall time of the firing, `YYYY-MM-DDTHH:MM:SS` in the configured zone.
    #[sea_orm(primary_key, auto_increment = false)]
    pub fire_wall: String,
    pub fire_at: DateTimeUtc,
    pub run_id: Uuid,
    /// `baseline` (first start: where counting begins), `ran` or `failed`.
    pub outcome: String,
    pub detail: String,
    pub started_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
