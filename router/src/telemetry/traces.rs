//! The router's traces: installing the process's subscriber as `telemetry`
//! says (`switchyard serve`), and the spans of the request's phases.
//!
//! Spans are made only when `telemetry.tracing.enabled`: off, each phase costs
//! one boolean test, whatever `RUST_LOG` lets the logs show. A router embedded
//! in another program (the shop launcher, tests) makes its spans, and that
//! program installs the subscriber that exports them.

use tracing::Span;

use crate::config::TelemetryConfig;

pub use switchyard_telemetry::{Telemetry, TelemetryError};

/// Installs the process's `tracing` subscriber: logs in
/// `telemetry.logging.format`, and, when `telemetry.tracing.enabled`, spans
/// exported over OTLP. Call it once, inside the Tokio runtime; shut the result
/// down at exit so the last spans are exported.
pub fn install(telemetry: &TelemetryConfig) -> Result<Telemetry, TelemetryError> {
    let traces = telemetry
        .tracing
        .enabled
        .then(|| telemetry.tracing.settings());
    switchyard_telemetry::install(telemetry.logging.format.into(), traces.as_ref())
}

/// How one request is traced, decided once, before any span, by
/// `telemetry::request::observe`, which hands it to the handler in the
/// request's extensions.
#[derive(Debug, Clone, Default)]
pub enum RequestTrace {
    /// Tracing is off: no spans, no trace context sent on.
    #[default]
    Off,
    /// The sampler kept this trace: the request's phases and fetches get spans
    /// of their own, and each fetch carries its span on.
    Spans,
    /// Traced but not sampled: no spans at all (the exporter would drop them),
    /// and every fetch carries the request's `traceparent`, sampled flag off,
    /// so the subgraphs decide the same.
    Carried(Vec<(http::HeaderName, http::HeaderValue)>),
}

impl RequestTrace {
    /// The request's phases and fetches get spans.
    pub fn spans(&self) -> bool {
        matches!(self, RequestTrace::Spans)
    }
}

/// A finer span of the request (`debug`), when tracing is on.
macro_rules! phase_span {
    ($traced:expr, $name:literal $(, $($field:tt)*)?) => {
        if $traced {
            tracing::debug_span!($name $(, $($field)*)?)
        } else {
            tracing::Span::none()
        }
    };
}
pub(crate) use phase_span;

/// The span around serializing the response body, when tracing is on.
pub(crate) fn serialization_span(traced: bool) -> Span {
    phase_span!(traced, "response.serialize")
}
