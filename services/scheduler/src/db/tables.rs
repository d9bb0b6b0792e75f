//! The co-design tables' rows: the table, its members, its meetings (each the companion of an
//! event row, which carries the title, the space, the times and the slot saga) and the
//! decisions its meetings record.

/// `codesign_tables`: one co-design table, or one of the social-services network's.
pub mod table {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "codesign_tables")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub theme: String,
        /// `codesign` or `social_services`.
        pub kind: String,
        /// `fesr`, `fse_plus` or `other` (see `piazza_shared::contracts::FundingLine`).
        pub funding_line: Option<String>,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `table_members`: who sits at a table.
pub mod member {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "table_members")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub table_id: Uuid,
        /// `organisation`, `sector` or `person`.
        pub kind: String,
        /// The organisation's or person's name; a sector's code for a sector.
        pub name: String,
        /// The sector's code (`piazza_shared::contracts::sector`), for a sector.
        pub sector: Option<String>,
        /// An invited person's address: personal data, shown to administrators only.
        pub email: Option<String>,
        /// An invited person's role, e.g. `youth_representative`.
        pub role: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `table_meetings`: what a meeting adds to its event: the table, the agenda, and once held
/// the minutes and attendance counts.
pub mod meeting {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "table_meetings")]
    pub struct Model {
        /// The meeting's event, whose id the meeting shares.
        #[sea_orm(primary_key, auto_increment = false)]
        pub event_id: Uuid,
        pub table_id: Uuid,
        pub agenda: String,
        pub minutes: Option<String>,
        pub attendance: Option<i64>,
        pub youth_representatives: Option<i64>,
        /// When the minutes and attendance were last recorded; `None` until then.
        pub recorded_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `table_decisions`: a decision a meeting recorded, and what it led to.
pub mod decision {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "table_decisions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub meeting_id: Uuid,
        /// Its place in the minutes, from 0.
        pub position: i64,
        pub text: String,
        /// `call`, `proposal`, `event` or `space`.
        pub led_to_kind: Option<String>,
        pub led_to_id: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Whether the event `id` is a table's meeting (which holds a space but is never published).
pub async fn is_meeting(
    conn: &impl sea_orm::ConnectionTrait,
    id: sea_orm::prelude::Uuid,
) -> Result<bool, sea_orm::DbErr> {
    use sea_orm::EntityTrait;
    Ok(meeting::Entity::find_by_id(id).one(conn).await?.is_some())
}
