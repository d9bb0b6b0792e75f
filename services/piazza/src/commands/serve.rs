//! Running services: all in one process, or one per process.

use piazza_shared::{
    runtime::{Application, ServiceDef},
    settings::{Settings, SettingsError},
};

/// Every service behind one listener: the embedded default.
pub async fn all(settings: Settings) -> anyhow::Result<()> {
    let app = Application::build(settings.clone(), &super::ALL, &super::ALL).await?;
    announce(
        &app,
        &settings,
        "booking, scheduler, notifier and monitoring",
    );
    crate::signals::cancel_on_signal(app.shutdown_token());
    app.run_until_stopped().await
}

/// One service on its own: it needs RabbitMQ to reach the others.
pub async fn one(settings: Settings, service: ServiceDef) -> anyhow::Result<()> {
    if settings.amqp_url.is_none() {
        return Err(SettingsError::new(
            "amqp_url",
            "`piazza serve` runs one service, which reaches the others through RabbitMQ: set PIAZZA_AMQP_URL (or run `piazza` with no command for everything in one process)",
        )
        .into());
    }
    let app = Application::build(settings.clone(), &[service], &super::ALL).await?;
    announce(&app, &settings, service.name);
    crate::signals::cancel_on_signal(app.shutdown_token());
    app.run_until_stopped().await
}

pub(super) fn announce(app: &Application, settings: &Settings, what: &str) {
    let address = app
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| settings.listen.to_string());
    let database = if settings.uses_postgres() {
        "PostgreSQL"
    } else {
        "SQLite"
    };
    let bus = if settings.amqp_url.is_some() {
        "RabbitMQ"
    } else {
        "in-process bus"
    };
    let mail = if settings.smtp_url.is_some() {
        "SMTP".to_string()
    } else {
        format!(
            ".eml files in {}",
            settings.data_dir.join("outbox").display()
        )
    };
    println!("Piazza ({what}) listening on http://{address}  [{database}, {bus}, email: {mail}]");
    tracing::info!(%address, service = what, "listening");
}
