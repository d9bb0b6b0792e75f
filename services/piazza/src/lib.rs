//! The one Piazza binary. With no arguments it runs every service in one process on the embedded
//! default (SQLite under `./data`, the in-process bus, emails as `.eml` files); `piazza serve
//! <service>` runs one service against PostgreSQL and RabbitMQ; `piazza migrate` and
//! `piazza user add` are the administrator's tools.

mod cli;
mod commands;
mod signals;

use clap::Parser;
use std::process::ExitCode;

pub use cli::Cli;

/// Runs the command line and turns any error into a message and exit code 1 (2 for settings).
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            eprintln!("error: cannot start the async runtime: {error}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error:#}");
            if error
                .downcast_ref::<piazza_shared::settings::SettingsError>()
                .is_some()
            {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}
