//! The OpenTelemetry export, when `telemetry.otlp_endpoint` is set: the `tracing` spans of
//! requests and handled messages become OpenTelemetry spans (`tracing-opentelemetry`), batched
//! and sent as OTLP over HTTP (JSON bodies) by `opentelemetry-otlp` on a thread of its own, with
//! the service's name as `service.name`. Their trace ids are those of the W3C `traceparent`
//! Piazza takes, logs and passes on in the message envelopes, so a trace found in the collector
//! leads to the log lines and back.

use crate::{settings::TelemetrySettings, trace::TraceParent};
use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt, TraceFlags, TraceId, TraceState, TracerProvider,
};
use opentelemetry_otlp::{Protocol, WithExportConfig};
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
use std::sync::atomic::{AtomicBool, Ordering};
use tracing::Subscriber;
use tracing_opentelemetry::OpenTelemetrySpanExt;
use tracing_subscriber::{Layer, registry::LookupSpan};

static ENABLED: AtomicBool = AtomicBool::new(false);

/// Whether spans are exported (an endpoint is configured and the exporter started).
pub(super) fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}

/// The running export, if any. [`Exporter::shutdown`] sends the spans still batched.
#[derive(Debug, Default)]
pub struct Exporter(Option<SdkTracerProvider>);

impl Exporter {
    /// Sends what is batched and stops the export (a few seconds at most). Runs on a thread of
    /// its own: the exporter's HTTP client blocks, which an async task must not.
    pub fn shutdown(mut self) {
        if let Some(provider) = self.0.take() {
            ENABLED.store(false, Ordering::Relaxed);
            let _ = std::thread::spawn(move || {
                if let Err(error) = provider.shutdown() {
                    eprintln!("warning: the OpenTelemetry export did not finish: {error}");
                }
            })
            .join();
        }
    }
}

/// Starts the export to `settings`' endpoint as `service`, and the layer that feeds it. Without
/// an endpoint, or when the exporter cannot be built (said on stderr: logging is not up yet),
/// nothing is exported.
pub(super) fn start<S>(
    settings: &TelemetrySettings,
    service: &str,
) -> (Exporter, Option<Box<dyn Layer<S> + Send + Sync>>)
where
    S: Subscriber + for<'a> LookupSpan<'a> + Send + Sync,
{
    let Some(url) = settings.traces_url() else {
        return (Exporter::default(), None);
    };
    // The exporter builds its own HTTP client, which needs the TLS provider chosen.
    crate::tls::use_ring();
    let exporter = match opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(Protocol::HttpJson)
        .with_endpoint(url.clone())
        .build()
    {
        Ok(exporter) => exporter,
        Err(error) => {
            eprintln!("warning: not exporting traces to {url}: {error}");
            return (Exporter::default(), None);
        }
    };
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(
            Resource::builder()
                .with_service_name(service.to_string())
                .build(),
        )
        .build();
    let layer = tracing_opentelemetry::layer().with_tracer(provider.tracer("piazza"));
    ENABLED.store(true, Ordering::Relaxed);
    (Exporter(Some(provider)), Some(Box::new(layer)))
}

/// Makes `span` a child of `parent` in the export and returns the ids it is exported with.
pub(super) fn attach(span: &tracing::Span, parent: Option<TraceParent>) -> Option<TraceParent> {
    if let Some(parent) = parent {
        let remote = SpanContext::new(
            TraceId::from_bytes(parent.trace_id),
            SpanId::from_bytes(parent.span_id),
            TraceFlags::new(parent.flags),
            true,
            TraceState::default(),
        );
        let _ = span.set_parent(opentelemetry::Context::new().with_remote_span_context(remote));
    }
    let context = span.context();
    let own = context.span().span_context().clone();
    own.is_valid().then(|| TraceParent {
        trace_id: own.trace_id().to_bytes(),
        span_id: own.span_id().to_bytes(),
        flags: own.trace_flags().to_u8(),
    })
}
