//! `piazza user add`: create an account. Accounts live in the booking service's database.

use crate::cli::RoleArg;
use anyhow::Context;
use piazza_shared::{auth::Role, db::Db, settings::Settings};
use std::io::BufRead;

pub async fn add(
    settings: &Settings,
    email: &str,
    role: RoleArg,
    organisation: Option<&str>,
) -> anyhow::Result<()> {
    let mut password = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut password)
        .context("reading the password from standard input")?;
    let password = password.trim_end_matches(['\r', '\n']).to_string();
    let role = match role {
        RoleArg::Admin => Role::Admin,
        RoleArg::Operator => Role::Operator,
        RoleArg::Evaluator => Role::Evaluator,
    };
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
