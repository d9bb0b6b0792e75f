//! `monitoring_facts`: one row per thing counted, keyed by its kind and the id its owner gave it
//! (see [`crate::domain::facts`] for the kinds and the rules a row follows). Every message about
//! a thing lands on its row, so a message handled twice, late or as a snapshot writes nothing
//! new.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "monitoring_facts")]
pub struct Model {
    /// What is counted ([`crate::domain::facts::Kind`]).
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// The thing counted: a booked date, an occurrence, a registration, a meeting…
    #[sea_orm(primary_key, auto_increment = false)]
    pub subject_id: Uuid,
    /// What it belongs to: the event, the pathway, the table or the call.
    pub source_id: Option<Uuid>,
    /// When it happened (its start): decides the quarter and the season it counts in.
    pub at: DateTimeUtc,
    /// Its end, for hours.
    pub ends_at: Option<DateTimeUtc>,
    pub space_id: Option<Uuid>,
    pub season_id: Option<Uuid>,
    /// `fesr`, `fse_plus` or `other` (`FundingLine`).
    pub funding_line: Option<String>,
    /// An `AgeBand` code (ideas: the scheduler's code as sent).
    pub age_band: Option<String>,
    /// A keyed hash of the person's address: distinct people without knowing who.
    pub person_key: Option<String>,
    /// People at a meeting, present at a session; 1 otherwise.
    pub amount: i64,
    /// Young people's representatives at a meeting; 0 otherwise.
    pub extra: i64,
    /// False once cancelled, for good.
    pub live: bool,
    /// The time of the message it last took (its `time`): older news never overwrites newer.
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The row as the indicators' measures read it (`crate::domain::measures`). A funding line
    /// or age band this version does not know counts as none.
    pub fn measured(self) -> crate::domain::measures::Fact {
        use piazza_shared::contracts::{funding::FundingLine, pathway::AgeBand};
        crate::domain::measures::Fact {
            kind: self.kind,
            subject_id: self.subject_id,
            at: self.at,
            ends_at: self.ends_at,
            space_id: self.space_id,
            funding_line: self.funding_line.as_deref().and_then(FundingLine::parse),
            age_band: self.age_band.as_deref().and_then(AgeBand::parse),
            person_key: self.person_key,
            amount: self.amount,
            live: self.live,
        }
    }
}

/// The live facts that start in `[start, end)`, for the indicators: one read per answer,
/// counted in memory by `domain::measures`.
pub async fn live_between(
    conn: &impl ConnectionTrait,
    start: DateTimeUtc,
    end: DateTimeUtc,
) -> Result<Vec<crate::domain::measures::Fact>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Live.eq(true))
        .filter(Column::At.gte(start))
        .filter(Column::At.lt(end))
        .all(conn)
        .await?
        .into_iter()
        .map(Model::measured)
        .collect())
}
