//! What services send, read on the embedded default, where the in-process bus keeps nothing a
//! test could read: a trigger copies every row a service writes to its outbox (the envelope as
//! it goes on the bus) into a table of the test's own in the service's SQLite database. On
//! RabbitMQ tests bind a queue of their own instead ([`crate::observer`]).

use crate::app::TestApp;
use piazza_shared::{Envelope, db::Db};
use sea_orm::{ConnectionTrait, Statement};

pub struct OutboxTap {
    dbs: Vec<Db>,
}

impl OutboxTap {
    /// Copies from now on what `services` (on SQLite) write to their outboxes.
    pub async fn start(app: &TestApp, services: &[&str]) -> Self {
        let mut dbs = Vec::new();
        for service in services {
            let db = app.db(service).await;
            for sql in [
                "CREATE TABLE IF NOT EXISTS test_outbox_tap (
                    seq INTEGER PRIMARY KEY AUTOINCREMENT, payload TEXT NOT NULL)",
                "CREATE TRIGGER IF NOT EXISTS test_outbox_tap AFTER INSERT ON outbox
                    BEGIN INSERT INTO test_outbox_tap (payload) VALUES (NEW.payload); END",
            ] {
                db.conn()
                    .execute_unprepared(sql)
                    .await
                    .expect("tapping the outbox (SQLite only)");
            }
            dbs.push(db);
        }
        Self { dbs }
    }

    /// Every envelope written so far, service by service, in the order written.
    pub async fn envelopes(&self) -> Vec<Envelope> {
        let mut all = Vec::new();
        for db in &self.dbs {
            let rows = db
                .conn()
                .query_all_raw(Statement::from_string(
                    db.backend(),
                    "SELECT payload FROM test_outbox_tap ORDER BY seq",
                ))
                .await
                .expect("reading the outbox tap");
            for row in rows {
                let payload: String = row.try_get("", "payload").expect("a payload");
                all.push(Envelope::from_bytes(payload.as_bytes()).expect("an envelope"));
            }
        }
        all
    }
}
