//! A space's image (`space_images`): alt text, two JPEG copies and their digest.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::images::create(manager, "space_images", "space_id", "spaces").await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        crate::images::drop(manager, "space_images").await
    }
}
