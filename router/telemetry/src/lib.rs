//! What Switchyard's processes tell operators besides metrics: OpenTelemetry
//! traces exported over OTLP (HTTP/protobuf or gRPC), W3C trace context
//! (`traceparent`, `tracestate`) read from incoming requests and written to
//! outgoing ones, and logs as text or one JSON object per line.
//!
//! The router (`switchyard`) and the shop's services (`shop-common`) both use
//! it, so a trace crosses them with one propagation format and one set of
//! rules for what is exported. The planner and executor libraries stay free of
//! OpenTelemetry: they may emit plain `tracing` spans, which become OpenTelemetry
//! spans only where this crate's subscriber is installed.

mod http_client;
pub mod otlp;
pub mod propagation;
pub mod sampling;
pub mod subscriber;
#[cfg(feature = "testing")]
pub mod testing;

pub use otlp::{OtlpProtocol, TraceSettings};
pub use subscriber::{LogFormat, Telemetry, TelemetryError, install};
