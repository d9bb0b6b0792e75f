//! `piazza emails unknown|resend`: the emails whose outcome is unknown (the connection broke after
//! their content was sent), which the notifier never sends again by itself; see
//! `piazza_notifier::unknown`.

use anyhow::Context;
use piazza_notifier::unknown;
use piazza_shared::{db::Db, settings::Settings};
use uuid::Uuid;

async fn notifier_db(settings: &Settings) -> anyhow::Result<Db> {
    Db::connect(settings, piazza_notifier::NAME)
        .await
        .context("opening the notifier's database")
}

/// Prints them: a table, or one JSON object per line.
pub async fn list(settings: &Settings, json: bool) -> anyhow::Result<()> {
    let db = notifier_db(settings).await?;
    let emails = unknown::list(db.conn())
        .await
        .context("reading the deliveries (has `piazza migrate` run?)");
    db.close().await;
    let emails = emails?;
    if json {
        for email in &emails {
            println!("{}", serde_json::to_string(email)?);
        }
    } else if emails.is_empty() {
        println!("no email of unknown outcome");
    } else {
        println!("ID\tKIND\tRECIPIENT\tTRIED AT\tERROR");
        for e in &emails {
            println!(
                "{}\t{}\t{}\t{}\t{}",
                e.id,
                e.kind,
                e.recipient,
                e.at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                e.error.as_deref().unwrap_or("-").replace('\n', " ")
            );
        }
    }
    Ok(())
}

/// Puts the emails `ids` back to be sent (the running notifier sends them within a second).
pub async fn resend(settings: &Settings, ids: &[String]) -> anyhow::Result<()> {
    let ids = ids
        .iter()
        .map(|id| {
            Uuid::parse_str(id.trim()).with_context(|| format!("`{id}` is not a delivery id"))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let db = notifier_db(settings).await?;
    let resent = unknown::resend(db.conn(), &ids).await;
    db.close().await;
    let resent = resent?;
    println!("{resent} of {} email(s) will be sent again", ids.len());
    if resent < ids.len() as u64 {
        println!(
            "(the others are not of unknown outcome: `piazza emails unknown` lists those that are)"
        );
    }
    Ok(())
}
