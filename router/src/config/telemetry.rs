//! Telemetry: metrics, traces and logs (`telemetry`).

use std::net::SocketAddr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What the router tells operators about itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    pub metrics: MetricsConfig,
    pub tracing: TracingConfig,
    pub logging: LoggingConfig,
}

/// OpenTelemetry traces, exported over OTLP: a span for each client request,
/// its parse and validation, its planning, each subgraph fetch and the
/// response's serialization. The client's W3C `traceparent`/`tracestate` is
/// continued, and every subgraph request carries the trace on (never as part of
/// what deduplicates identical fetches). Off by default: off, no span is made and
/// no trace header is read or written (`headers.forward` can still pass a
/// client's `traceparent` through).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TracingConfig {
    /// Makes the spans and carries the trace to subgraphs; `switchyard serve`
    /// also exports them (an embedding program installs its own exporter).
    pub enabled: bool,
    pub otlp: OtlpConfig,
    /// Share of new traces kept, from 0.0 to 1.0. Parent-based: a request whose
    /// `traceparent` says its caller sampled it is kept whatever the ratio (and
    /// one whose caller did not is not), so a trace is never cut in half.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub sampling: f64,
    /// The `service.name` of the exported spans.
    pub service_name: String,
}

impl Default for TracingConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            otlp: OtlpConfig::default(),
            sampling: 1.0,
            service_name: "switchyard".to_owned(),
        }
    }
}

impl TracingConfig {
    /// Where and how spans are exported, as the telemetry library takes it.
    pub fn settings(&self) -> switchyard_telemetry::TraceSettings {
        let protocol = match self.otlp.protocol {
            OtlpProtocol::Grpc => switchyard_telemetry::OtlpProtocol::Grpc,
            OtlpProtocol::Http => switchyard_telemetry::OtlpProtocol::Http,
        };
        switchyard_telemetry::TraceSettings {
            endpoint: self
                .otlp
                .endpoint
                .clone()
                .unwrap_or_else(|| protocol.default_endpoint().to_owned()),
            protocol,
            sampling: self.sampling,
            service_name: self.service_name.clone(),
        }
    }
}

/// The OpenTelemetry collector spans are sent to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OtlpConfig {
    /// The collector's base URL. Over `http`, spans are posted to its path plus
    /// `/v1/traces`. Unset: `http://127.0.0.1:4318` for `http`,
    /// `http://127.0.0.1:4317` for `grpc`.
    pub endpoint: Option<String>,
    pub protocol: OtlpProtocol,
}

/// The OTLP transport.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OtlpProtocol {
    /// gRPC (collectors listen on 4317).
    Grpc,
    /// Protobuf over HTTP (collectors listen on 4318).
    #[default]
    Http,
}

/// The router's logs (stderr; `RUST_LOG` filters them, `info` by default).
/// Each GraphQL request is logged once, at `info` with the target
/// `switchyard::request`: operation name, duration, HTTP status, outcome and
/// trace id. Never logged: header values (tokens, cookies), variables, the
/// operation's text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingConfig {
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl From<LogFormat> for switchyard_telemetry::LogFormat {
    fn from(format: LogFormat) -> Self {
        match format {
            LogFormat::Text => switchyard_telemetry::LogFormat::Text,
            LogFormat::Json => switchyard_telemetry::LogFormat::Json,
        }
    }
}

/// Prometheus metrics (text format), served on a listener of their own, never
/// on the public GraphQL port. On by default, on the loopback interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    pub enabled: bool,
    /// Address the metrics listener binds (`switchyard serve`); keep it on a
    /// private interface. It must differ from `listen`.
    pub listen: SocketAddr,
    /// Path of the metrics page on that listener.
    pub path: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 9090)),
            path: "/metrics".to_owned(),
        }
    }
}
