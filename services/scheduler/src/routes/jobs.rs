//! `/api/v1/jobs`: what the time-based jobs did and will do, for administrators.

use crate::{
    db::job_runs,
    jobs::{Job, runner},
    state::AppState,
};
use axum::extract::State;
use chrono::{DateTime, Utc};
use piazza_shared::{
    auth::{Caller, Role},
    http::{ApiError, Problem},
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RunView {
    /// Local wall time of the firing, in the configured zone.
    pub fire_wall: String,
    pub fire_at: DateTime<Utc>,
    pub run_id: Uuid,
    /// `baseline` (where counting started) or `ran`.
    pub outcome: String,
    pub detail: String,
    pub started_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct JobView {
    pub name: String,
    /// Six-field cron expression, in `time_zone`.
    pub cron: String,
    pub time_zone: String,
    pub next_fire_at: Option<DateTime<Utc>>,
    /// The latest runs, newest first.
    pub runs: Vec<RunView>,
}

/// Each job, when it fires next and its last ten runs.
#[utoipa::path(
    get,
    path = "/api/v1/jobs",
    tag = "jobs",
    security(("bearer" = ["admin"])),
    responses((status = 200, body = Vec<JobView>), (status = 401, body = Problem), (status = 403, body = Problem))
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<axum::Json<Vec<JobView>>, ApiError> {
    caller.require(&[Role::Admin])?;
    let now = piazza_shared::clock::now();
    let mut list = Vec::new();
    for job in Job::ALL {
        let runs = job_runs::Entity::find()
            .filter(job_runs::Column::Job.eq(job.name()))
            .order_by_desc(job_runs::Column::FireWall)
            .limit(10)
            .all(state.db.conn())
            .await?;
        list.push(JobView {
            name: job.name().into(),
            cron: job.cron(&state).to_string(),
            time_zone: state.settings.time_zone.name().into(),
            next_fire_at: runner::next_fire(&state, job, now),
            runs: runs
                .into_iter()
                .map(|r| RunView {
                    fire_wall: r.fire_wall,
                    fire_at: r.fire_at,
                    run_id: r.run_id,
                    outcome: r.outcome,
                    detail: r.detail,
                    started_at: r.started_at,
                })
                .collect(),
        });
    }
    Ok(axum::Json(list))
}
