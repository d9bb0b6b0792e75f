//! `piazza user add|password|role|disable|enable`: create and change accounts. Accounts live in
//! the booking service's database; a change that ends sessions is written there with its
//! `piazza.account.sessions_ended` message in booking's outbox, which the running booking service
//! publishes to the others.

use crate::cli::{RoleArg, UserCommand};
use anyhow::Context;
use piazza_booking::accounts::{self, Change};
use piazza_shared::{
    auth::Role, bus::outbox::Outbox, contracts::account::SessionsEndedReason, db::Db,
    settings::Settings,
};
use std::io::BufRead;

fn role_of(role: RoleArg) -> Role {
    match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::Operator => Role::Operator,
        RoleArg::Evaluator => Role::Evaluator,
    }
}

fn read_password() -> anyhow::Result<String> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    Ok(password.trim_end_matches(['\r', '\n']).to_string())
}

/// Changes an account (every command but `add`).
pub async fn change(settings: &Settings, command: UserCommand) -> anyhow::Result<()> {
    let (email, change) = match command {
        UserCommand::Add { .. } => anyhow::bail!("`user add` creates, it does not change"),
        UserCommand::Enable { email } => {
            let db = Db::connect(settings, piazza_booking::NAME).await?;
            (piazza_booking::SERVICE.migrate)(&db).await?;
            accounts::enable(&db, &email).await?;
            println!("enabled {email}");
            db.close().await;
            return Ok(());
        }
        UserCommand::Password { email, .. } => (email, Change::Password(read_password()?)),
        UserCommand::Role {
            email,
            role,
            organisation,
        } => (email, Change::Role(role_of(role), organisation)),
        UserCommand::Disable { email } => (email, Change::Disable),
    };
    let db = Db::connect(settings, piazza_booking::NAME).await?;
    (piazza_booking::SERVICE.migrate)(&db).await?;
    let outbox = Outbox::new(piazza_booking::NAME);
    let ended = accounts::change(&db, &outbox, &email, change).await?;
    let what = match ended.reason {
        SessionsEndedReason::PasswordChanged => "password changed",
        SessionsEndedReason::RoleChanged => "role changed",
        SessionsEndedReason::Disabled => "disabled",
        SessionsEndedReason::Logout => "logged out",
    };
    println!("{email}: {what}; every session of the account has ended");
    db.close().await;
    Ok(())
}

pub async fn add(
    settings: &Settings,
    email: &str,
    role: RoleArg,
    organisation: Option<&str>,
) -> anyhow::Result<()> {
    let password = read_password()?;
    let role = role_of(role);
    let db = Db::connect(settings, piazza_booking::NAME).await?;
    (piazza_booking::SERVICE.migrate)(&db).await?;
    let account =
        piazza_booking::accounts::create(&db, email, role, organisation, password).await?;
    println!(
        "created {} account {} ({})",
        role.as_str(),
        account.email,
        account.id
    );
    db.close().await;
    Ok(())
}
