//! The tables of socio-educational pathways: [`pathway`], the hidden events carrying its sessions
//! ([`series`]), the young people referred to it ([`referral`]), attendance per session
//! ([`attendance`]) and the organisations accredited to refer ([`accreditation`]).

/// `pathways`: a pathway for young people in difficulty, owned by a sector (Social policies).
pub mod pathway {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "pathways")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub description: String,
        /// The operator organisation that runs it.
        pub organisation_id: Uuid,
        pub organisation_name: String,
        /// A [`piazza_shared::contracts::FundingLine`] code.
        pub funding_line: String,
        /// The sector that owns it (a [`piazza_shared::contracts::sector`] code).
        pub sector: String,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `pathway_series`: an event that carries sessions of a pathway. Such an event is never
/// published and is hidden from every event API and page; its occurrences are the sessions.
pub mod series {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "pathway_series")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub event_id: Uuid,
        pub pathway_id: Uuid,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `pathway_referrals`: a young person referred (and so enrolled) by a social worker.
pub mod referral {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "pathway_referrals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub pathway_id: Uuid,
        pub name: String,
        pub birth_year: i32,
        /// A [`piazza_shared::contracts::pathway::AgeBand`] code, fixed at referral.
        pub age_band: String,
        pub contact: Option<String>,
        pub note: String,
        /// The referring worker's account.
        pub referred_by: Uuid,
        pub referrer_email: String,
        /// The accredited organisation the worker referred for, if an operator.
        pub referrer_organisation_id: Option<Uuid>,
        pub completed_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `pathway_attendance`: whether an enrolled young person was at a session (one row each, once
/// the operator has taken attendance at it).
pub mod attendance {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "pathway_attendance")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub occurrence_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub referral_id: Uuid,
        pub pathway_id: Uuid,
        pub present: bool,
        pub recorded_by: Uuid,
        pub recorded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// `referral_accreditations`: operator organisations whose operators may refer young people.
pub mod accreditation {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "referral_accreditations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub organisation_id: Uuid,
        pub organisation_name: String,
        pub granted_by: Uuid,
        pub granted_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
