//! Completing the past: a published event none of whose scheduled occurrences is still to end
//! becomes `completed`.

use super::firing::Firing;
use crate::{
    db::{events, occurrences},
    domain::{EventStatus, SCHEDULED},
};
use sea_orm::{
    ColumnTrait, DatabaseTransaction, EntityTrait, ExprTrait, QueryFilter,
    sea_query::{Expr, Query},
};

pub async fn run(txn: &DatabaseTransaction, firing: &Firing) -> anyhow::Result<String> {
    let still_to_end = Query::select()
        .expr(Expr::val(1))
        .from(occurrences::Entity)
        .and_where(
            Expr::col((occurrences::Entity, occurrences::Column::EventId))
                .equals((events::Entity, events::Column::Id)),
        )
        .and_where(Expr::col((occurrences::Entity, occurrences::Column::Status)).eq(SCHEDULED))
        .and_where(Expr::col((occurrences::Entity, occurrences::Column::EndsAt)).gt(firing.now))
        .to_owned();
    let result = events::Entity::update_many()
        .col_expr(
            events::Column::Status,
            Expr::value(EventStatus::Completed.as_str()),
        )
        .col_expr(events::Column::UpdatedAt, Expr::value(firing.now))
        .filter(events::Column::Status.eq(EventStatus::Published.as_str()))
        .filter(Expr::exists(still_to_end).not())
        .exec(txn)
        .await?;
    Ok(format!("{} event(s) completed", result.rows_affected))
}
