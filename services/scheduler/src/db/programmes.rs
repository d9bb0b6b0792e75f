//! `programmes`: events grouped under one name in a season (a festival, a weekly workshop, a
//! socio-educational pathway whose sessions are taken as a whole).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programmes")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub season_id: Uuid,
    pub name: String,
    /// `festival`, `workshop` or `pathway`.
    pub kind: String,
    pub description: String,
    /// Places for the whole programme, when it is taken as a whole; `None` is unlimited.
    pub capacity: Option<i32>,
    pub waitlist: bool,
    /// People register for the programme, not for its single events.
    pub taken_as_whole: bool,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
