//! Telemetry on (the `switchyard-telemetry` gateway): Switchyard with its
//! metrics and OpenTelemetry traces on, sampling 1 % of requests, exporting
//! over OTLP/HTTP to a sink in this process that answers every export with
//! 200 and counts them. It measures what the router's own telemetry costs
//! (spans, sampling, export), not a collector's.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use anyhow::Context;

/// Share of requests traced.
const SAMPLING: f64 = 0.01;

/// The config of a telemetry-on run and its OTLP sink.
pub struct Telemetry {
    _dir: tempfile::TempDir,
    config: PathBuf,
    /// The config's YAML, to combine with another's.
    yaml: String,
    exports: Arc<AtomicU64>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl Telemetry {
    /// Starts the sink on an ephemeral port and writes the router config
    /// pointing at it.
    pub async fn prepare() -> anyhow::Result<Self> {
        let exports = Arc::new(AtomicU64::new(0));
        let counted = exports.clone();
        let app = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move || {
                counted.fetch_add(1, Ordering::Relaxed);
                async { axum::http::StatusCode::OK }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .context("cannot bind the OTLP sink")?;
        let address = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        let config = dir.path().join("switchyard-telemetry.yaml");
        let yaml = config_yaml(&format!("http://{address}"));
        std::fs::write(&config, &yaml).context("cannot write the router config")?;
        Ok(Telemetry {
            _dir: dir,
            config,
            yaml,
            exports,
            _stop: stop,
        })
    }

    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// The config as YAML (top-level key `telemetry`).
    pub fn yaml(&self) -> &str {
        &self.yaml
    }

    /// Export requests the sink has answered so far.
    pub fn exports(&self) -> u64 {
        self.exports.load(Ordering::Relaxed)
    }
}

/// Everything per-request off (`switchyard-bare`): metrics too, which are on by
/// default; authentication and traces are off by default.
pub const BARE_YAML: &str = "telemetry:\n  metrics:\n    enabled: false\n";

/// Metrics on (on an ephemeral port, given by `--metrics-listen`), traces on.
fn config_yaml(endpoint: &str) -> String {
    format!(
        "telemetry:\n  metrics:\n    enabled: true\n  tracing:\n    enabled: true\n    \
         sampling: {SAMPLING}\n    otlp:\n      endpoint: {endpoint}\n      protocol: http\n"
    )
}
