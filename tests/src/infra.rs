//! Each test's private corner of the shared PostgreSQL and RabbitMQ, and tidying it away.

use lapin::{
    Connection, ConnectionProperties,
    options::{ExchangeDeleteOptions, QueueDeclareOptions, QueueDeleteOptions},
    types::FieldTable,
};

/// The services whose schemas and queues a test creates.
pub const SERVICES: [&str; 4] = ["booking", "scheduler", "notifier", "monitoring"];

/// The queue a test binds for itself beside the services' (to read messages as they pass),
/// removed with theirs.
pub const TAP: &str = "tap";

/// Drops the test's schemas (`<prefix>booking`, …).
pub async fn drop_schemas(prefix: &str) {
    let Ok(pool) = sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&crate::database_url())
        .await
    else {
        return;
    };
    for service in SERVICES {
        let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DROP SCHEMA IF EXISTS \"{prefix}{service}\" CASCADE"
        )))
        .execute(&pool)
        .await;
    }
    pool.close().await;
}

/// Deletes the test's queues and exchanges.
pub async fn delete_broker_objects(url: &str, namespace: &str, queue_prefix: &str) {
    let Ok(connection) = Connection::connect(url, ConnectionProperties::default()).await else {
        return;
    };
    let Ok(channel) = connection.create_channel().await else {
        return;
    };
    for service in SERVICES.into_iter().chain([TAP]) {
        for suffix in ["", ".retry", ".dead"] {
            let queue = format!("{queue_prefix}{service}{suffix}");
            let _ = channel
                .queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
                .await;
        }
    }
    for exchange in ["events", "dead"] {
        let name = format!("{namespace}.{exchange}");
        let _ = channel
            .exchange_delete(name.as_str().into(), ExchangeDeleteOptions::default())
            .await;
    }
    let _ = connection.close(200, "done".into()).await;
}

/// Messages ready in `queue` (0 when it does not exist).
pub async fn queue_depth(queue: &str) -> u32 {
    let Ok(connection) =
        Connection::connect(&crate::amqp_url(), ConnectionProperties::default()).await
    else {
        return 0;
    };
    let depth = match connection.create_channel().await {
        Ok(channel) => channel
            .queue_declare(
                queue.into(),
                QueueDeclareOptions {
                    passive: true,
                    ..Default::default()
                },
                FieldTable::default(),
            )
            .await
            .map(|q| q.message_count())
            .unwrap_or(0),
        Err(_) => 0,
    };
    let _ = connection.close(200, "done".into()).await;
    depth
}
