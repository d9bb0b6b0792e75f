//! `organisations`: associations, cooperatives, schools and groups that operators act for, with
//! the fields they work in (event category codes), which decide the calls for ideas they hear of.

use piazza_shared::contracts::Category;
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "organisations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTimeUtc,
    /// A JSON list of category codes (`["music","theatre"]`).
    pub fields: Json,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// The fields it works in, in the vocabulary's order (codes no longer known are left out).
    pub fn fields(&self) -> Vec<Category> {
        let codes: Vec<String> = serde_json::from_value(self.fields.clone()).unwrap_or_default();
        let mut fields: Vec<Category> = codes.iter().filter_map(|c| Category::parse(c)).collect();
        fields.sort();
        fields.dedup();
        fields
    }
}

/// `fields` as stored.
pub fn stored(fields: &[Category]) -> Json {
    Json::from(
        fields
            .iter()
            .map(|f| f.as_str().to_string())
            .collect::<Vec<_>>(),
    )
}

/// The organisations working in at least one of `fields`.
pub async fn working_in(
    conn: &impl ConnectionTrait,
    fields: &[Category],
) -> Result<Vec<Uuid>, DbErr> {
    Ok(Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .filter(|o| o.fields().iter().any(|f| fields.contains(f)))
        .map(|o| o.id)
        .collect())
}
