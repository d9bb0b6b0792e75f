//! The monitoring, end to end on the embedded default and on PostgreSQL and RabbitMQ: what the
//! other services announce becomes facts — approved bookings as space used, published events'
//! occurrences, confirmed registrations (a person as a keyed hash, never an address), co-design
//! meetings, ideas and pathways — that only move forward; and an empty monitoring asks the owners
//! for what they hold and fills itself from their answers.
//!
//! Where the producers do not fill a field yet (the space's funding line on a booking, a
//! registrant's age band), a hand-built message, published from the owner's outbox as the owner
//! would, shows what the monitoring does with it.

mod bookings;
mod events;
mod indicators;
mod indicators_api;
pub(crate) mod indicators_seed;
mod others;
mod resync;
mod snapshots;

use chrono::{DateTime, Utc};
use piazza_e2e::{app::TestApp, eventually};
use piazza_monitoring::db::facts;
use piazza_shared::{
    Message,
    bus::{inbox, outbox},
    db::Db,
    envelope::Envelope,
};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, Statement};
use std::time::Duration;
use uuid::Uuid;

pub const WAIT: Duration = Duration::from_secs(30);

/// The facts of `kind` the monitoring of `app` holds now, by time.
pub async fn facts(app: &TestApp, kind: &str) -> Vec<facts::Model> {
    let db = app.db(piazza_monitoring::NAME).await;
    let rows = facts_in(&db, kind).await;
    db.close().await;
    rows
}

/// The facts of `kind` in the monitoring's database `db`, by time.
pub async fn facts_in(db: &Db, kind: &str) -> Vec<facts::Model> {
    facts::Entity::find()
        .filter(facts::Column::Kind.eq(kind))
        .order_by_asc(facts::Column::At)
        .order_by_asc(facts::Column::SubjectId)
        .all(db.conn())
        .await
        .unwrap()
}

/// Waits until the facts of `kind` satisfy `done`; returns them.
pub async fn facts_when(
    app: &TestApp,
    kind: &str,
    what: &str,
    done: impl Fn(&[facts::Model]) -> bool,
) -> Vec<facts::Model> {
    eventually(what, WAIT, || async {
        let rows = facts(app, kind).await;
        done(&rows).then_some(rows)
    })
    .await
}

/// Publishes `message` as `service` would: written to its outbox, sent by its relay. Returns the
/// message's id.
pub async fn send<M: Message>(app: &TestApp, service: &'static str, message: &M) -> Uuid {
    send_dated(app, service, message, piazza_shared::clock::now()).await
}

/// As [`send`], with the message's time set to `time` (news from the past).
pub async fn send_dated<M: Message>(
    app: &TestApp,
    service: &'static str,
    message: &M,
    time: DateTime<Utc>,
) -> Uuid {
    let mut envelope = Envelope::new(service, message, None);
    envelope.time = time;
    let db = app.db(service).await;
    outbox::add_envelope_at(db.conn(), &envelope, piazza_shared::clock::now())
        .await
        .unwrap();
    db.close().await;
    envelope.id
}

/// Waits until the monitoring has handled the message `id`.
pub async fn handled(app: &TestApp, id: Uuid) {
    let db = app.db(piazza_monitoring::NAME).await;
    eventually("the message handled", WAIT, || async {
        inbox::entity::Entity::find_by_id(id)
            .one(db.conn())
            .await
            .unwrap()
            .map(|_| ())
    })
    .await;
    db.close().await;
}

/// Everything the monitoring's database holds, as text: every row of every table.
pub async fn everything_stored(app: &TestApp) -> String {
    let db = app.db(piazza_monitoring::NAME).await;
    let backend = db.backend();
    let text = if db.is_postgres() {
        let schema = format!(
            "{}{}",
            app.settings.database_schema_prefix,
            piazza_monitoring::NAME
        );
        let tables = db
            .conn()
            .query_all_raw(Statement::from_string(
                backend,
                format!(
                    "SELECT table_name::text AS name FROM information_schema.tables \
                     WHERE table_schema = '{schema}'"
                ),
            ))
            .await
            .unwrap();
        let mut all = String::new();
        for table in tables {
            let name: String = table.try_get("", "name").unwrap();
            let rows = db
                .conn()
                .query_all_raw(Statement::from_string(
                    backend,
                    format!("SELECT t::text AS row FROM \"{schema}\".\"{name}\" t"),
                ))
                .await
                .unwrap();
            for row in rows {
                all.push_str(&row.try_get::<String>("", "row").unwrap());
                all.push('\n');
            }
        }
        all
    } else {
        // The database file itself (and its write-ahead log), whatever tables it has.
        let file = app
            .data_dir()
            .join(format!("{}.db", piazza_monitoring::NAME));
        let mut bytes = std::fs::read(&file).unwrap();
        bytes.extend(std::fs::read(file.with_extension("db-wal")).unwrap_or_default());
        String::from_utf8_lossy(&bytes).into_owned()
    };
    db.close().await;
    text
}
