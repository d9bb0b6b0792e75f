//! `piazza migrate`: apply pending migrations.

use piazza_shared::{db::Db, runtime::ServiceDef, settings::Settings};

pub async fn run(settings: &Settings, only: Option<ServiceDef>) -> anyhow::Result<()> {
    let services: Vec<ServiceDef> = match only {
        Some(one) => vec![one],
        None => super::ALL.to_vec(),
    };
    for service in services {
        let db = Db::connect(settings, service.name).await?;
        (service.migrate)(&db).await?;
        println!("{}: migrations applied ({})", service.name, db.location);
        db.close().await;
    }
    Ok(())
}
