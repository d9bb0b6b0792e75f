//! The event the scheduler keeps only to hold a space for something that is not on the public
//! programme: a co-design table's meeting, a pathway's sessions. It is a draft that is never
//! published, held for the Comune (no organisation, so no operator's quota), and made by an
//! administrator, so booking approves its slot at once when it is free. What it is for keeps its
//! own rows beside it, under the same id.

use crate::{
    db::events,
    domain::{EventStatus, SpaceStatus},
};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use piazza_shared::auth::Claims;
use uuid::Uuid;

/// What differs from one hold to another.
pub struct Hold {
    pub id: Uuid,
    pub season_id: Option<Uuid>,
    /// The title booking shows for the hold (the meeting's, the pathway's name).
    pub title: String,
    /// Who the space is held for, as booking shows it (the table, the pathway).
    pub held_for: String,
    pub categories: serde_json::Value,
    pub space_id: Uuid,
    pub zone: Tz,
    /// The first (or only) occurrence.
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub recurrence: Option<String>,
    /// The event's stored funding line (`fesr`, `fse_plus`, `other`).
    pub funding_line: Option<String>,
}

/// The draft event row for `hold`, made by `by` at `now`.
pub fn held_draft(hold: Hold, by: &Claims, now: DateTime<Utc>) -> events::Model {
    events::Model {
        id: hold.id,
        season_id: hold.season_id,
        title: hold.title,
        description: String::new(),
        description_en: String::new(),
        categories: hold.categories,
        age_min: None,
        age_max: None,
        capacity: None,
        time_zone: hold.zone.name().to_string(),
        starts_at: hold.starts_at,
        ends_at: hold.ends_at,
        recurrence: hold.recurrence,
        space_id: Some(hold.space_id),
        space_status: SpaceStatus::None.as_str().into(),
        space_reason: None,
        status: EventStatus::Draft.as_str().into(),
        cancel_reason: None,
        organisation_id: None,
        organisation_name: Some(hold.held_for),
        contact_email: Some(by.email.clone()),
        created_by: by.sub,
        slot_correlation: None,
        slot_requested_at: None,
        sequence: 0,
        published_at: None,
        created_at: now,
        updated_at: now,
        accessibility_notes: String::new(),
        price_cents: 0,
        funding_line: hold.funding_line,
        programme_id: None,
        waitlist: false,
        registration_closes_minutes: None,
        exdates: serde_json::json!([]),
        source_feed_id: None,
        source_uid: None,
        location: None,
    }
}
