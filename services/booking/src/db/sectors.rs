//! `sectors` and `account_sectors`: the Comune's sectors (the intersectoral working group) and
//! the staff accounts that belong to them.

use sea_orm::{QueryOrder, entity::prelude::*};
use uuid::Uuid;

/// A sector: its stable code and its Italian and English names.
pub mod sector {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sectors")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub code: String,
        pub name_it: String,
        pub name_en: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An account's membership of a sector.
pub mod membership {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "account_sectors")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub sector: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Every sector, by code.
pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<sector::Model>, DbErr> {
    sector::Entity::find()
        .order_by_asc(sector::Column::Code)
        .all(conn)
        .await
}

/// The codes of the sectors `account` belongs to, by code.
pub async fn of_account(conn: &impl ConnectionTrait, account: Uuid) -> Result<Vec<String>, DbErr> {
    Ok(membership::Entity::find()
        .filter(membership::Column::AccountId.eq(account))
        .order_by_asc(membership::Column::Sector)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.sector)
        .collect())
}

/// Every membership: `(account, sector)` pairs.
pub async fn memberships(conn: &impl ConnectionTrait) -> Result<Vec<(Uuid, String)>, DbErr> {
    Ok(membership::Entity::find()
        .order_by_asc(membership::Column::Sector)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| (m.account_id, m.sector))
        .collect())
}

/// Replaces `account`'s memberships with `codes`.
pub async fn set(
    conn: &impl ConnectionTrait,
    account: Uuid,
    codes: &[String],
) -> Result<(), DbErr> {
    membership::Entity::delete_many()
        .filter(membership::Column::AccountId.eq(account))
        .exec(conn)
        .await?;
    if codes.is_empty() {
        return Ok(());
    }
    membership::Entity::insert_many(codes.iter().map(|code| {
        membership::ActiveModel::from(membership::Model {
            account_id: account,
            sector: code.clone(),
        })
    }))
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The accounts that belong to one of `codes`.
pub async fn members(conn: &impl ConnectionTrait, codes: &[String]) -> Result<Vec<Uuid>, DbErr> {
    let mut ids: Vec<Uuid> = membership::Entity::find()
        .filter(membership::Column::Sector.is_in(codes.iter().cloned()))
        .all(conn)
        .await?
        .into_iter()
        .map(|m| m.account_id)
        .collect();
    ids.sort();
    ids.dedup();
    Ok(ids)
}
