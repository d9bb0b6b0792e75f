//! One image per owner in the owning service's own table — `space_images` in booking,
//! `event_images` in the scheduler — with the same columns in both: the owner's id (primary key,
//! removed with its owner), the alt text, the large copy's size, both JPEGs, their digest and
//! when it was set. The table's name is the only difference, so the queries are written once
//! here, with sea-query, for either database.

use super::{ImageView, Processed, Size, http::Upload};
use crate::{auth::Claims, unit::Unit};
use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbErr, ExprTrait, QueryResult,
    sea_query::{Alias, Expr, OnConflict, Query, SelectStatement},
};
use std::collections::HashMap;
use uuid::Uuid;

/// Where a service keeps its images.
#[derive(Debug, Clone, Copy)]
pub struct ImageTable {
    /// `space_images`, `event_images`.
    pub table: &'static str,
    /// The owner's id column, its primary key: `space_id`, `event_id`.
    pub owner: &'static str,
}

/// What is known of a stored image without reading its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageMeta {
    pub owner_id: Uuid,
    pub alt: String,
    pub width: u32,
    pub height: u32,
    pub hash: String,
    pub updated_at: DateTime<Utc>,
}

const META: [&str; 5] = ["alt", "width", "height", "content_hash", "updated_at"];

impl ImageTable {
    fn table(&self) -> Alias {
        Alias::new(self.table)
    }

    fn owner(&self) -> Alias {
        Alias::new(self.owner)
    }

    /// Sets (or replaces) `owner`'s image.
    pub async fn put(
        &self,
        db: &impl ConnectionTrait,
        owner: Uuid,
        alt: &str,
        image: &Processed,
        now: DateTime<Utc>,
    ) -> Result<(), DbErr> {
        let columns = [
            self.owner(),
            Alias::new("alt"),
            Alias::new("width"),
            Alias::new("height"),
            Alias::new("small"),
            Alias::new("large"),
            Alias::new("content_hash"),
            Alias::new("updated_at"),
        ];
        let statement = Query::insert()
            .into_table(self.table())
            .columns(columns)
            .values([
                owner.into(),
                alt.into(),
                i32::try_from(image.width).unwrap_or(i32::MAX).into(),
                i32::try_from(image.height).unwrap_or(i32::MAX).into(),
                image.small.clone().into(),
                image.large.clone().into(),
                image.hash.clone().into(),
                now.into(),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))?
            .on_conflict(
                OnConflict::column(self.owner())
                    .update_columns(
                        [
                            "alt",
                            "width",
                            "height",
                            "small",
                            "large",
                            "content_hash",
                            "updated_at",
                        ]
                        .map(Alias::new),
                    )
                    .to_owned(),
            )
            .to_owned();
        db.execute(&statement).await.map(|_| ())
    }

    fn select_meta(&self) -> SelectStatement {
        Query::select()
            .column(self.owner())
            .columns(META.map(Alias::new))
            .from(self.table())
            .to_owned()
    }

    fn meta_of(&self, row: &QueryResult) -> Result<ImageMeta, DbErr> {
        let size = |column: &str| -> Result<u32, DbErr> {
            let n: i32 = row.try_get("", column)?;
            u32::try_from(n).map_err(|e| DbErr::Custom(e.to_string()))
        };
        Ok(ImageMeta {
            owner_id: row.try_get("", self.owner)?,
            alt: row.try_get("", "alt")?,
            width: size("width")?,
            height: size("height")?,
            hash: row.try_get("", "content_hash")?,
            updated_at: row.try_get("", "updated_at")?,
        })
    }

    /// `owner`'s image, without its bytes.
    pub async fn meta(
        &self,
        db: &impl ConnectionTrait,
        owner: Uuid,
    ) -> Result<Option<ImageMeta>, DbErr> {
        let statement = self
            .select_meta()
            .and_where(Expr::col(self.owner()).eq(owner))
            .to_owned();
        db.query_one(&statement)
            .await?
            .map(|row| self.meta_of(&row))
            .transpose()
    }

    /// The images of `owners` that have one, without their bytes.
    pub async fn metas(
        &self,
        db: &impl ConnectionTrait,
        owners: &[Uuid],
    ) -> Result<HashMap<Uuid, ImageMeta>, DbErr> {
        if owners.is_empty() {
            return Ok(HashMap::new());
        }
        let mut found = HashMap::new();
        // In chunks, to stay under SQLite's limit on bound parameters.
        for chunk in owners.chunks(500) {
            let statement = self
                .select_meta()
                .and_where(Expr::col(self.owner()).is_in(chunk.iter().copied()))
                .to_owned();
            for row in db.query_all(&statement).await? {
                let meta = self.meta_of(&row)?;
                found.insert(meta.owner_id, meta);
            }
        }
        Ok(found)
    }

    /// `owner`'s image in `size`: its digest and the JPEG.
    pub async fn bytes(
        &self,
        db: &impl ConnectionTrait,
        owner: Uuid,
        size: Size,
    ) -> Result<Option<(String, Vec<u8>)>, DbErr> {
        let column = match size {
            Size::Small => "small",
            Size::Large => "large",
        };
        let statement = Query::select()
            .columns(["content_hash", column].map(Alias::new))
            .from(self.table())
            .and_where(Expr::col(self.owner()).eq(owner))
            .to_owned();
        let Some(row) = db.query_one(&statement).await? else {
            return Ok(None);
        };
        Ok(Some((
            row.try_get("", "content_hash")?,
            row.try_get("", column)?,
        )))
    }

    /// Removes `owner`'s image; whether there was one.
    pub async fn delete(&self, db: &impl ConnectionTrait, owner: Uuid) -> Result<bool, DbErr> {
        let statement = Query::delete()
            .from_table(self.table())
            .and_where(Expr::col(self.owner()).eq(owner))
            .to_owned();
        let result = db.execute(&statement).await?;
        Ok(result.rows_affected() > 0)
    }

    /// Sets `owner`'s image from `upload` in `unit`, with an audit entry (`<kind>.image_set`,
    /// its alt text and size, not its bytes), and commits. `path` is where it is served.
    pub async fn set(
        &self,
        unit: Unit,
        actor: &Claims,
        kind: &str,
        owner: Uuid,
        upload: &Upload,
        path: &str,
    ) -> Result<ImageView, DbErr> {
        let before = self.meta(&*unit, owner).await?;
        self.put(
            &*unit,
            owner,
            &upload.alt,
            &upload.image,
            crate::clock::now(),
        )
        .await?;
        let Some(after) = self.meta(&*unit, owner).await? else {
            return Err(DbErr::RecordNotFound(format!("{} {owner}", self.table)));
        };
        let view = ImageView::new(path, &after);
        unit.audit(
            actor,
            &format!("{kind}.image_set"),
            owner,
            before.map(|m| audited(&m)),
            Some(audited(&after)),
        )
        .await?;
        unit.commit().await?;
        Ok(view)
    }

    /// Removes `owner`'s image in `unit`, with an audit entry (`<kind>.image_remove`), and
    /// commits; whether there was one.
    pub async fn remove(
        &self,
        unit: Unit,
        actor: &Claims,
        kind: &str,
        owner: Uuid,
    ) -> Result<bool, DbErr> {
        let Some(before) = self.meta(&*unit, owner).await? else {
            return Ok(false);
        };
        self.delete(&*unit, owner).await?;
        unit.audit(
            actor,
            &format!("{kind}.image_remove"),
            owner,
            Some(audited(&before)),
            None,
        )
        .await?;
        unit.commit().await?;
        Ok(true)
    }
}

/// What the audit log keeps of an image.
fn audited(meta: &ImageMeta) -> serde_json::Value {
    serde_json::json!({
        "alt": meta.alt,
        "width": meta.width,
        "height": meta.height,
        "content_hash": meta.hash,
    })
}
