//! The one place a reload happens: read, build, plan, then swap atomically.

use std::future::Future;
use std::sync::Arc;

use super::{ReloadError, Reloaded, Trigger, warm_up};
use crate::config::{ConfigError, RouterConfig};
use crate::persisted::sha256_hex;
use crate::router::{Router, RouterInner, Snapshot};
use crate::supergraph_source;
use crate::telemetry::metrics::ReloadOutcome;

impl Router {
    /// Reloads from `config`: reads the supergraph it names (its file, or its
    /// subgraphs composed again), builds a complete new state (the supergraph
    /// parsed and validated, planner, executor, config sections), plans the
    /// most recently used operations against it (`reload.warm_up_operations`),
    /// and swaps it in atomically. On any failure the running schema and
    /// config stay, and the error says why.
    ///
    /// `listen`, `server` and `telemetry` keep their running values (changing
    /// them needs a restart: a warning says so). The metrics, and the rate
    /// limiter, JWT key sets, APQ store and subgraph client whose settings are
    /// unchanged, carry over. A supergraph SDL and config identical to the
    /// running ones change nothing ([`Reloaded::Unchanged`]).
    pub async fn reload(&self, config: RouterConfig) -> Result<Reloaded, ReloadError> {
        self.reload_as(Trigger::Api, async move { Ok(config) }, None)
            .await
    }

    /// [`Self::reload`] with this supergraph SDL instead of the one `config`
    /// names: for an embedder that gets its supergraph elsewhere (a registry).
    pub async fn reload_with_sdl(
        &self,
        sdl: String,
        config: RouterConfig,
    ) -> Result<Reloaded, ReloadError> {
        self.reload_as(Trigger::Api, async move { Ok(config) }, Some(sdl))
            .await
    }

    /// [`Self::reload`], logged and counted as coming from `trigger`, with the
    /// config read once this reload's turn comes; `sdl` given, or else read
    /// as the config says.
    pub(crate) async fn reload_as(
        &self,
        trigger: Trigger,
        config: impl Future<Output = Result<RouterConfig, ConfigError>>,
        sdl: Option<String>,
    ) -> Result<Reloaded, ReloadError> {
        let _one_at_a_time = self.shared.reloading.lock().await;
        let running = self.current().inner.clone();
        let result = async {
            let config = config.await?;
            self.swap(&running, config, sdl).await
        }
        .await;
        match &result {
            Ok(Reloaded::Applied {
                schema_hash,
                warmed_up,
                no_longer_valid,
            }) => {
                running.metrics.record_reload(ReloadOutcome::Success);
                tracing::info!(
                    %trigger,
                    schema_hash = %schema_hash,
                    previous_schema_hash = %running.schema_hash,
                    warmed_up,
                    no_longer_valid,
                    "reloaded: serving the new schema and config"
                );
            }
            Ok(Reloaded::Unchanged) => {
                tracing::debug!(%trigger, schema_hash = %running.schema_hash, "reload: nothing changed");
            }
            Err(error) => {
                running.metrics.record_reload(ReloadOutcome::Failure);
                tracing::error!(
                    %trigger,
                    schema_hash = %running.schema_hash,
                    "reload failed, still serving the previous schema and config: {error}"
                );
            }
        }
        result
    }

    async fn swap(
        &self,
        running: &Arc<RouterInner>,
        mut config: RouterConfig,
        sdl: Option<String>,
    ) -> Result<Reloaded, ReloadError> {
        keep_restart_only_settings(&running.config, &mut config);
        config.check()?;
        let sdl = match sdl {
            Some(sdl) => sdl,
            None => supergraph_source::load(&config).await?,
        };
        if sha256_hex(&sdl) == running.schema_hash
            && config == *running.config
            && manifest_unchanged(&config, running)
        {
            return Ok(Reloaded::Unchanged);
        }
        // Parsing and validating a large supergraph, and building its planner,
        // is CPU work: off the async workers, which go on serving.
        let previous = running.clone();
        let built =
            tokio::task::spawn_blocking(move || RouterInner::build(&sdl, config, Some(&*previous)))
                .await
                .map_err(|error| ReloadError::Internal(error.to_string()))??;
        let next = Arc::new(built);
        let warmed = warm_up::plan_recent(running, &next).await?;
        let schema_hash = next.schema_hash.clone();
        next.metrics.set_plan_cache(next.plan_cache.stats_reader());
        self.shared.current.store(Arc::new(Snapshot::new(next)));
        // Its subscriptions were planned against the old schema.
        running
            .retired
            .send_replace(crate::subscriptions::Retired::Reloaded);
        Ok(Reloaded::Applied {
            schema_hash,
            warmed_up: warmed.planned,
            no_longer_valid: warmed.no_longer_valid,
        })
    }
}

/// Whether the trusted documents manifest file is the one the running router
/// read. The manifest is data beside the config: an app release adds
/// operations to it without touching the config. A file that cannot be read
/// counts as changed, so the rebuild reports why.
fn manifest_unchanged(config: &RouterConfig, running: &RouterInner) -> bool {
    let Some(manifest) = &config.persisted_queries.manifest else {
        return true;
    };
    std::fs::read_to_string(&manifest.path)
        .is_ok_and(|text| running.persisted.manifest_hash() == Some(sha256_hex(&text).as_str()))
}

/// Puts back in `config` the running values of what a reload cannot change
/// (the listeners are bound, the server's connection settings and the
/// telemetry installed at start), with a warning naming each one that differs.
fn keep_restart_only_settings(running: &RouterConfig, config: &mut RouterConfig) {
    let mut ignored = Vec::new();
    if config.listen != running.listen {
        ignored.push("listen");
        config.listen = running.listen;
    }
    if config.server != running.server {
        ignored.push("server");
        config.server = running.server.clone();
    }
    if config.telemetry != running.telemetry {
        ignored.push("telemetry");
        config.telemetry = running.telemetry.clone();
    }
    if !ignored.is_empty() {
        tracing::warn!(
            sections = ?ignored,
            "the reloaded config changes settings that need a restart: the running ones are kept"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_only_settings_keep_their_running_values() {
        let running = RouterConfig::default();
        let mut config = RouterConfig {
            listen: "127.0.0.1:1".parse().unwrap(),
            expose_query_plan: true,
            ..RouterConfig::default()
        };
        config.server.max_connections = 1;
        config.telemetry.metrics.path = "/other".into();
        keep_restart_only_settings(&running, &mut config);
        let expected = RouterConfig {
            expose_query_plan: true,
            ..RouterConfig::default()
        };
        assert_eq!(config, expected);
    }
}
