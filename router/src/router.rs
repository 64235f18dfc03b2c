//! The router as a value: a supergraph, its planner and executor, the subgraph
//! client and the plan cache, built once and shared by every request.
//!
//! Other binaries (the shop launcher) run it in-process through
//! [`Router::from_supergraph_sdl`] / [`Router::from_config`] and [`Router::serve`].

use std::future::Future;
use std::sync::Arc;

use http::HeaderName;
use switchyard_executor::Executor;
use switchyard_planner::Supergraph;

use crate::authentication::{AuthenticationError, JwtAuthenticator};
use crate::authorization::Authorizer;
use crate::config::{ConfigError, RouterConfig, SubgraphExtensions};
use crate::demand_control::DemandControl;
use crate::header_rules::HeaderRules;
use crate::persisted::PersistedDocuments;
use crate::pipeline::{CachedOperation, PlanFailure};
use crate::plan_cache::{PlanCache, PlanCacheStats};
use crate::query_planning::Planner;
use crate::response_headers::ResponseHeaderRules;
use crate::server::rate_limit::ClientLimiter;
use crate::subgraph_client::{SubgraphClient, SubgraphClientError, SubgraphClientOptions};
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

/// A ready-to-serve router. Cheap to clone: clones share everything.
#[derive(Clone)]
pub struct Router {
    pub(crate) inner: Arc<RouterInner>,
    /// Outside `inner` so it can be replaced after construction.
    pub(crate) playground_html: Arc<str>,
}

pub(crate) struct RouterInner {
    pub(crate) config: RouterConfig,
    pub(crate) supergraph: Arc<Supergraph>,
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
    /// `rate_limit.per_client`, when configured.
    pub(crate) rate_limiter: Option<ClientLimiter>,
    /// `authentication.jwt`, when configured.
    pub(crate) jwt: Option<Arc<JwtAuthenticator>>,
    /// Decides the supergraph's authorization requirements per request.
    pub(crate) authorizer: Authorizer,
    /// `demand_control`, when enabled: the supergraph's cost directives, read once.
    pub(crate) demand_control: Option<DemandControl>,
    /// `persisted_queries`: APQ and the trusted documents manifest.
    pub(crate) persisted: PersistedDocuments,
    /// This router's Prometheus metrics (its own registry).
    pub(crate) metrics: Arc<RouterMetrics>,
}

impl Router {
    /// Builds a router for a supergraph SDL. Subgraph URLs come from the
    /// supergraph unless `config.override_subgraph_urls` names them.
    pub fn from_supergraph_sdl(sdl: &str, config: RouterConfig) -> Result<Self, RouterError> {
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
        let plan_cache = PlanCache::new(config.plan_cache.capacity, config.plan_cache.max_bytes);
        let metrics = Arc::new(RouterMetrics::new(
            urls.iter().map(|(name, _)| name.as_str()),
            plan_cache.stats_reader(),
        ));
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
        let client = SubgraphClient::with_metrics(
            urls,
            SubgraphClientOptions {
                timeout: config.timeouts.subgraph_request(),
                dedup: config.traffic_shaping.dedup,
                response_headers: Arc::new(response_headers),
            },
            Some(&metrics),
        )?;
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
        let rate_limiter = match &config.rate_limit.per_client {
            Some(limit) => {
                let (requests, period) = limit.parse().map_err(ConfigError::Invalid)?;
                let trusted_proxies = config
                    .rate_limit
                    .trusted_proxies()
                    .map_err(ConfigError::Invalid)?;
                Some(ClientLimiter::keyed(
                    requests,
                    period,
                    config.rate_limit.key,
                    trusted_proxies,
                ))
            }
            None => None,
        };
        let jwt = config
            .authentication
            .jwt
            .as_ref()
            .map(JwtAuthenticator::new)
            .transpose()?;
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
        let persisted = PersistedDocuments::new(&config.persisted_queries)?;
        Ok(Router {
            inner: Arc::new(RouterInner {
                plan_cache,
                config,
                supergraph,
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
        crate::server::connections::serve(
            self.app(),
            listener,
            &self.inner.config.server,
            shutdown,
        )
        .await?;
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
        crate::telemetry::metrics::serve(
            self.inner.metrics.clone(),
            &self.inner.config.telemetry.metrics.path,
            listener,
            shutdown,
        )
        .await?;
        Ok(())
    }

    /// The metrics as the metrics listener serves them (Prometheus text format).
    pub fn metrics_text(&self) -> String {
        self.inner.metrics.encode()
    }

    pub fn config(&self) -> &RouterConfig {
        &self.inner.config
    }

    /// Verified tokens the JWT authenticator holds in its cache (0 without
    /// `authentication.jwt` or with `cache_size: 0`).
    pub fn cached_tokens(&self) -> usize {
        self.inner.jwt.as_ref().map_or(0, |jwt| jwt.cached_tokens())
    }

    pub fn supergraph(&self) -> &Supergraph {
        &self.inner.supergraph
    }

    /// Distinct subgraph requests in flight through the dedup map.
    pub fn subgraph_requests_in_flight(&self) -> usize {
        self.inner.client.in_flight()
    }

    /// Plan cache hits and misses since start.
    pub fn plan_cache_stats(&self) -> PlanCacheStats {
        self.inner.plan_cache.stats()
    }
}
