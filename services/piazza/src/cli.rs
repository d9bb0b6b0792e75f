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
    /// Fill an empty Piazza with a demo programme of the Centro Storico (spaces, a season of
    /// events with a pathway, a call, an operator's booking, subscribers), print how to sign in,
    /// and keep serving every service in this process, as `piazza` with no command does.
    Demo {
        /// Fill, print, and stop instead of serving.
        #[arg(long)]
        fill_only: bool,
    },
    /// Manage accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Messages parked after their last failed attempt: look at them, send them back.
    ///
    /// With PIAZZA_AMQP_URL set they are read from RabbitMQ (each service's `<queue>.dead`);
    /// otherwise from each service's `dead_letters` table (the embedded mode).
    DeadLetters {
        #[command(subcommand)]
        command: DeadLetterCommand,
    },
    /// Emails whose outcome is unknown: the connection broke after their content was sent, so
    /// the mail server may or may not have taken them; the notifier never resends them itself.
    Emails {
        #[command(subcommand)]
        command: EmailCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum EmailCommand {
    /// Print them (id, kind, recipient, when it was tried, the error), oldest first.
    Unknown {
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Send them again (after checking the mail server's log that it did not take them).
    Resend {
        /// The id of an email to send again (repeat for several).
        #[arg(long, required = true)]
        id: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum DeadLetterCommand {
    /// Print every parked message (service, id, type, attempts, when, why); nothing is removed.
    List {
        /// Only this service's messages.
        #[arg(long)]
        service: Option<Service>,
        /// One JSON object per line instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Send parked messages back to the service that parked them, to be handled again.
    Replay {
        /// Only this service's messages.
        #[arg(long)]
        service: Option<Service>,
        /// The id of a message to replay (repeat for several).
        #[arg(long, required_unless_present = "all", conflicts_with = "all")]
        id: Vec<String>,
        /// Every parked message (of `--service`, or of every service).
        #[arg(long)]
        all: bool,
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
    /// Set a new password (read from the first line of standard input); ends every session of
    /// the account.
    Password {
        #[arg(long)]
        email: String,
        /// Read the password from standard input (required: passwords never go on the command line).
        #[arg(long, required = true)]
        password_stdin: bool,
    },
    /// Give the account another role (and organisation); ends every session of the account.
    Role {
        #[arg(long)]
        email: String,
        #[arg(long)]
        role: RoleArg,
        /// The operator's organisation (created if new); operators only.
        #[arg(long)]
        organisation: Option<String>,
    },
    /// Stop the account from logging in; ends every session of the account.
    Disable {
        #[arg(long)]
        email: String,
    },
    /// Let a disabled account log in again.
    Enable {
        #[arg(long)]
        email: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Service {
    Booking,
    Scheduler,
    Notifier,
    Monitoring,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    Admin,
    Operator,
    Evaluator,
}
