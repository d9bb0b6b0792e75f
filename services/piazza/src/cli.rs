//! The command line.

use clap::{Parser, Subcommand, ValueEnum};

/// Piazza: spaces, events and youth notifications for the cultural life of a historic centre.
///
/// With no command, runs every service in one process on the embedded default.
#[derive(Debug, Parser)]
#[command(name = "piazza", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run one service on its own, against PostgreSQL and RabbitMQ (PIAZZA_DATABASE_URL,
    /// PIAZZA_AMQP_URL).
    Serve { service: Service },
    /// Apply pending database migrations (all services, or one).
    Migrate {
        #[arg(long)]
        service: Option<Service>,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create an account; the password is read from the first line of standard input.
    Add {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: RoleArg,
        /// The operator's organisation (created if new); operators only.
        #[arg(long)]
        organisation: Option<String>,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Service {
    Booking,
    Scheduler,
    Notifier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    Operator,
    Evaluator,
}
