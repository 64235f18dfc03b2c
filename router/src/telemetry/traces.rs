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

/// How one request is traced, decided once its span (made by
/// `telemetry::request::observe`) exists.
pub(crate) struct RequestTrace {
    /// The request's phases and fetches get spans of their own: tracing is on
    /// and the sampler kept this trace. An unsampled request would build them
    /// only for the exporter to drop them.
    pub spans: bool,
    /// What an unsampled request carries to the subgraphs instead: its
    /// `traceparent` with the sampled flag off, so they decide the same.
    pub carried: Vec<(http::HeaderName, http::HeaderValue)>,
}

impl RequestTrace {
    /// The decision for the request whose span is the current one.
    pub(crate) fn of_current_span(tracing_enabled: bool) -> Self {
        if !tracing_enabled {
            return RequestTrace {
                spans: false,
                carried: Vec::new(),
            };
        }
        let span = Span::current();
        if switchyard_telemetry::propagation::is_sampled(&span) {
            RequestTrace {
                spans: true,
                carried: Vec::new(),
            }
        } else {
            RequestTrace {
                spans: false,
                carried: switchyard_telemetry::propagation::headers_for(&span),
            }
        }
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
