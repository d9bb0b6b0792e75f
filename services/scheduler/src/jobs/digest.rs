//! The weekly digest: one `digest.due` per firing, for the week from the firing on (seven days
//! of the configured zone's calendar, so a digest across a clock change still covers a week).

use super::firing::Firing;
use crate::state::AppState;
use chrono::Duration;
use piazza_shared::{contracts::jobs::DigestDue, time::local_to_utc, unit::Unit};

pub async fn run(state: &AppState, unit: &Unit, firing: &Firing) -> anyhow::Result<String> {
    let window_end = local_to_utc(firing.wall + Duration::days(7), state.settings.time_zone);
    let message = DigestDue {
        version: 1,
        run_id: firing.run_id,
        window_start: firing.at,
        window_end,
    };
    unit.publish(&message, Some(firing.run_id.to_string()))
        .await?;
    Ok(format!(
        "digest of {} to {}",
        firing.at.to_rfc3339(),
        window_end.to_rfc3339()
    ))
}
