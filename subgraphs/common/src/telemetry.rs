//! Tracing setup shared by every binary: `RUST_LOG` decides, `info` by default.

use tracing_subscriber::EnvFilter;

/// Installs a formatting subscriber once; later calls (tests, the all-in-one launcher
/// starting several services) are no-ops.
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}
