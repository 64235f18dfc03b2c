//! What the router tells operators about itself: Prometheus metrics
//! ([`metrics`]), OpenTelemetry traces ([`traces`]) and its one log line per
//! request ([`request`]). The OTLP exporter, trace context propagation and the
//! log formats live in the `switchyard-telemetry` library, shared with the
//! shop's services.

pub mod metrics;
pub mod request;
pub mod subscription_metrics;
pub mod traces;

pub use traces::install;
