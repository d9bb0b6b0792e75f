//! The inbox: the ids of messages a service has already handled, written in the same transaction
//! as the handling, so a redelivered message changes nothing the second time.

use crate::envelope::Envelope;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set, sea_query::OnConflict};

/// The `inbox` table.
pub mod entity {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "inbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub message_id: Uuid,
        pub event_type: String,
        pub handled_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Records `envelope` as handled; `false` when it already was (then do nothing else).
pub async fn claim(conn: &impl ConnectionTrait, envelope: &Envelope) -> Result<bool, DbErr> {
    let row = entity::ActiveModel {
        message_id: Set(envelope.id),
        event_type: Set(envelope.event_type.clone()),
        handled_at: Set(crate::clock::now()),
    };
    let inserted = entity::Entity::insert(row)
        .on_conflict(
            OnConflict::column(entity::Column::MessageId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(inserted == 1)
}
