//! What the router tells operators about itself: Prometheus metrics
//! ([`metrics`]). Traces are not built yet.

pub mod metrics;
