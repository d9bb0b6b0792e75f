//! Equipment and accessibility become codes of fixed vocabularies: each free-text value a space
//! had is mapped to the code it names where one is recognisable (`"videoproiettore"` →
//! `projector`, `"Senza gradini"` → `step_free`), and dropped where none is. The columns keep
//! their shape: a JSON array of strings, now codes only, each once, in the vocabulary's order.

use piazza_shared::contracts::{Accessibility, Equipment, Feature};
use sea_orm::{ConnectionTrait, DatabaseBackend, JsonValue, Statement, prelude::Uuid};
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The codes `values` (a stored JSON array of free text) name, as a JSON array.
pub(crate) fn recognised<F: Feature>(values: &JsonValue) -> JsonValue {
    let found: Vec<F> = values
        .as_array()
        .map(|list| {
            list.iter()
                .filter_map(JsonValue::as_str)
                .filter_map(F::recognise)
                .collect()
        })
        .unwrap_or_default();
    let codes: Vec<JsonValue> = F::ALL
        .iter()
        .filter(|f| found.contains(f))
        .map(|f| JsonValue::from(f.as_str()))
        .collect();
    JsonValue::Array(codes)
}

/// A JSON column as stored: JSONB on PostgreSQL, text on SQLite.
fn json_of(row: &sea_orm::QueryResult, column: &str) -> Result<JsonValue, DbErr> {
    match row.try_get::<JsonValue>("", column) {
        Ok(value) => Ok(value),
        Err(_) => {
            let text: String = row.try_get("", column)?;
            Ok(serde_json::from_str(&text).unwrap_or(JsonValue::Null))
        }
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        let backend = manager.get_database_backend();
        let rows = conn
            .query_all_raw(Statement::from_string(
                backend,
                "SELECT id, equipment, accessibility FROM spaces",
            ))
            .await?;
        let update = match backend {
            DatabaseBackend::Postgres => {
                "UPDATE spaces SET equipment = $1, accessibility = $2 WHERE id = $3"
            }
            _ => "UPDATE spaces SET equipment = ?, accessibility = ? WHERE id = ?",
        };
        for row in rows {
            let id: Uuid = row.try_get("", "id")?;
            let equipment = recognised::<Equipment>(&json_of(&row, "equipment")?);
            let accessibility = recognised::<Accessibility>(&json_of(&row, "accessibility")?);
            let (equipment, accessibility): (sea_orm::Value, sea_orm::Value) = match backend {
                DatabaseBackend::Postgres => (equipment.into(), accessibility.into()),
                _ => (
                    equipment.to_string().into(),
                    accessibility.to_string().into(),
                ),
            };
            conn.execute_raw(Statement::from_sql_and_values(
                backend,
                update,
                [equipment, accessibility, id.into()],
            ))
            .await?;
        }
        Ok(())
    }

    /// Codes are valid free text: nothing to undo (what was dropped stays dropped).
    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_text_becomes_the_codes_it_names_and_the_rest_is_dropped() {
        let stored: JsonValue = serde_json::json!([
            "Wi-Fi",
            "videoproiettore",
            "macchina del caffè",
            "projector",
            "stage"
        ]);
        assert_eq!(
            recognised::<Equipment>(&stored).to_string(),
            r#"["projector","stage","wifi"]"#
        );
        let stored: JsonValue = serde_json::json!(["step_free", "Bagno accessibile", "ask us"]);
        assert_eq!(
            recognised::<Accessibility>(&stored).to_string(),
            r#"["step_free","accessible_toilet"]"#
        );
        assert_eq!(recognised::<Equipment>(&JsonValue::Null).to_string(), "[]");
    }
}
