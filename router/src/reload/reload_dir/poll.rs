//! Compose mode: polling the subgraphs' `_service { sdl }` on an interval
//! (`reload.poll_interval_secs`) and reloading when the composed supergraph
//! changes. Only subgraphs without a `schema` file are fetched; the files are
//! the file watch's.
//!
//! The interval is read from the config served at each turn, so a reload can
//! change it, start polling (a config that switches to fetched subgraphs) or
//! stop it.

use std::time::Duration;

use super::Reloader;
use crate::config::RouterConfig;

/// How often a router that does not poll (no fetched subgraphs, or polling
/// off) looks again whether a reloaded config asks it to.
const IDLE_CHECK: Duration = Duration::from_secs(10);

/// Polls while the task runs (until aborted).
pub fn poll_subgraphs(reloader: Reloader) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let config = reloader.router().config();
            match interval(&config) {
                Some(interval) => {
                    tokio::time::sleep(interval).await;
                    // The config may have changed while sleeping.
                    if interval_now(&reloader).is_some() {
                        // Errors are logged and counted by the reload itself.
                        let _ = reloader.recompose().await;
                    }
                }
                None => tokio::time::sleep(IDLE_CHECK).await,
            }
        }
    })
}

fn interval_now(reloader: &Reloader) -> Option<Duration> {
    interval(&reloader.router().config())
}

/// The polling interval when `config` composes subgraphs whose SDL is fetched
/// and polling is on.
pub fn interval(config: &RouterConfig) -> Option<Duration> {
    let fetches = config.supergraph.is_none()
        && config
            .subgraphs
            .iter()
            .any(|subgraph| subgraph.schema.is_none());
    if fetches {
        config.reload.poll_interval()
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::SubgraphConfig;

    #[test]
    fn polls_only_subgraphs_whose_sdl_is_fetched() {
        let mut config = RouterConfig::default();
        assert_eq!(interval(&config), None);
        config.subgraphs = vec![SubgraphConfig {
            name: "a".into(),
            routing_url: "http://a/graphql".into(),
            schema: Some("a.graphql".into()),
        }];
        assert_eq!(interval(&config), None);
        config.subgraphs[0].schema = None;
        assert_eq!(interval(&config), Some(Duration::from_secs(10)));
        config.reload.poll_interval_secs = 0;
        assert_eq!(interval(&config), None);
    }
}
