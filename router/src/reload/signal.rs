//! `SIGHUP` reloads the config and the supergraph, as it does for most Unix
//! daemons, whether or not the files are watched.

use super::{Reloader, Trigger};

/// Installs the `SIGHUP` handler now (so a signal sent once this returns is
/// not missed, nor does it kill the process, as `SIGHUP` does by default), and
/// reloads on each signal until the returned task is aborted.
#[cfg(unix)]
pub fn on_sighup(reloader: Reloader) -> std::io::Result<tokio::task::JoinHandle<()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut hangups = signal(SignalKind::hangup())?;
    Ok(tokio::spawn(async move {
        while hangups.recv().await.is_some() {
            tracing::info!("SIGHUP: reloading the config and the supergraph");
            // Errors are logged and counted by the reload itself.
            let _ = reloader.reload(Trigger::Signal).await;
        }
    }))
}
