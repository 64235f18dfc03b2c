//! The router as a value: a supergraph, its planner and executor, the subgraph
//! client and the plan cache, built together as one snapshot and shared by every
//! request. A reload (`crate::reload`) builds a new snapshot and swaps it in
//! atomically; requests in flight keep the one they started with.
//!
//! Other binaries (the shop launcher) run it in-process through
//! [`Router::from_supergraph_sdl`] / [`Router::from_config`] and [`Router::serve`].

use std::future::Future;
use std::sync::Arc;

use arc_swap::ArcSwap;
use http::HeaderName;
use switchyard_executor::Executor;
use switchyard_planner::Supergraph;

use crate::authentication::{AuthenticationError, JwtAuthenticator};
use crate::authorization::Authorizer;
use crate::config::{ConfigError, JwksSource, RouterConfig, SubgraphExtensions};
use crate::demand_control::DemandControl;
use crate::header_rules::HeaderRules;
use crate::persisted::{PersistedDocuments, sha256_hex};
use crate::pipeline::{CachedOperation, PlanFailure};
use crate::plan_cache::{PlanCache, PlanCacheStats};
use crate::query_planning::Planner;
use crate::response_headers::ResponseHeaderRules;
use crate::server::rate_limit::ClientLimiter;
use crate::subgraph_client::{SubgraphClient, SubgraphClientError, SubgraphClientOptions};
use crate::subscriptions::{Retired, StreamSlots};
use crate::supergraph_source::{self, SupergraphSourceError};
use crate::telemetry::metrics::RouterMetrics;

/// Why a router could not be built or could not serve.
#[derive(Debug, thiserror::Error)]
pub enum RouterError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Supergraph(#[from] switchyard_planner::SupergraphError),
    #[error(transparent)]
    Source(#[from] SupergraphSourceError),
    #[error(transparent)]
    SubgraphClient(#[from] SubgraphClientError),
    #[error(transparent)]
    Authentication(#[from] AuthenticationError),
    #[error("server error: {0}")]
    Serve(#[from] std::io::Error),
}

/// A ready-to-serve router. Cheap to clone: clones share everything, and a
/// reload through any clone is seen by all of them.
#[derive(Clone)]
pub struct Router {
    pub(crate) shared: Arc<Shared>,
    /// Outside the swapped state so it can be replaced after construction (and
    /// survives reloads).
    pub(crate) playground_html: Arc<str>,
}

/// What the clones of a router share.
pub(crate) struct Shared {
    /// The state requests are served with. A reload builds a complete new one
    /// and swaps it in with one atomic store; each request loads it once, when
    /// it arrives, and keeps that snapshot until its response is written, so a
    /// request in flight finishes on the schema it started with.
    pub(crate) current: ArcSwap<Snapshot>,
    /// Reloads run one at a time (a file change and a signal may come together).
    pub(crate) reloading: tokio::sync::Mutex<()>,
}

/// One supergraph and config, and the application that serves them.
pub(crate) struct Snapshot {
    pub(crate) inner: Arc<RouterInner>,
    /// Routes and layers as this snapshot's config says (CORS, playground,
    /// metrics), with `inner` as their state.
    pub(crate) app: axum::Router,
}

impl Snapshot {
    pub(crate) fn new(inner: Arc<RouterInner>) -> Self {
        let app = crate::server::snapshot_app(inner.clone());
        Snapshot { inner, app }
    }
}

pub(crate) struct RouterInner {
    pub(crate) config: Arc<RouterConfig>,
    pub(crate) supergraph: Arc<Supergraph>,
    /// SHA-256 (hex) of the supergraph SDL: `/health` reports it, and a reload
    /// to the same SDL (and config) changes nothing.
    pub(crate) schema_hash: String,
    /// SHA-256 (hex) of the config as the router reads it (JSON), for `/health`.
    pub(crate) config_hash: String,
    pub(crate) planner: Planner,
    pub(crate) executor: Executor,
    pub(crate) client: SubgraphClient,
    pub(crate) plan_cache: PlanCache<CachedOperation, PlanFailure>,
    pub(crate) forward_headers: Vec<HeaderName>,
    /// `headers.all` and `headers.subgraphs`, compiled.
    pub(crate) header_rules: HeaderRules,
    /// Whether `headers.response` has rules (else nothing is collected).
    pub(crate) collect_response_headers: bool,
    pub(crate) csrf_headers: Vec<HeaderName>,
    /// What of subgraph errors' `extensions` reaches clients (`errors` config),
    /// made once.
    pub(crate) kept_subgraph_extensions: Option<Arc<[String]>>,
    /// `rate_limit.per_client`, when configured; kept by a reload that leaves
    /// `rate_limit` unchanged, so clients' budgets carry over.
    pub(crate) rate_limiter: Option<Arc<ClientLimiter>>,
    /// `authentication.jwt`, when configured.
    pub(crate) jwt: Option<Arc<JwtAuthenticator>>,
    /// Decides the supergraph's authorization requirements per request.
    pub(crate) authorizer: Authorizer,
    /// `demand_control`, when enabled: the supergraph's cost directives, read once.
    pub(crate) demand_control: Option<DemandControl>,
    /// `persisted_queries`: APQ and the trusted documents manifest.
    pub(crate) persisted: PersistedDocuments,
    /// This router's Prometheus metrics (its own registry), the same across
    /// reloads.
    pub(crate) metrics: Arc<RouterMetrics>,
    /// Set once a reload replaced this state (the subscriptions planned
    /// against it end with `SUBSCRIPTION_SCHEMA_RELOAD`, and its WebSocket
    /// connections close so that clients reconnect to the new one), or when
    /// the router shuts down (they end with `SHUTTING_DOWN`).
    pub(crate) retired: tokio::sync::watch::Sender<Retired>,
    /// `subscriptions.max_connections`; kept by a reload that leaves it unchanged.
    pub(crate) stream_slots: StreamSlots,
}

impl RouterInner {
    /// Builds the whole state for a supergraph SDL and a config. `previous`,
    /// on a reload, is the state being served: its metrics are kept, and so are
    /// the parts whose settings did not change (rate limiter, JWT key sets,
    /// APQ store, subgraph client).
    pub(crate) fn build(
        sdl: &str,
        config: RouterConfig,
        previous: Option<&RouterInner>,
    ) -> Result<Self, RouterError> {
        config.check()?;
        let supergraph = Arc::new(Supergraph::parse(sdl)?);
        // An override for a subgraph the supergraph does not have is a typo that
        // would otherwise silently send traffic to the wrong place.
        if let Some(unknown) = config.override_subgraph_urls.keys().find(|name| {
            !supergraph
                .subgraphs()
                .any(|(known, _)| known == name.as_str())
        }) {
            let known: Vec<&str> = supergraph.subgraphs().map(|(name, _)| name).collect();
            return Err(ConfigError::Invalid(format!(
                "override_subgraph_urls names '{unknown}', which is not a subgraph of the \
                 supergraph (its subgraphs: {})",
                known.join(", ")
            ))
            .into());
        }
        let urls: Vec<(String, String)> = supergraph
            .subgraphs()
            .map(|(name, url)| {
                let url = config
                    .override_subgraph_urls
                    .get(name)
                    .map_or(url, String::as_str);
                (name.to_owned(), url.to_owned())
            })
            .collect();
        let (capacity, max_bytes) = (config.plan_cache.capacity, config.plan_cache.max_bytes);
        let plan_cache = match previous {
            Some(previous) => previous.plan_cache.successor(capacity, max_bytes),
            None => PlanCache::new(capacity, max_bytes),
        };
        let metrics = match previous {
            Some(previous) => previous.metrics.clone(),
            None => Arc::new(RouterMetrics::new(
                urls.iter().map(|(name, _)| name.as_str()),
                plan_cache.stats_reader(),
            )),
        };
        let response_headers =
            ResponseHeaderRules::new(&config.headers.response).map_err(ConfigError::Invalid)?;
        if let Some(unknown) = response_headers
            .subgraph_names()
            .find(|name| !supergraph.subgraphs().any(|(known, _)| known == *name))
        {
            return Err(ConfigError::Invalid(format!(
                "headers.response names '{unknown}', which is not a subgraph of the supergraph"
            ))
            .into());
        }
        let collect_response_headers = !response_headers.is_empty();
        let client_options = SubgraphClientOptions {
            timeout: config.timeouts.subgraph_request(),
            dedup: config.traffic_shaping.dedup,
            response_headers: Arc::new(response_headers),
        };
        let client = match previous {
            Some(previous) if previous.client.serves(&urls, &client_options) => {
                previous.client.clone()
            }
            _ => SubgraphClient::with_metrics(urls, client_options, Some(&metrics))?,
        };
        let planner = Planner::new(supergraph.clone(), &config);
        let executor = Executor::new(Arc::new(supergraph.api_schema().clone()));
        let header_names = |names: &[String]| -> Vec<HeaderName> {
            // `check()` has validated every name.
            names
                .iter()
                .filter_map(|name| HeaderName::from_bytes(name.as_bytes()).ok())
                .collect()
        };
        let forward_headers = header_names(&config.headers.forward);
        let header_rules = HeaderRules::new(&config.headers.all, &config.headers.subgraphs)
            .map_err(ConfigError::Invalid)?;
        if let Some(unknown) = header_rules
            .subgraph_names()
            .find(|name| !supergraph.subgraphs().any(|(known, _)| known == *name))
        {
            return Err(ConfigError::Invalid(format!(
                "headers.subgraphs names '{unknown}', which is not a subgraph of the supergraph"
            ))
            .into());
        }
        let kept_subgraph_extensions = match config.errors.subgraph_extensions {
            SubgraphExtensions::CodeOnly => Some(config.errors.keep_extensions.clone().into()),
            SubgraphExtensions::Keep => None,
        };
        let csrf_headers = header_names(&config.csrf.required_headers);
        let rate_limiter = match (&config.rate_limit.per_client, previous) {
            (Some(_), Some(previous)) if previous.config.rate_limit == config.rate_limit => {
                previous.rate_limiter.clone()
            }
            (Some(limit), _) => {
                let (requests, period) = limit.parse().map_err(ConfigError::Invalid)?;
                let trusted_proxies = config
                    .rate_limit
                    .trusted_proxies()
                    .map_err(ConfigError::Invalid)?;
                Some(Arc::new(ClientLimiter::keyed(
                    requests,
                    period,
                    config.rate_limit.key,
                    trusted_proxies,
                )))
            }
            (None, _) => None,
        };
        let jwt = match (&config.authentication.jwt, previous) {
            // Key sets fetched from URLs refresh themselves; ones read from
            // files are read again by every reload.
            (Some(jwt_config), Some(previous))
                if previous.config.authentication == config.authentication
                    && !jwt_config
                        .jwks
                        .iter()
                        .any(|source| matches!(source, JwksSource::File(_))) =>
            {
                previous.jwt.clone()
            }
            (Some(jwt_config), _) => Some(JwtAuthenticator::new(jwt_config)?),
            (None, _) => None,
        };
        let authorizer = Authorizer::new(&config.authorization);
        let undecided = authorizer.undecided_policies(supergraph.authorization().requirements());
        if !undecided.is_empty() {
            tracing::warn!(
                policies = ?undecided,
                "the supergraph uses @policy names that authorization.policies does not define: \
                 they are refused to every request"
            );
        }
        let demand_control = DemandControl::new(&supergraph, &config.demand_control);
        let persisted = PersistedDocuments::reloaded(
            &config.persisted_queries,
            previous.map(|previous| &previous.persisted),
        )?;
        let schema_hash = sha256_hex(sdl);
        let config_hash = sha256_hex(&serde_json::to_string(&config).unwrap_or_default());
        let stream_slots = match previous {
            Some(previous)
                if previous.config.subscriptions.max_connections
                    == config.subscriptions.max_connections =>
            {
                previous.stream_slots.clone()
            }
            _ => StreamSlots::new(
                config.subscriptions.max_connections,
                metrics.subscriptions().clone(),
            ),
        };
        Ok(RouterInner {
            plan_cache,
            config: Arc::new(config),
            supergraph,
            schema_hash,
            config_hash,
            planner,
            executor,
            client,
            forward_headers,
            header_rules,
            collect_response_headers,
            csrf_headers,
            kept_subgraph_extensions,
            rate_limiter,
            jwt,
            authorizer,
            demand_control,
            persisted,
            metrics,
            retired: tokio::sync::watch::Sender::new(Retired::No),
            stream_slots,
        })
    }
}

impl Router {
    /// Builds a router for a supergraph SDL. Subgraph URLs come from the
    /// supergraph unless `config.override_subgraph_urls` names them.
    pub fn from_supergraph_sdl(sdl: &str, config: RouterConfig) -> Result<Self, RouterError> {
        let inner = Arc::new(RouterInner::build(sdl, config, None)?);
        Ok(Router {
            shared: Arc::new(Shared {
                current: ArcSwap::from_pointee(Snapshot::new(inner)),
                reloading: tokio::sync::Mutex::new(()),
            }),
            playground_html: Arc::from(crate::server::playground::BUILT_IN_PAGE),
        })
    }

    /// Builds a router from its configuration: reads `supergraph`, or composes
    /// `subgraphs` (fetching their SDL where no file is given).
    pub async fn from_config(config: RouterConfig) -> Result<Self, RouterError> {
        config.check()?;
        let sdl = supergraph_source::load(&config).await?;
        Self::from_supergraph_sdl(&sdl, config)
    }

    /// The state served now. A caller that reads several things keeps the one
    /// snapshot, so they all come from the same schema and config.
    pub(crate) fn current(&self) -> Arc<Snapshot> {
        self.shared.current.load_full()
    }

    /// Replaces the built-in playground page (used when `playground.enabled`), for
    /// example with a full GraphiQL build that works offline.
    #[must_use]
    pub fn with_playground_html(mut self, html: impl Into<Arc<str>>) -> Self {
        self.playground_html = html.into();
        self
    }

    /// The axum application: `/graphql`, `/health` and the playground.
    pub fn app(&self) -> axum::Router {
        crate::server::app(self.clone())
    }

    /// Serves until `shutdown` resolves, then finishes in-flight requests. Client
    /// connections are bounded as the config's `server` section says.
    pub async fn serve(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RouterError> {
        // The `server` section in effect when serving starts: a reload does
        // not change it (it needs a restart).
        let config = self.config();
        let shared = self.shared.clone();
        let shutdown = async move {
            shutdown.await;
            // Streams never finish on their own: end them, so the connections
            // serving them can close.
            shared
                .current
                .load()
                .inner
                .retired
                .send_replace(Retired::ShuttingDown);
        };
        crate::server::connections::serve(self.app(), listener, &config.server, shutdown).await?;
        Ok(())
    }

    /// Serves the metrics (Prometheus text) at `telemetry.metrics.path` on
    /// `listener` until `shutdown` resolves: a listener of its own, apart from
    /// the GraphQL one. Whoever runs the router binds it (`switchyard serve`
    /// binds `telemetry.metrics.listen` when `enabled`), so tests bind port 0.
    pub async fn serve_metrics(
        &self,
        listener: tokio::net::TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), RouterError> {
        let inner = self.current().inner.clone();
        crate::telemetry::metrics::serve(
            inner.metrics.clone(),
            &inner.config.telemetry.metrics.path,
            listener,
            shutdown,
        )
        .await?;
        Ok(())
    }

    /// The metrics as the metrics listener serves them (Prometheus text format).
    pub fn metrics_text(&self) -> String {
        self.current().inner.metrics.encode()
    }

    /// The config served now (a reload may replace it).
    pub fn config(&self) -> Arc<RouterConfig> {
        self.current().inner.config.clone()
    }

    /// SHA-256 (lowercase hex) of the supergraph SDL served now, as `/health`
    /// reports it.
    pub fn schema_hash(&self) -> String {
        self.current().inner.schema_hash.clone()
    }

    /// Verified tokens the JWT authenticator holds in its cache (0 without
    /// `authentication.jwt` or with `cache_size: 0`).
    pub fn cached_tokens(&self) -> usize {
        self.current()
            .inner
            .jwt
            .as_ref()
            .map_or(0, |jwt| jwt.cached_tokens())
    }

    /// The supergraph served now (a reload may replace it).
    pub fn supergraph(&self) -> Arc<Supergraph> {
        self.current().inner.supergraph.clone()
    }

    /// Distinct subgraph requests in flight through the dedup map.
    pub fn subgraph_requests_in_flight(&self) -> usize {
        self.current().inner.client.in_flight()
    }

    /// Plan cache hits and misses since start (across reloads), and what the
    /// current plan cache holds.
    pub fn plan_cache_stats(&self) -> PlanCacheStats {
        self.current().inner.plan_cache.stats()
    }
}
