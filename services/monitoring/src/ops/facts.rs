//! Writing facts: each is looked up by its key (kind, subject) and written, ended or left as it
//! is as [`decide`] says, in the transaction that records the message in the inbox.

use crate::{
    db::facts,
    domain::facts::{Decision, Fact, Kind, Standing, decide},
};
use chrono::{DateTime, Utc};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    sea_query::Expr,
};
use uuid::Uuid;

/// Takes `news` as a message sent at `time` tells it.
pub async fn record(
    conn: &impl ConnectionTrait,
    news: Vec<Fact>,
    time: DateTime<Utc>,
) -> Result<(), DbErr> {
    for fact in news {
        let kind = fact.kind.as_str().to_string();
        let known = facts::Entity::find_by_id((kind.clone(), fact.subject_id))
            .one(conn)
            .await?;
        let standing = known.as_ref().map(|k| Standing {
            live: k.live,
            updated_at: k.updated_at,
        });
        match (decide(standing, fact.live, time), known) {
            (Decision::Keep, _) | (Decision::End, None) => {}
            (Decision::End, Some(known)) => end_row(conn, known, time).await?,
            (Decision::Write, known) => {
                let row = facts::Model {
                    kind,
                    subject_id: fact.subject_id,
                    source_id: fact.source_id,
                    at: fact.at,
                    ends_at: fact.ends_at,
                    space_id: fact.space_id,
                    season_id: fact.season_id,
                    funding_line: fact.funding_line,
                    age_band: fact.age_band,
                    person_key: fact.person_key,
                    amount: fact.amount,
                    extra: fact.extra,
                    live: fact.live,
                    updated_at: time,
                };
                // Every column set, so an update writes them all.
                let active = facts::ActiveModel::from(row).reset_all();
                if known.is_some() {
                    facts::Entity::update(active).exec(conn).await?;
                } else {
                    facts::Entity::insert(active)
                        .exec_without_returning(conn)
                        .await?;
                }
            }
        }
    }
    Ok(())
}

/// Ends `known`, keeping what it says otherwise.
async fn end_row(
    conn: &impl ConnectionTrait,
    known: facts::Model,
    time: DateTime<Utc>,
) -> Result<(), DbErr> {
    let updated_at = known.updated_at.max(time);
    let mut active = facts::ActiveModel::from(known);
    active.live = sea_orm::Set(false);
    active.updated_at = sea_orm::Set(updated_at);
    active.update(conn).await?;
    Ok(())
}

/// Ends every fact of `kind` whose subject is among `subjects` (those it knows).
pub async fn end(
    conn: &impl ConnectionTrait,
    kind: Kind,
    subjects: &[Uuid],
    time: DateTime<Utc>,
) -> Result<(), DbErr> {
    if subjects.is_empty() {
        return Ok(());
    }
    let live = facts::Entity::find()
        .filter(facts::Column::Kind.eq(kind.as_str()))
        .filter(facts::Column::SubjectId.is_in(subjects.iter().copied()))
        .filter(facts::Column::Live.eq(true))
        .all(conn)
        .await?;
    for known in live {
        end_row(conn, known, time).await?;
    }
    Ok(())
}

/// Ends every fact of `kind` that belongs to `source` (all the occurrences of an event).
pub async fn end_source(
    conn: &impl ConnectionTrait,
    kind: Kind,
    source: Uuid,
    time: DateTime<Utc>,
) -> Result<(), DbErr> {
    facts::Entity::update_many()
        .col_expr(facts::Column::Live, Expr::value(false))
        .col_expr(facts::Column::UpdatedAt, Expr::value(time))
        .filter(facts::Column::Kind.eq(kind.as_str()))
        .filter(facts::Column::SourceId.eq(source))
        .filter(facts::Column::Live.eq(true))
        .exec(conn)
        .await?;
    Ok(())
}

/// Whether the monitoring holds any fact at all (one row is enough to know: a count would read
/// the whole table).
pub async fn any(conn: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(facts::Entity::find().one(conn).await?.is_some())
}
