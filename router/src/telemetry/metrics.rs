//! Prometheus metrics of one router: client requests, subgraph requests, the
//! plan cache, deduplication and schema reloads, in the Prometheus text format
//! (0.0.4), served on a listener of their own (`telemetry.metrics`), never on
//! the public GraphQL port.
//!
//! Every router owns its registry (no process-wide recorder): tests run many
//! routers in one process, and each reports only its own traffic.
//!
//! The hot path is atomic increments on counters resolved ahead: each
//! subgraph's counters and histogram when the router is built (or reloaded with
//! a subgraph it did not have), each operation name's on its first request
//! (under a short lock, never held across an await). The plan cache is read only
//! when the metrics are scraped.
//!
//! A schema reload keeps the same `RouterMetrics` (the same registry and
//! series): counters never go back to 0 on a reload.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::{ConstGauge, Gauge};
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use switchyard_executor::{FetchError, SubgraphResponse};

use crate::plan_cache::PlanCacheStats;
use crate::telemetry::subscription_metrics::SubscriptionMetrics;

/// The `Content-Type` of the metrics page (Prometheus text format 0.0.4).
pub const CONTENT_TYPE: &str = prometheus_client::encoding::prometheus_text::CONTENT_TYPE;

/// Most distinct operation names labelled in `switchyard_http_requests_total`;
/// the requests of names beyond them are counted under [`OTHER_OPERATIONS`].
pub const MAX_OPERATION_NAMES: usize = 1_000;

/// The `operation_name` label of operations past [`MAX_OPERATION_NAMES`].
pub const OTHER_OPERATIONS: &str = "other";

/// Latency buckets, in seconds: 1 ms to 30 s.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

/// How a client request to `/graphql` ended (the `outcome` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestOutcome {
    /// Executed (or planned, for `x-switchyard-plan: only`) without errors.
    Ok,
    /// Executed, with errors in the response (a subgraph failed, a field was
    /// refused, partial data).
    GraphqlError,
    /// Refused before execution: unparsable or invalid operation, variables,
    /// limits, authentication, authorization, CSRF, persisted documents,
    /// method, media type, body size.
    Rejected,
    /// Refused by the per-client rate limit (429).
    RateLimited,
    /// Did not complete within `timeouts.request_ms`, or its body did not
    /// arrive within `server.body_read_timeout_ms`.
    Timeout,
    /// The router failed (a planning failure). A panic, caught outside the
    /// layer that observes requests, is not counted.
    Error,
}

impl RequestOutcome {
    const ALL: [RequestOutcome; 6] = [
        RequestOutcome::Ok,
        RequestOutcome::GraphqlError,
        RequestOutcome::Rejected,
        RequestOutcome::RateLimited,
        RequestOutcome::Timeout,
        RequestOutcome::Error,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestOutcome::Ok => "ok",
            RequestOutcome::GraphqlError => "graphql_error",
            RequestOutcome::Rejected => "rejected",
            RequestOutcome::RateLimited => "rate_limited",
            RequestOutcome::Timeout => "timeout",
            RequestOutcome::Error => "error",
        }
    }

    /// The outcome of an executed request: `graphql_error` when its response
    /// holds errors.
    pub fn executed(has_errors: bool) -> Self {
        if has_errors {
            RequestOutcome::GraphqlError
        } else {
            RequestOutcome::Ok
        }
    }

    /// The outcome of a response that does not say (it did not come through
    /// the GraphQL pipeline): by its status.
    pub fn from_status(status: http::StatusCode) -> Self {
        match status.as_u16() {
            429 => RequestOutcome::RateLimited,
            408 | 504 => RequestOutcome::Timeout,
            400..=499 => RequestOutcome::Rejected,
            500..=599 => RequestOutcome::Error,
            _ => RequestOutcome::Ok,
        }
    }
}

/// What the request handler tells the layer that observes requests (metrics,
/// span, log line) about a request, as a response extension.
#[derive(Debug, Clone)]
pub struct RequestReport {
    pub outcome: RequestOutcome,
    /// The `operationName` of an operation that validated; `None` otherwise
    /// (an operation name the client made up never becomes a label).
    pub operation_name: Option<String>,
}

/// How a schema reload ended (the `outcome` label of
/// `switchyard_schema_reloads_total`). A reload that finds the supergraph and
/// the config unchanged swaps nothing and is not counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReloadOutcome {
    /// The new schema and config are being served.
    Success,
    /// The new schema or config was refused; the running one is kept.
    Failure,
}

impl ReloadOutcome {
    pub fn as_str(self) -> &'static str {
        match self {
            ReloadOutcome::Success => "success",
            ReloadOutcome::Failure => "failure",
        }
    }
}

/// How one subgraph request ended (the `outcome` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubgraphOutcome {
    /// A GraphQL response without errors.
    Ok,
    /// A GraphQL response with errors.
    GraphqlError,
    /// A non-2xx status without a GraphQL error body.
    HttpError,
    /// No answer within `timeouts.subgraph_request_ms`.
    Timeout,
    /// Connection refused, reset...
    TransportError,
    /// A body that is not a GraphQL response.
    InvalidResponse,
}

impl SubgraphOutcome {
    const ALL: [SubgraphOutcome; 6] = [
        SubgraphOutcome::Ok,
        SubgraphOutcome::GraphqlError,
        SubgraphOutcome::HttpError,
        SubgraphOutcome::Timeout,
        SubgraphOutcome::TransportError,
        SubgraphOutcome::InvalidResponse,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubgraphOutcome::Ok => "ok",
            SubgraphOutcome::GraphqlError => "graphql_error",
            SubgraphOutcome::HttpError => "http_error",
            SubgraphOutcome::Timeout => "timeout",
            SubgraphOutcome::TransportError => "transport_error",
            SubgraphOutcome::InvalidResponse => "invalid_response",
        }
    }

    pub fn of(result: Result<&SubgraphResponse, &FetchError>) -> Self {
        match result {
            Ok(response) if response.errors.is_empty() => SubgraphOutcome::Ok,
            Ok(_) => SubgraphOutcome::GraphqlError,
            Err(FetchError::HttpStatus { .. }) => SubgraphOutcome::HttpError,
            Err(FetchError::Timeout(_)) => SubgraphOutcome::Timeout,
            Err(FetchError::Transport(_)) => SubgraphOutcome::TransportError,
            Err(FetchError::InvalidResponse(_)) => SubgraphOutcome::InvalidResponse,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    outcome: &'static str,
    operation_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct SubgraphOutcomeLabels {
    subgraph: String,
    outcome: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct SubgraphLabel {
    subgraph: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OutcomeLabel {
    outcome: &'static str,
}

/// One subgraph's series, resolved when the router is built: recording is
/// atomic increments. Cheap to clone (the series are shared).
#[derive(Debug, Clone)]
pub struct SubgraphMetrics {
    outcomes: [Counter; SubgraphOutcome::ALL.len()],
    errors: Counter,
    duration: Histogram,
    deduplicated: Counter,
}

impl SubgraphMetrics {
    /// Series registered nowhere (a client built without a router's metrics).
    pub fn unregistered() -> Self {
        SubgraphMetrics {
            outcomes: Default::default(),
            errors: Counter::default(),
            duration: latency_histogram(),
            deduplicated: Counter::default(),
        }
    }

    /// One request sent to the subgraph, its time and how it ended.
    pub fn record(&self, elapsed: Duration, result: Result<&SubgraphResponse, &FetchError>) {
        let outcome = SubgraphOutcome::of(result);
        self.outcomes[outcome as usize].inc();
        if outcome != SubgraphOutcome::Ok {
            self.errors.inc();
        }
        self.duration.observe(elapsed.as_secs_f64());
    }

    /// A request that joined an identical one in flight instead of being sent.
    pub fn record_deduplicated(&self) {
        self.deduplicated.inc();
    }
}

type Counters = [Option<Counter>; RequestOutcome::ALL.len()];

/// Reads the plan cache's counters at a scrape.
type PlanCacheReader = Box<dyn Fn() -> PlanCacheStats + Send + Sync>;

/// The families of the subgraph series, kept to add the series of a subgraph
/// that a reloaded supergraph brings.
struct SubgraphFamilies {
    requests: Family<SubgraphOutcomeLabels, Counter>,
    duration: Family<SubgraphLabel, Histogram, fn() -> Histogram>,
    errors: Family<SubgraphLabel, Counter>,
    deduplicated: Family<SubgraphLabel, Counter>,
}

impl SubgraphFamilies {
    fn series(&self, name: &str) -> SubgraphMetrics {
        let subgraph = SubgraphLabel {
            subgraph: name.to_owned(),
        };
        SubgraphMetrics {
            outcomes: SubgraphOutcome::ALL.map(|outcome| {
                self.requests.get_or_create_owned(&SubgraphOutcomeLabels {
                    subgraph: name.to_owned(),
                    outcome: outcome.as_str(),
                })
            }),
            errors: self.errors.get_or_create_owned(&subgraph),
            duration: self.duration.get_or_create_owned(&subgraph),
            deduplicated: self.deduplicated.get_or_create_owned(&subgraph),
        }
    }
}

/// The metrics of one router.
pub struct RouterMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    /// Series of `requests` by operation name, resolved on first use; at most
    /// [`MAX_OPERATION_NAMES`] names besides `""` and [`OTHER_OPERATIONS`].
    operations: Mutex<HashMap<String, Counters>>,
    request_duration: Histogram,
    in_flight: Gauge,
    subgraph_families: SubgraphFamilies,
    /// Every subgraph's series, of this supergraph and the ones before it (a
    /// subgraph a reload removed keeps its series: they are counts since start).
    subgraphs: Mutex<HashMap<String, Arc<SubgraphMetrics>>>,
    schema_reloads: Family<OutcomeLabel, Counter>,
    /// The current plan cache's reader, replaced when a reload brings a new
    /// plan cache.
    plan_cache: Arc<Mutex<PlanCacheReader>>,
    subscriptions: SubscriptionMetrics,
}

impl std::fmt::Debug for RouterMetrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouterMetrics").finish_non_exhaustive()
    }
}

impl RouterMetrics {
    /// Registers every series: the subgraphs' are created now (at 0), so they
    /// are scraped before the first request. `plan_cache` reads the plan
    /// cache's counters at each scrape.
    pub fn new<'a>(
        subgraphs: impl IntoIterator<Item = &'a str>,
        plan_cache: impl Fn() -> PlanCacheStats + Send + Sync + 'static,
    ) -> Self {
        let mut registry = Registry::with_prefix("switchyard");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "Client requests to /graphql, by outcome and operation name (operations that \
             validated; at most 1000 names, the rest under \"other\")",
            requests.clone(),
        );
        let request_duration = latency_histogram();
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer a client request to /graphql",
            Unit::Seconds,
            request_duration.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "Client requests to /graphql being answered",
            in_flight.clone(),
        );
        let subgraph_requests = Family::<SubgraphOutcomeLabels, Counter>::default();
        registry.register(
            "subgraph_requests",
            "Requests sent to subgraphs, by subgraph and outcome",
            subgraph_requests.clone(),
        );
        let subgraph_duration =
            Family::<SubgraphLabel, Histogram, fn() -> Histogram>::new_with_constructor(
                latency_histogram,
            );
        registry.register_with_unit(
            "subgraph_request_duration",
            "Time of a request to a subgraph, until its whole body is read",
            Unit::Seconds,
            subgraph_duration.clone(),
        );
        let subgraph_errors = Family::<SubgraphLabel, Counter>::default();
        registry.register(
            "subgraph_errors",
            "Subgraph requests that failed (transport, timeout, HTTP status, invalid \
             response) or answered GraphQL errors",
            subgraph_errors.clone(),
        );
        let deduplicated = Family::<SubgraphLabel, Counter>::default();
        registry.register(
            "subgraph_deduplicated_requests",
            "Subgraph requests not sent because they joined an identical request in flight",
            deduplicated.clone(),
        );
        let schema_reloads = Family::<OutcomeLabel, Counter>::default();
        registry.register(
            "schema_reloads",
            "Reloads of the supergraph and config that changed something, by outcome \
             (success: served since; failure: refused, the running schema kept)",
            schema_reloads.clone(),
        );
        for outcome in [ReloadOutcome::Success, ReloadOutcome::Failure] {
            schema_reloads.get_or_create_owned(&OutcomeLabel {
                outcome: outcome.as_str(),
            });
        }
        let subscriptions = SubscriptionMetrics::register(&mut registry);
        let plan_cache: Arc<Mutex<PlanCacheReader>> = Arc::new(Mutex::new(Box::new(plan_cache)));
        registry.register_collector(Box::new(PlanCacheCollector(plan_cache.clone())));

        let subgraph_families = SubgraphFamilies {
            requests: subgraph_requests,
            duration: subgraph_duration,
            errors: subgraph_errors,
            deduplicated,
        };
        let subgraphs = subgraphs
            .into_iter()
            .map(|name| (name.to_owned(), Arc::new(subgraph_families.series(name))))
            .collect();
        RouterMetrics {
            registry,
            requests,
            operations: Mutex::new(HashMap::new()),
            request_duration,
            in_flight,
            subgraph_families,
            subgraphs: Mutex::new(subgraphs),
            schema_reloads,
            plan_cache,
            subscriptions,
        }
    }

    /// The subscription series.
    pub fn subscriptions(&self) -> &SubscriptionMetrics {
        &self.subscriptions
    }

    /// The series of one subgraph, registered (at 0) on first use: a reloaded
    /// supergraph can bring subgraphs the router did not start with.
    pub fn subgraph(&self, name: &str) -> Arc<SubgraphMetrics> {
        lock(&self.subgraphs)
            .entry(name.to_owned())
            .or_insert_with(|| Arc::new(self.subgraph_families.series(name)))
            .clone()
    }

    /// Reads the counters of `plan_cache` at each scrape from now on: a reload
    /// serves with a new plan cache (which goes on counting where the previous
    /// one was, `PlanCache::successor`).
    pub fn set_plan_cache(&self, plan_cache: impl Fn() -> PlanCacheStats + Send + Sync + 'static) {
        *lock(&self.plan_cache) = Box::new(plan_cache);
    }

    /// One schema reload that changed something, by how it ended.
    pub fn record_reload(&self, outcome: ReloadOutcome) {
        self.schema_reloads
            .get_or_create(&OutcomeLabel {
                outcome: outcome.as_str(),
            })
            .inc();
    }

    /// Counts a request in flight until the returned guard is dropped (also
    /// when the request is cancelled).
    pub fn start_request(&self) -> InFlightGuard {
        self.in_flight.inc();
        InFlightGuard(self.in_flight.clone())
    }

    /// One client request answered.
    pub fn record_request(
        &self,
        elapsed: Duration,
        outcome: RequestOutcome,
        operation_name: Option<&str>,
    ) {
        self.request_duration.observe(elapsed.as_secs_f64());
        let index = outcome as usize;
        let mut operations = lock(&self.operations);
        let name = match operation_name {
            None => "",
            Some(name)
                if operations.contains_key(name) || operations.len() < MAX_OPERATION_NAMES =>
            {
                name
            }
            Some(_) => OTHER_OPERATIONS,
        };
        if let Some(counter) = operations
            .get(name)
            .and_then(|counters| counters[index].as_ref())
        {
            counter.inc();
            return;
        }
        let counter = self.requests.get_or_create_owned(&RequestLabels {
            outcome: outcome.as_str(),
            operation_name: name.to_owned(),
        });
        counter.inc();
        operations.entry(name.to_owned()).or_default()[index] = Some(counter);
    }

    /// The metrics in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String does not fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry);
        text
    }
}

/// Holds one request in `switchyard_http_requests_in_flight`.
pub struct InFlightGuard(Gauge);

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}

/// A poisoned lock still guards consistent metrics: nothing here is left half
/// updated by a panic.
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The plan cache's own counters, read at each scrape.
struct PlanCacheCollector(Arc<Mutex<PlanCacheReader>>);

impl std::fmt::Debug for PlanCacheCollector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PlanCacheCollector")
    }
}

impl Collector for PlanCacheCollector {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let stats = (lock(&self.0))();
        let counters = [
            (
                "plan_cache_hits",
                "Operations whose plan was found in the plan cache.",
                stats.hits,
            ),
            (
                "plan_cache_misses",
                "Operations planned because the plan cache had no plan for them.",
                stats.misses,
            ),
            (
                "plan_cache_joined",
                "Operations that waited for an identical operation being planned.",
                stats.joined,
            ),
        ];
        for (name, help, value) in counters {
            let counter = ConstCounter::new(value);
            counter.encode(encoder.encode_descriptor(
                name,
                help,
                None,
                counter.metric_type(),
            )?)?;
        }
        let gauges = [
            (
                "plan_cache_bytes",
                "Estimated bytes held by the plan cache.",
                stats.bytes as i64,
            ),
            (
                "plan_cache_entries",
                "Plans held by the plan cache.",
                stats.entries as i64,
            ),
        ];
        for (name, help, value) in gauges {
            let gauge = ConstGauge::new(value);
            gauge.encode(encoder.encode_descriptor(name, help, None, gauge.metric_type())?)?;
        }
        Ok(())
    }
}

/// Serves `metrics` at `path` on `listener` until `shutdown` resolves. Any
/// other path is a 404.
pub async fn serve(
    metrics: Arc<RouterMetrics>,
    path: &str,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = axum::Router::new().route(
        path,
        axum::routing::get(move || {
            let metrics = metrics.clone();
            async move {
                (
                    [(http::header::CONTENT_TYPE, CONTENT_TYPE)],
                    metrics.encode(),
                )
            }
        }),
    );
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn metrics() -> RouterMetrics {
        RouterMetrics::new(["a"], || PlanCacheStats {
            hits: 3,
            misses: 2,
            bytes: 100,
            ..Default::default()
        })
    }

    #[test]
    fn operation_names_are_capped() {
        let metrics = metrics();
        for i in 0..MAX_OPERATION_NAMES + 5 {
            metrics.record_request(
                Duration::from_millis(1),
                RequestOutcome::Ok,
                Some(&format!("Op{i}")),
            );
        }
        metrics.record_request(Duration::from_millis(1), RequestOutcome::Rejected, None);
        let text = metrics.encode();
        assert!(text.contains(
            "switchyard_http_requests_total{outcome=\"ok\",operation_name=\"other\"} 5\n"
        ));
        assert!(text.contains(
            "switchyard_http_requests_total{outcome=\"rejected\",operation_name=\"\"} 1\n"
        ));
        assert!(
            text.contains(
                "switchyard_http_requests_total{outcome=\"ok\",operation_name=\"Op0\"} 1\n"
            )
        );
        assert!(!text.contains(&format!("\"Op{MAX_OPERATION_NAMES}\"")));
    }

    #[test]
    fn the_plan_cache_is_read_at_scrape_and_subgraphs_start_at_zero() {
        let text = metrics().encode();
        for line in [
            "switchyard_plan_cache_hits_total 3\n",
            "switchyard_plan_cache_misses_total 2\n",
            "switchyard_plan_cache_bytes 100\n",
            "switchyard_subgraph_requests_total{subgraph=\"a\",outcome=\"ok\"} 0\n",
            "switchyard_subgraph_deduplicated_requests_total{subgraph=\"a\"} 0\n",
            "switchyard_schema_reloads_total{outcome=\"success\"} 0\n",
            "switchyard_http_requests_in_flight 0\n",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }

    #[test]
    fn a_reload_extends_the_subgraphs_and_swaps_the_plan_cache() {
        let metrics = metrics();
        metrics.subgraph("b").record_deduplicated();
        metrics.set_plan_cache(|| PlanCacheStats {
            hits: 7,
            ..Default::default()
        });
        metrics.record_reload(ReloadOutcome::Success);
        metrics.record_reload(ReloadOutcome::Failure);
        metrics.record_reload(ReloadOutcome::Failure);
        let text = metrics.encode();
        for line in [
            "switchyard_subgraph_deduplicated_requests_total{subgraph=\"a\"} 0\n",
            "switchyard_subgraph_deduplicated_requests_total{subgraph=\"b\"} 1\n",
            "switchyard_subgraph_requests_total{subgraph=\"b\",outcome=\"ok\"} 0\n",
            "switchyard_plan_cache_hits_total 7\n",
            "switchyard_schema_reloads_total{outcome=\"success\"} 1\n",
            "switchyard_schema_reloads_total{outcome=\"failure\"} 2\n",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }
}
