//! What each command does.

mod dead_letters;
mod demo;
mod emails;
mod migrate;
mod serve;
mod user;

use crate::cli::{Cli, Command, DeadLetterCommand, EmailCommand, Service, UserCommand};
use piazza_shared::{
    clock,
    runtime::{self, ServiceDef},
    settings::Settings,
    telemetry,
};

pub const ALL: [ServiceDef; 4] = [
    piazza_booking::SERVICE,
    piazza_scheduler::SERVICE,
    piazza_notifier::SERVICE,
    piazza_monitoring::SERVICE,
];

pub fn def(service: Service) -> ServiceDef {
    match service {
        Service::Booking => piazza_booking::SERVICE,
        Service::Scheduler => piazza_scheduler::SERVICE,
        Service::Notifier => piazza_notifier::SERVICE,
        Service::Monitoring => piazza_monitoring::SERVICE,
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    // Each service owns its section of the settings; all of them are read and checked now.
    let settings = Settings::load(&runtime::sections(&ALL))?;
    // Traces are exported under the service's name (`piazza-booking`, …), or `piazza` for the
    // process that runs everything and for the tools.
    let service_name = match &cli.command {
        Some(Command::Serve { service }) => format!("piazza-{}", def(*service).name),
        _ => "piazza".to_string(),
    };
    let exporter = telemetry::init_tracing(settings.log_format, &settings.telemetry, &service_name);
    let result = dispatch(cli, settings).await;
    exporter.shutdown();
    result
}

async fn dispatch(cli: Cli, settings: Settings) -> anyhow::Result<()> {
    if let Some(start) = settings.clock_start {
        // Before anything reads the time: every service of the process sees the moved clock.
        clock::start_at(start);
        tracing::warn!(%start, "the clock starts at clock_start (PIAZZA_CLOCK_START), not at the system's time");
    }
    match cli.command {
        None => serve::all(settings).await,
        Some(Command::Serve { service }) => serve::one(settings, def(service)).await,
        Some(Command::Demo { fill_only }) => demo::run(settings, fill_only).await,
        Some(Command::Migrate { service }) => migrate::run(&settings, service.map(def)).await,
        Some(Command::User {
            command:
                UserCommand::Add {
                    email,
                    role,
                    organisation,
                    password_stdin: _,
                },
        }) => user::add(&settings, &email, role, organisation.as_deref()).await,
        Some(Command::User { command }) => user::change(&settings, command).await,
        Some(Command::DeadLetters { command }) => match command {
            DeadLetterCommand::List { service, json } => {
                dead_letters::list(&settings, service.map(def), json).await
            }
            DeadLetterCommand::Replay { service, id, all } => {
                let ids = (!all).then_some(id);
                dead_letters::replay(&settings, service.map(def), ids).await
            }
        },
        Some(Command::Emails { command }) => match command {
            EmailCommand::Unknown { json } => emails::list(&settings, json).await,
            EmailCommand::Resend { id } => emails::resend(&settings, &id).await,
        },
    }
}
