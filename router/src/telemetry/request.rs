//! One `/graphql` request as operators see it: its server span (when tracing is
//! on and the sampler keeps the request), continuing the client's
//! `traceparent`; the [`RequestTrace`] the handler follows; and exactly one log
//! line at `info`, target `switchyard::request`, once the response is ready.
//!
//! The line holds the operation's name (only once it validated: a name the
//! client made up is not repeated), the duration, the HTTP status, the outcome
//! and the trace id. Never a header's value, a variable or the operation's text:
//! those carry tokens, passwords and card numbers.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{Method, StatusCode};
use tracing::Instrument;
use tracing::field::Empty;

use crate::router::RouterInner;
use crate::telemetry::metrics::{RequestOutcome, RequestReport};
use crate::telemetry::traces::RequestTrace;
use switchyard_telemetry::propagation;
use switchyard_telemetry::sampling::{self, Decision};

/// The target of the request log line (`RUST_LOG=switchyard::request=off`
/// silences it).
pub const LOG_TARGET: &str = "switchyard::request";

/// Observes a `/graphql` request: counts it in flight and records its time
/// and outcome in the metrics (when they are on), wraps it in its span and logs
/// it. The outcome is the one the handler reported ([`RequestReport`]), else the
/// one the status tells. One layer, not one per concern: each `from_fn` layer
/// costs a boxed future and a service clone on every request.
pub(crate) async fn observe(
    State(router): State<Arc<RouterInner>>,
    mut request: Request,
    next: Next,
) -> Response {
    let metered = router.config.telemetry.metrics.enabled;
    let traced = router.config.telemetry.tracing.enabled;
    let logged = tracing::enabled!(target: LOG_TARGET, tracing::Level::INFO);
    if !metered && !traced && !logged {
        return next.run(request).await;
    }
    let in_flight = metered.then(|| router.metrics.start_request());
    let start = Instant::now();
    // Decided before any span: a request the sampler drops makes none.
    let (span, trace, dropped_trace_id) = if traced {
        match sampling::decide(request.headers()) {
            Decision::Kept(kept) => {
                let span = tracing::info_span!(
                    target: LOG_TARGET,
                    "graphql.request",
                    otel.name = span_name(request.method()),
                    otel.kind = "server",
                    http.request.method = %request.method(),
                    graphql.operation.name = Empty,
                    http.response.status_code = Empty,
                    switchyard.outcome = Empty,
                    otel.status_code = Empty,
                );
                kept.start(&span);
                (span, RequestTrace::Spans, None)
            }
            Decision::Dropped(dropped) => {
                let trace_id = if logged { dropped.trace_id() } else { None };
                let trace = RequestTrace::Carried(dropped.headers);
                (tracing::Span::none(), trace, trace_id)
            }
        }
    } else {
        // Without traces, the client's own trace id still ties the line to its
        // trace.
        let id = propagation::client_trace_id(request.headers()).map(str::to_owned);
        (tracing::Span::none(), RequestTrace::Off, id)
    };
    request.extensions_mut().insert(trace);
    let response = next.run(request).instrument(span.clone()).await;
    let elapsed = start.elapsed();
    drop(in_flight);
    let status = response.status();
    let report = response.extensions().get::<RequestReport>();
    let outcome = report.map_or_else(|| RequestOutcome::from_status(status), |r| r.outcome);
    let operation_name = report.and_then(|r| r.operation_name.as_deref());
    if metered {
        router
            .metrics
            .record_request(elapsed, outcome, operation_name);
    }
    let trace_id = if span.is_none() {
        dropped_trace_id
    } else {
        if let Some(name) = operation_name {
            span.record("graphql.operation.name", name);
        }
        span.record("http.response.status_code", status.as_u16());
        span.record("switchyard.outcome", outcome.as_str());
        if is_failure(outcome, status) {
            span.record("otel.status_code", "ERROR");
        }
        propagation::trace_id(&span)
    };
    drop(span);
    if logged {
        log(
            operation_name,
            elapsed.as_secs_f64() * 1000.0,
            status,
            outcome,
            trace_id.as_deref(),
        );
    }
    response
}

/// The span's name, `{method} /graphql` as OpenTelemetry's HTTP conventions
/// name server spans.
fn span_name(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET /graphql",
        Method::POST => "POST /graphql",
        _ => "/graphql",
    }
}

/// Whether the trace marks the request as failed: the router or a subgraph
/// failed it, not the client's own mistake.
fn is_failure(outcome: RequestOutcome, status: StatusCode) -> bool {
    matches!(outcome, RequestOutcome::Error | RequestOutcome::Timeout) || status.is_server_error()
}

fn log(
    operation_name: Option<&str>,
    duration_ms: f64,
    status: StatusCode,
    outcome: RequestOutcome,
    trace_id: Option<&str>,
) {
    let duration_ms = (duration_ms * 1000.0).round() / 1000.0;
    let status = status.as_u16();
    let outcome = outcome.as_str();
    let operation = operation_name.unwrap_or("");
    match trace_id {
        Some(trace_id) => tracing::info!(
            target: LOG_TARGET,
            operation,
            duration_ms,
            status,
            outcome,
            trace_id,
            "graphql request"
        ),
        None => tracing::info!(
            target: LOG_TARGET,
            operation,
            duration_ms,
            status,
            outcome,
            "graphql request"
        ),
    }
}
