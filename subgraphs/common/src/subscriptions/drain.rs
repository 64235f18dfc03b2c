//! Ending live connections when the service stops.
//!
//! A subscription never ends by itself, so a graceful shutdown that only waits
//! for requests in flight would wait forever for an SSE stream, and would not
//! wait at all for a WebSocket (an upgraded connection is no longer the HTTP
//! server's). [`crate::server::serve`] therefore starts draining when its
//! shutdown signal fires: every subscription ends with a `SHUTTING_DOWN` error,
//! WebSockets are closed (1001), and `serve` waits a few seconds for them to go.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

/// The shutdown signal for live connections, and the count of open WebSockets.
/// Cheap to clone; [`crate::server::serve`] gives every request one (as an
/// axum `Extension`).
#[derive(Clone, Debug)]
pub struct Draining {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    started: watch::Sender<bool>,
    open: watch::Sender<usize>,
}

impl Default for Draining {
    fn default() -> Self {
        Draining {
            inner: Arc::new(Inner {
                started: watch::channel(false).0,
                open: watch::channel(0).0,
            }),
        }
    }
}

impl Draining {
    pub fn new() -> Draining {
        Draining::default()
    }

    /// Every live connection ends now, with an error telling the client why.
    pub fn start(&self) {
        self.inner.started.send_replace(true);
    }

    pub fn is_started(&self) -> bool {
        *self.inner.started.borrow()
    }

    /// Completes once [`Self::start`] was called (at once if it was).
    pub fn started(&self) -> impl Future<Output = ()> + Send + 'static {
        let mut started = self.inner.started.subscribe();
        async move {
            // The sender lives in `inner`, which the caller's `Draining` keeps.
            if started.wait_for(|started| *started).await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }

    /// Counts a WebSocket connection as open until the guard is dropped.
    pub(crate) fn open_connection(&self) -> OpenConnection {
        self.inner.open.send_modify(|open| *open += 1);
        OpenConnection {
            draining: self.clone(),
        }
    }

    /// Waits until no WebSocket connection is open, at most `limit`; whether
    /// they all went.
    pub async fn until_closed(&self, limit: Duration) -> bool {
        let mut open = self.inner.open.subscribe();
        tokio::time::timeout(limit, open.wait_for(|open| *open == 0))
            .await
            .is_ok_and(|closed| closed.is_ok())
    }
}

/// One open WebSocket connection; counted until dropped.
pub(crate) struct OpenConnection {
    draining: Draining,
}

impl Drop for OpenConnection {
    fn drop(&mut self) {
        self.draining
            .inner
            .open
            .send_modify(|open| *open = open.saturating_sub(1));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn started_completes_for_watchers_old_and_new() {
        let draining = Draining::new();
        let early = tokio::spawn(draining.started());
        assert!(!draining.is_started());
        draining.start();
        tokio::time::timeout(Duration::from_secs(5), early)
            .await
            .expect("the early watcher wakes")
            .unwrap();
        tokio::time::timeout(Duration::from_secs(5), draining.started())
            .await
            .expect("a late watcher completes at once");
    }

    #[tokio::test]
    async fn until_closed_waits_for_open_connections() {
        let draining = Draining::new();
        assert!(draining.until_closed(Duration::from_millis(10)).await);
        let open = draining.open_connection();
        assert!(!draining.until_closed(Duration::from_millis(50)).await);
        let waiting = tokio::spawn({
            let draining = draining.clone();
            async move { draining.until_closed(Duration::from_secs(10)).await }
        });
        drop(open);
        assert!(waiting.await.unwrap());
    }
}
