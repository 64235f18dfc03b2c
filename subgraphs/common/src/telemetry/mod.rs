//! A service's logs and traces. Logs go to stderr, as text or JSON lines
//! (`SHOP_LOG_FORMAT`), filtered by `RUST_LOG` (`info` by default). Traces are
//! exported over OTLP when `OTEL_EXPORTER_OTLP_ENDPOINT` is set (with
//! `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_SAMPLER_ARG`, `OTEL_SERVICE_NAME`):
//! each request's server span continues the caller's `traceparent` (the
//! router's fetch), resolvers and SQL statements have spans of their own
//! ([`graphql_spans`], sea-orm's), and calls to other services carry the trace
//! on ([`propagate`]).
//!
//! One process has one subscriber: the shop launcher runs every service and
//! the router under one `service.name` (`shop`), so each service's server span
//! names its service in `shop.service` (and in the span's name).

mod graphql_spans;

use std::sync::atomic::{AtomicBool, Ordering};

pub use graphql_spans::GraphQLSpans;
pub use switchyard_telemetry::{
    LogFormat, OtlpProtocol, Telemetry, TelemetryError, TraceSettings, propagation,
};

/// The variable that picks a service's log format: `text` (the default) or
/// `json`.
pub const LOG_FORMAT_VAR: &str = "SHOP_LOG_FORMAT";

/// Whether spans are exported in this process: set once, by [`install`].
static TRACES: AtomicBool = AtomicBool::new(false);

/// Whether this process exports spans. Services make their spans (and add
/// [`GraphQLSpans`] to their schema) only then, so without traces a request
/// costs what it did before.
pub fn traces_enabled() -> bool {
    TRACES.load(Ordering::Relaxed)
}

/// A service binary's logs and traces, as the environment says (see the
/// module's documentation); `service_name` is the default `service.name`.
pub fn init(service_name: &str) -> Result<Telemetry, TelemetryError> {
    let format = log_format_from_env()?;
    let traces = TraceSettings::from_env(service_name)?;
    install(format, traces.as_ref())
}

/// Installs the process's subscriber: logs in `format`, spans exported as
/// `traces` says. Must run inside the Tokio runtime, before the services'
/// schemas are built.
pub fn install(
    format: LogFormat,
    traces: Option<&TraceSettings>,
) -> Result<Telemetry, TelemetryError> {
    let telemetry = switchyard_telemetry::install(format, traces)?;
    TRACES.store(telemetry.exports_traces(), Ordering::Relaxed);
    Ok(telemetry)
}

/// `SHOP_LOG_FORMAT`: `text` (or unset) or `json`.
pub fn log_format_from_env() -> Result<LogFormat, TelemetryError> {
    match std::env::var(LOG_FORMAT_VAR).ok().as_deref().map(str::trim) {
        None | Some("" | "text") => Ok(LogFormat::Text),
        Some("json") => Ok(LogFormat::Json),
        Some(other) => Err(TelemetryError::Invalid(format!(
            "{LOG_FORMAT_VAR} {other:?} is not a log format: use text or json"
        ))),
    }
}

/// Adds the current span's trace context (`traceparent`) to a call to another
/// service, so its spans join this request's trace. Nothing without traces.
pub fn propagate(request: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    if !traces_enabled() {
        return request;
    }
    propagation::headers_for(&tracing::Span::current())
        .into_iter()
        .fold(request, |request, (name, value)| {
            request.header(name, value)
        })
}

/// The server span of one GraphQL request to `service`, continuing the trace
/// its `traceparent` names; `Span::none()` without traces.
pub fn server_span(service: &'static str, headers: &http::HeaderMap) -> tracing::Span {
    if !traces_enabled() {
        return tracing::Span::none();
    }
    let span = tracing::info_span!(
        "graphql.server",
        otel.name = %format_args!("{service} /graphql"),
        otel.kind = "server",
        shop.service = service,
    );
    propagation::continue_trace(&span, headers);
    span
}

/// Adds [`GraphQLSpans`] to a schema being built, when this process exports
/// spans.
pub fn with_spans<Q, M, S>(
    builder: async_graphql::SchemaBuilder<Q, M, S>,
) -> async_graphql::SchemaBuilder<Q, M, S> {
    if traces_enabled() {
        builder.extension(GraphQLSpans)
    } else {
        builder
    }
}

/// `tokio::spawn` in the current span: a DataLoader's batch (and its SQL
/// statements' spans) stays in the trace of the request that asked for it.
pub fn spawn_in_current_span<F>(future: F) -> tokio::task::JoinHandle<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    use tracing::Instrument;
    tokio::spawn(future.in_current_span())
}
