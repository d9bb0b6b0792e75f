//! Whether the SMTP server answers, for `/readyz`: a `NOOP` over a connection of the probe's own
//! (kept between probes), so the answer is about the server now and costs one round trip.

use crate::{readiness::Probe, secret::Secret};
use futures::FutureExt;
use lettre::{AsyncSmtpTransport, Tokio1Executor};
use std::{sync::Arc, time::Duration};

/// A readiness probe for the server at `url` (`smtp://…` or `smtps://…`).
pub fn probe(url: &Secret<String>) -> anyhow::Result<Probe> {
    let transport: AsyncSmtpTransport<Tokio1Executor> =
        AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())?
            .timeout(Some(Duration::from_secs(2)))
            .build();
    Ok(Arc::new(move || {
        let transport = transport.clone();
        async move {
            match transport.test_connection().await {
                Ok(true) => Ok(()),
                Ok(false) => Err("the SMTP server did not answer NOOP".to_string()),
                Err(e) => Err(format!("SMTP server unreachable: {e}")),
            }
        }
        .boxed()
    }))
}
