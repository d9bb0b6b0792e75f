//! Logs through `tracing` (text or JSON lines, each with the fields of the spans it is in: the
//! request id and trace id of [`crate::http::request`]) and Prometheus metrics through
//! `metrics`, durations as histograms with buckets (they add up over replicas, unlike
//! summaries).

use crate::{
    settings::{LogFormat, TelemetrySettings},
    trace::TraceParent,
};
use futures::future::BoxFuture;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::{Arc, OnceLock};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

mod otlp;

pub use otlp::Exporter;

/// Starts logging once per process; later calls do nothing. `RUST_LOG` overrides the level.
/// With `telemetry.otlp_endpoint` set, spans are also exported there as `service`'s; keep the
/// returned [`Exporter`] until the process ends, and shut it down to send the last spans.
pub fn init_tracing(format: LogFormat, telemetry: &TelemetrySettings, service: &str) -> Exporter {
    // lapin logs a returned message whole (its payload may name people): the outbox relay
    // logs its id and type instead.
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        EnvFilter::new(
            "info,sqlx=warn,sea_orm=warn,lapin=warn,lapin::returned_messages=error,amq_protocol=warn",
        )
    });
    let (exporter, layer) = otlp::start(telemetry, service);
    let registry = tracing_subscriber::registry().with(filter).with(layer);
    let _ = match format {
        LogFormat::Json => registry
            .with(
                fmt::layer()
                    .json()
                    .with_current_span(true)
                    .with_span_list(true),
            )
            .try_init(),
        // Colours only for a person at a terminal: in a file or a log collector the escape codes
        // would split every field a search looks for (`route=/api/v1/events`).
        LogFormat::Text => registry
            .with(
                fmt::layer()
                    .with_target(false)
                    .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stdout())),
            )
            .try_init(),
    };
    exporter
}

static METRICS: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The buckets of every `*_seconds` histogram (request and message handling durations): from
/// 5 ms to 30 s, so a p95 can be read from them whether an answer is fast or times out.
pub const SECONDS_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

/// Installs the Prometheus recorder once per process.
pub fn init_metrics() {
    METRICS.get_or_init(|| {
        PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), SECONDS_BUCKETS)
            .ok()?
            .install_recorder()
            .ok()
    });
}

/// The current metrics in Prometheus text format.
pub fn render_metrics() -> String {
    init_metrics();
    METRICS
        .get()
        .and_then(|h| h.as_ref())
        .map(|h| h.render())
        .unwrap_or_default()
}

/// Starts the trace of the work `span` covers: a child of `parent` (a caller's `traceparent`,
/// a message's) or a new trace, and records its `trace_id` field. With the OpenTelemetry export
/// on, the span is exported with that parent and the ids are the exported span's own, so the
/// messages this work publishes name it as their parent.
pub fn start_trace(span: &tracing::Span, parent: Option<TraceParent>) -> TraceParent {
    let trace = if otlp::enabled() {
        otlp::attach(span, parent)
    } else {
        None
    }
    .unwrap_or_else(|| parent.map(|p| p.child()).unwrap_or_else(TraceParent::start));
    span.record("trace_id", tracing::field::display(trace.trace_id_hex()));
    trace
}

/// Sets gauges read from a service's own tables when `/metrics` is scraped (what waits, say).
pub type Sampler = Arc<dyn Fn() -> BoxFuture<'static, ()> + Send + Sync>;

/// The samplers services register while they are built; `/metrics` runs each before rendering.
#[derive(Clone, Default)]
pub struct Samplers(Arc<std::sync::Mutex<Vec<Sampler>>>);

impl std::fmt::Debug for Samplers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Samplers({})", self.all().len())
    }
}

impl Samplers {
    pub fn add(&self, sampler: Sampler) {
        if let Ok(mut all) = self.0.lock() {
            all.push(sampler);
        }
    }

    pub fn all(&self) -> Vec<Sampler> {
        self.0.lock().map(|all| all.clone()).unwrap_or_default()
    }
}
