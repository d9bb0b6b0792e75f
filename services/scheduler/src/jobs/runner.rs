//! When a cron job runs, exactly once per firing. Cron expressions are evaluated on the
//! configured zone's wall clock, so each local time fires once: a time repeated when clocks go
//! back fires the first time only, and a time skipped when they go forward fires as the clock
//! jumps past it. Each firing dealt with is a `job_runs` row keyed by its
//! local time, written in the same transaction as the job's effects: a restart neither repeats a
//! run nor skips one (a firing missed while stopped runs late, once; several missed ones run as
//! the latest), and of several replicas only the one holding the job's PostgreSQL advisory lock
//! runs it.

use super::{completion, digest, firing::Firing, reminders};
use crate::{db::job_runs, state::AppState};
use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};
use piazza_shared::{time::local_to_utc, unit::Unit};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
    Statement,
};
use std::str::FromStr;
use uuid::Uuid;

/// The scheduler's cron jobs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// `reminder.due` for occurrences starting within `reminder_lead_hours`.
    Reminders,
    /// `digest.due` for the coming week.
    Digest,
    /// Published events whose occurrences are all over become `completed`.
    Completion,
    /// External calendars are fetched.
    Import,
}

impl Job {
    pub const ALL: [Job; 4] = [Job::Reminders, Job::Digest, Job::Completion, Job::Import];

    pub fn name(self) -> &'static str {
        match self {
            Job::Reminders => "reminders",
            Job::Digest => "digest",
            Job::Completion => "completion",
            Job::Import => "import",
        }
    }

    pub fn parse(name: &str) -> Option<Job> {
        Job::ALL.into_iter().find(|j| j.name() == name)
    }

    pub fn cron(self, state: &AppState) -> &str {
        let settings = &state.settings.scheduler;
        match self {
            Job::Reminders => &settings.reminder_cron,
            Job::Digest => &settings.digest_cron,
            Job::Completion => &settings.complete_cron,
            Job::Import => &settings.import_cron,
        }
    }

    /// Its PostgreSQL advisory lock, within the schema's (replicas of one deployment share a
    /// schema; other deployments on the same database do not contend).
    fn lock_key(self) -> i32 {
        7_262_100
            + match self {
                Job::Reminders => 1,
                Job::Digest => 2,
                Job::Completion => 3,
                Job::Import => 4,
            }
    }
}

const WALL: &str = "%Y-%m-%dT%H:%M:%S";

/// What a tick did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tick {
    /// The first tick ever: counting starts here.
    Baseline,
    /// Nothing is due.
    Idle,
    /// Another replica is running it.
    Busy,
    /// It ran for the firing at this local time; `superseded` firings before it, missed while
    /// stopped, ran as this one.
    Ran {
        wall: NaiveDateTime,
        run_id: Uuid,
        superseded: u32,
        detail: String,
    },
}

fn schedule_of(state: &AppState, job: Job) -> anyhow::Result<cron::Schedule> {
    // Validated at start-up; an error here means the settings changed under us.
    Ok(cron::Schedule::from_str(job.cron(state))?)
}

/// The firings after local wall time `after` up to `until`, on the wall clock (which has no gaps
/// or repeats, so each local time fires once).
fn firings_between(
    schedule: &cron::Schedule,
    after: NaiveDateTime,
    until: NaiveDateTime,
) -> (Option<NaiveDateTime>, u32) {
    let mut last = None;
    let mut count = 0u32;
    for fire in schedule.after(&Utc.from_utc_datetime(&after)) {
        let wall = fire.naive_utc();
        if wall > until {
            break;
        }
        last = Some(wall);
        count = count.saturating_add(1);
        // A job firing every second after a long stop: the latest is what counts.
        if count > 1_000_000 {
            break;
        }
    }
    (last, count.saturating_sub(1))
}

/// The instant of the job's next firing after `now`.
pub fn next_fire(state: &AppState, job: Job, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    let zone = state.settings.time_zone;
    let schedule = schedule_of(state, job).ok()?;
    let wall = now.with_timezone(&zone).naive_local();
    let next = schedule.after(&Utc.from_utc_datetime(&wall)).next()?;
    Some(due_instant(next.naive_utc(), zone))
}

/// The instant the wall clock first reaches `wall`: its first occurrence when it is repeated,
/// the end of the gap when clocks jumped over it.
pub fn due_instant(wall: NaiveDateTime, zone: chrono_tz::Tz) -> DateTime<Utc> {
    use chrono::LocalResult;
    let mut probe = wall;
    // Gaps are at most a few hours; step to the first local time that exists.
    for _ in 0..(24 * 60) {
        match zone.from_local_datetime(&probe) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                return t.with_timezone(&Utc);
            }
            LocalResult::None => probe += chrono::Duration::minutes(1),
        }
    }
    local_to_utc(wall, zone)
}

/// Takes the job's lock for this transaction; `false` when another replica holds it.
async fn lock(txn: &DatabaseTransaction, state: &AppState, job: Job) -> anyhow::Result<bool> {
    if !state.db.is_postgres() {
        // SQLite: one process, and write transactions are serialised.
        return Ok(true);
    }
    let row = txn
        .query_one_raw(Statement::from_sql_and_values(
            sea_orm::DatabaseBackend::Postgres,
            "SELECT pg_try_advisory_xact_lock(hashtext(current_schema()), $1) AS locked",
            [job.lock_key().into()],
        ))
        .await?;
    Ok(row
        .map(|r| r.try_get::<bool>("", "locked"))
        .transpose()?
        .unwrap_or(false))
}

/// The latest firing recorded for `job`.
pub async fn last_run(
    conn: &impl ConnectionTrait,
    job: Job,
) -> Result<Option<job_runs::Model>, sea_orm::DbErr> {
    job_runs::Entity::find()
        .filter(job_runs::Column::Job.eq(job.name()))
        .order_by_desc(job_runs::Column::FireWall)
        .one(conn)
        .await
}

/// Runs `job` if a firing is due at `now`, exactly once. Tests call this with their own `now`.
#[tracing::instrument(skip_all, fields(job = job.name()))]
pub async fn tick(state: &AppState, job: Job, now: DateTime<Utc>) -> anyhow::Result<Tick> {
    let txn = state.begin().await?;
    let outcome = claim(state, &txn, job, now).await;
    // Whatever did not write rolls back at once: a dropped transaction would keep its
    // connection, and the job's lock with it, until the pool next uses that connection.
    match &outcome {
        Ok(Tick::Baseline | Tick::Ran { .. }) => txn.commit().await?,
        _ => txn.rollback().await?,
    }
    let outcome = outcome?;
    match &outcome {
        Tick::Baseline => tracing::info!("first start: the job counts its firings from now"),
        Tick::Ran {
            wall,
            run_id,
            superseded,
            detail,
        } => {
            tracing::info!(fire = %wall, %run_id, superseded, %detail, "job ran");
            if job == Job::Import {
                crate::import::refresh_all(state, now).await?;
            }
        }
        Tick::Idle | Tick::Busy => {}
    }
    Ok(outcome)
}

/// Inside the transaction: takes the job's lock, finds the firing due, does the job's work and
/// records the firing.
async fn claim(
    state: &AppState,
    unit: &Unit,
    job: Job,
    now: DateTime<Utc>,
) -> anyhow::Result<Tick> {
    let txn: &DatabaseTransaction = unit;
    let zone = state.settings.time_zone;
    let schedule = schedule_of(state, job)?;
    let now_wall = now.with_timezone(&zone).naive_local();
    if !lock(txn, state, job).await? {
        return Ok(Tick::Busy);
    }
    let Some(last) = last_run(txn, job).await? else {
        let detail = "counting starts here";
        insert(txn, job, now_wall, now, Uuid::now_v7(), "baseline", detail).await?;
        return Ok(Tick::Baseline);
    };
    let after = NaiveDateTime::parse_from_str(&last.fire_wall, WALL)?;
    let (Some(wall), superseded) = firings_between(&schedule, after, now_wall) else {
        return Ok(Tick::Idle);
    };
    let firing = Firing {
        wall,
        at: due_instant(wall, zone),
        run_id: Uuid::now_v7(),
        now,
    };
    let detail = match job {
        Job::Reminders => reminders::run(state, unit, &firing).await?,
        Job::Digest => digest::run(state, unit, &firing).await?,
        Job::Completion => completion::run(txn, &firing).await?,
        // Fetching takes long: the firing is claimed here, the feeds are fetched after.
        Job::Import => "feeds fetched after the claim".to_string(),
    };
    let detail = if superseded > 0 {
        format!("{detail}; {superseded} earlier firing(s) missed while stopped ran as this one")
    } else {
        detail
    };
    insert(txn, job, wall, firing.at, firing.run_id, "ran", &detail).await?;
    Ok(Tick::Ran {
        wall,
        run_id: firing.run_id,
        superseded,
        detail,
    })
}

async fn insert(
    txn: &DatabaseTransaction,
    job: Job,
    wall: NaiveDateTime,
    at: DateTime<Utc>,
    run_id: Uuid,
    outcome: &str,
    detail: &str,
) -> Result<(), sea_orm::DbErr> {
    let row = job_runs::Model {
        job: job.name().into(),
        fire_wall: wall.format(WALL).to_string(),
        fire_at: at,
        run_id,
        outcome: outcome.into(),
        detail: detail.into(),
        started_at: piazza_shared::clock::now(),
    };
    job_runs::Entity::insert(job_runs::ActiveModel::from(row))
        .exec_without_returning(txn)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn wall(d: u32, h: u32, m: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2027, 10, d)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap()
    }

    #[test]
    fn a_skipped_local_time_is_due_when_the_clock_jumps_past_it() {
        let spring = NaiveDate::from_ymd_opt(2027, 3, 28)
            .unwrap()
            .and_hms_opt(2, 30, 0)
            .unwrap();
        // 02:00 CET becomes 03:00 CEST, at 01:00 UTC.
        assert_eq!(
            due_instant(spring, chrono_tz::Europe::Rome).to_rfc3339(),
            "2027-03-28T01:00:00+00:00"
        );
        // 02:30 happens twice on 31 October: the first time counts.
        assert_eq!(
            due_instant(wall(31, 2, 30), chrono_tz::Europe::Rome).to_rfc3339(),
            "2027-10-31T00:30:00+00:00"
        );
    }

    #[test]
    fn a_missed_stretch_runs_its_latest_firing_once() {
        let daily = cron::Schedule::from_str("0 30 2 * * *").unwrap();
        assert_eq!(
            firings_between(&daily, wall(27, 3, 0), wall(30, 3, 0)),
            (Some(wall(30, 2, 30)), 2)
        );
        assert_eq!(
            firings_between(&daily, wall(30, 2, 30), wall(30, 23, 0)),
            (None, 0)
        );
    }
}
