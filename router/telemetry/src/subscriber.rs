//! The process's one `tracing` subscriber: logs (text or JSON lines on
//! stderr, filtered by `RUST_LOG`, `info` by default) and, when traces are
//! configured, an OpenTelemetry layer with a filter of its own, so that
//! `RUST_LOG=warn` quiets the logs without emptying the traces.

use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::SdkTracerProvider;
use tracing::{Level, Metadata};
use tracing_log::AsLog;
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::{EnvFilter, Layer};

use crate::otlp::{TraceSettings, tracer_provider};

/// How long a graceful stop waits for the last spans to be exported.
const SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(5);

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines (colored on a terminal).
    #[default]
    Text,
    /// One JSON object per line, the event's fields at the top level, for log
    /// collectors.
    Json,
}

/// Telemetry that could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TelemetryError {
    #[error("invalid telemetry settings: {0}")]
    Invalid(String),
    #[error("cannot build the OTLP exporter: {0}")]
    Exporter(String),
    #[error("a tracing subscriber is already installed in this process")]
    AlreadyInstalled,
}

/// The installed telemetry; [`Telemetry::shutdown`] exports what is buffered.
#[must_use = "shut it down at exit, or the last spans are lost"]
pub struct Telemetry {
    provider: Option<SdkTracerProvider>,
}

impl Telemetry {
    /// Whether spans are exported.
    pub fn exports_traces(&self) -> bool {
        self.provider.is_some()
    }

    /// Exports the spans buffered so far, blocking until the exporter is done
    /// with them (not on a Tokio worker thread: the exporter runs there).
    pub fn flush(&self) {
        if let Some(provider) = &self.provider
            && let Err(error) = provider.force_flush()
        {
            tracing::warn!(%error, "the trace exporter did not flush");
        }
    }

    /// Exports the spans still buffered and stops the exporter, waiting a few
    /// seconds at most (a collector that is down must not hold the exit).
    pub async fn shutdown(self) {
        let Some(provider) = self.provider else {
            return;
        };
        // The SDK blocks on its batch task, which runs on this runtime.
        let stopping = tokio::task::spawn_blocking(move || provider.shutdown());
        match tokio::time::timeout(SHUTDOWN_TIMEOUT, stopping).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(error))) => tracing::warn!(%error, "the trace exporter did not stop cleanly"),
            Ok(Err(error)) => tracing::warn!(%error, "the trace exporter did not stop cleanly"),
            Err(_) => tracing::warn!(
                "the trace exporter did not stop within {} s; the last spans may be lost",
                SHUTDOWN_TIMEOUT.as_secs()
            ),
        }
    }
}

/// Installs the process's subscriber: logs in `format`, and spans exported as
/// `traces` says (`None`: no OpenTelemetry layer at all, so tracing costs
/// nothing). With traces, it must be called inside a Tokio runtime.
pub fn install(
    format: LogFormat,
    traces: Option<&TraceSettings>,
) -> Result<Telemetry, TelemetryError> {
    let log_filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let provider = traces.map(tracer_provider).transpose()?;
    let spans = provider.as_ref().map(|provider| {
        tracing_opentelemetry::layer()
            .with_tracer(provider.tracer("switchyard"))
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_filter(tracing_subscriber::filter::filter_fn(exported))
    });
    // Records of the `log` crate (some dependencies log through it) become
    // events, and events are only ever kept by the log filter or, as warnings
    // and errors, by the traces. The bridge stops there: at the most verbose
    // level a span may need (sea-orm's statements are `trace` spans), every
    // `log::trace!` of a dependency would go through the filters to be dropped.
    let log_records = log_records_level(log_filter.max_level_hint(), provider.is_some());
    let logs = match format {
        LogFormat::Text => tracing_subscriber::fmt::layer()
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .with_writer(std::io::stderr)
            .with_filter(log_filter)
            .boxed(),
        LogFormat::Json => tracing_subscriber::fmt::layer()
            .json()
            .flatten_event(true)
            // A line is about its event: the spans it happened in would repeat
            // their fields on every line.
            .with_current_span(false)
            .with_span_list(false)
            .with_writer(std::io::stderr)
            .with_filter(log_filter)
            .boxed(),
    };
    tracing::subscriber::set_global_default(tracing_subscriber::registry().with(logs).with(spans))
        .map_err(|_| TelemetryError::AlreadyInstalled)?;
    tracing_log::LogTracer::builder()
        .with_max_level(log_records.as_log())
        .init()
        .map_err(|_| TelemetryError::AlreadyInstalled)?;
    if let Some(settings) = traces {
        crate::sampling::installed(crate::otlp::sampler(settings));
    }
    Ok(Telemetry { provider })
}

/// The most verbose `log` record anything keeps: what the log filter lets
/// through (all, when it cannot tell), and with traces at least warnings.
fn log_records_level(log_filter: Option<LevelFilter>, traced: bool) -> LevelFilter {
    let logged = log_filter.unwrap_or(LevelFilter::TRACE);
    if traced {
        logged.max(LevelFilter::WARN)
    } else {
        logged
    }
}

/// What becomes part of a trace, whatever `RUST_LOG` says: spans at `info`
/// and above; the router's finer `debug` spans (parse and validation, planning,
/// serialization); sea-orm's `trace` span around each SQL statement (its
/// statement text is never recorded); and warnings and errors, as events of the
/// span they happen in. The exporter's own diagnostics never are (they would
/// feed back into the exporter).
fn exported(metadata: &Metadata<'_>) -> bool {
    exported_parts(metadata.target(), *metadata.level(), metadata.is_event())
}

fn exported_parts(target: &str, level: Level, is_event: bool) -> bool {
    if target.starts_with("opentelemetry") {
        return false;
    }
    if is_event {
        return level <= Level::WARN;
    }
    if target.starts_with("sea_orm::database") {
        return true;
    }
    if target.starts_with("switchyard") {
        return level <= Level::DEBUG;
    }
    level <= Level::INFO
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_records_are_bridged_only_as_far_as_something_keeps_them() {
        let warn = Some(LevelFilter::WARN);
        assert_eq!(log_records_level(warn, false), LevelFilter::WARN);
        assert_eq!(
            log_records_level(Some(LevelFilter::OFF), false),
            LevelFilter::OFF
        );
        assert_eq!(
            log_records_level(Some(LevelFilter::OFF), true),
            LevelFilter::WARN
        );
        assert_eq!(
            log_records_level(Some(LevelFilter::DEBUG), true),
            LevelFilter::DEBUG
        );
        assert_eq!(log_records_level(None, true), LevelFilter::TRACE);
    }

    #[test]
    fn exports_the_spans_that_make_a_trace() {
        let span = |target, level| exported_parts(target, level, false);
        let event = |target, level| exported_parts(target, level, true);
        assert!(span("switchyard::server", Level::INFO));
        assert!(span("switchyard::pipeline", Level::DEBUG));
        assert!(!span("switchyard::pipeline", Level::TRACE));
        assert!(span("async_graphql::graphql", Level::INFO));
        assert!(!span("tower_http::trace::make_span", Level::DEBUG));
        assert!(span("sea_orm::database::db_connection", Level::TRACE));
        assert!(!span("sqlx::query", Level::DEBUG));
        assert!(event("switchyard::pipeline", Level::WARN));
        assert!(!event("switchyard::request", Level::INFO));
        assert!(!event("opentelemetry_sdk", Level::ERROR));
    }
}
