//! The router's typed configuration, read from YAML.
//!
//! Every section has production-safe defaults, so an empty file (or no file at all)
//! is a valid configuration. Unknown keys are rejected (`deny_unknown_fields`): a
//! typo in an operator's config must fail loudly at start, not be ignored. The JSON
//! Schema (`switchyard config-schema`) is generated from these types and held by a
//! snapshot test, so editors can validate config files against it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::num::NonZeroU32;
use std::path::{Path, PathBuf};
use std::time::Duration;

use schemars::JsonSchema;

pub use crate::authorization::{AuthorizationConfig, PolicyRule, UnauthorizedMode};
pub use crate::header_rules::{HeaderRule, InsertRule, PropagateRule, RemoveRule};
pub use playground::{
    PlaygroundAuthConfig, PlaygroundConfig, PlaygroundSettings, SignInConfig, SignInVariableConfig,
};
use serde::{Deserialize, Serialize};

use crate::response_headers::{ResponseHeaderRule, ResponseHeaderRules};

mod playground;

/// Errors reading or checking a configuration file.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {source}")]
    Parse {
        path: PathBuf,
        /// Boxed: the parser's error carries its source snippet.
        source: Box<serde_saphyr::Error>,
    },
    #[error("invalid config: {0}")]
    Invalid(String),
}

/// The whole router configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RouterConfig {
    /// Address the HTTP server listens on.
    pub listen: SocketAddr,
    /// Path of a supergraph SDL file. Relative paths are resolved against the
    /// directory of the config file. Exclusive with `subgraphs`.
    pub supergraph: Option<PathBuf>,
    /// Subgraphs to compose into a supergraph at start (each with an SDL file, or
    /// none to fetch `_service { sdl }` from its URL). Exclusive with `supergraph`.
    pub subgraphs: Vec<SubgraphConfig>,
    /// Per-subgraph routing URL overrides, keyed by subgraph name. They win over the
    /// URLs in the supergraph (useful when the same supergraph runs in several
    /// environments).
    pub override_subgraph_urls: BTreeMap<String, String>,
    pub server: ServerConfig,
    pub timeouts: TimeoutsConfig,
    pub limits: LimitsConfig,
    pub demand_control: DemandControlConfig,
    pub errors: ErrorsConfig,
    pub headers: HeadersConfig,
    pub cors: CorsConfig,
    pub csrf: CsrfConfig,
    pub plan_cache: PlanCacheConfig,
    pub planner: PlannerConfig,
    /// Lets a client that sends `x-switchyard-plan: true` receive the query plan in
    /// `extensions.queryPlan`. Off by default: plans reveal the subgraph topology.
    pub expose_query_plan: bool,
    /// Lets a client that sends `x-switchyard-trace: true` receive the timing of
    /// every subgraph request in `extensions.trace` (the playground's waterfall).
    /// Off by default: traces reveal the subgraph topology and timings.
    pub expose_trace: bool,
    pub playground: PlaygroundConfig,
    pub traffic_shaping: TrafficShapingConfig,
    pub override_labels: OverrideLabelsConfig,
    pub rate_limit: RateLimitConfig,
    pub authentication: AuthenticationConfig,
    pub authorization: AuthorizationConfig,
    pub persisted_queries: PersistedQueriesConfig,
    pub telemetry: TelemetryConfig,
    pub reload: ReloadConfig,
}

impl Default for RouterConfig {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 4000)),
            supergraph: None,
            subgraphs: Vec::new(),
            override_subgraph_urls: BTreeMap::new(),
            server: ServerConfig::default(),
            timeouts: TimeoutsConfig::default(),
            limits: LimitsConfig::default(),
            demand_control: DemandControlConfig::default(),
            errors: ErrorsConfig::default(),
            headers: HeadersConfig::default(),
            cors: CorsConfig::default(),
            csrf: CsrfConfig::default(),
            plan_cache: PlanCacheConfig::default(),
            planner: PlannerConfig::default(),
            expose_query_plan: false,
            expose_trace: false,
            playground: PlaygroundConfig::default(),
            traffic_shaping: TrafficShapingConfig::default(),
            override_labels: OverrideLabelsConfig::default(),
            rate_limit: RateLimitConfig::default(),
            authentication: AuthenticationConfig::default(),
            authorization: AuthorizationConfig::default(),
            persisted_queries: PersistedQueriesConfig::default(),
            telemetry: TelemetryConfig::default(),
            reload: ReloadConfig::default(),
        }
    }
}

// The router's `subgraphs` and the file of `switchyard compose --config` share this
// type and `supergraph_source::compose_subgraphs`, so both read subgraphs alike.
// (A plain comment: doc comments become the JSON Schema's descriptions.)
/// One subgraph to compose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubgraphConfig {
    /// The subgraph's name: `@override(from:)` and `join__Graph` refer to it.
    pub name: String,
    /// URL the router sends this subgraph's requests to.
    pub routing_url: String,
    /// SDL file of the subgraph (relative to the config file). When absent, the SDL
    /// is fetched from `routing_url` with `{ _service { sdl } }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<PathBuf>,
}

impl SubgraphConfig {
    /// Takes a relative `schema` path from `base_dir`, the folder of the file
    /// that named it (so a config works whatever the working directory).
    pub fn resolve_schema_path(&mut self, base_dir: &Path) {
        if let Some(path) = &mut self.schema {
            resolve_path(path, base_dir);
        }
    }
}

/// Makes a relative `path` relative to `base_dir` instead.
fn resolve_path(path: &mut PathBuf, base_dir: &Path) {
    if path.is_relative() {
        *path = base_dir.join(&*path);
    }
}

/// Client connections: how long a client may take to send a request, and how
/// many connections are served at once. Each open connection holds a file
/// descriptor; these bounds keep slow or idle clients from exhausting them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Bound on receiving a request's headers, in milliseconds, counted from when
    /// the connection awaits a request: its opening, or on a kept-alive connection
    /// the end of the previous response (so it bounds idle keep-alive too). A
    /// client that has not sent its headers by then is disconnected.
    pub header_read_timeout_ms: u64,
    /// Bound on receiving a whole request body, in milliseconds, counted from when
    /// the router starts reading it. A client still sending by then gets HTTP 408
    /// and the connection is closed.
    pub body_read_timeout_ms: u64,
    /// Most client connections open at once. Beyond it, new connections are not
    /// accepted (they wait in the listen backlog) until one closes.
    pub max_connections: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            header_read_timeout_ms: 10_000,
            body_read_timeout_ms: 30_000,
            max_connections: 10_000,
        }
    }
}

impl ServerConfig {
    pub fn header_read_timeout(&self) -> Duration {
        Duration::from_millis(self.header_read_timeout_ms)
    }

    pub fn body_read_timeout(&self) -> Duration {
        Duration::from_millis(self.body_read_timeout_ms)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TimeoutsConfig {
    /// Bound on one subgraph HTTP request, in milliseconds.
    pub subgraph_request_ms: u64,
    /// Bound on a whole client request (parse, plan, every fetch), in milliseconds.
    pub request_ms: u64,
}

impl Default for TimeoutsConfig {
    fn default() -> Self {
        Self {
            subgraph_request_ms: 30_000,
            request_ms: 60_000,
        }
    }
}

impl TimeoutsConfig {
    pub fn subgraph_request(&self) -> Duration {
        Duration::from_millis(self.subgraph_request_ms)
    }

    pub fn request(&self) -> Duration {
        Duration::from_millis(self.request_ms)
    }
}

/// Bounds on what one client request may cost. `null` disables a bound.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LimitsConfig {
    /// Largest accepted request body, in bytes; larger bodies get HTTP 413.
    pub max_body_bytes: usize,
    /// Deepest selection-set nesting (fragments are followed).
    pub max_depth: Option<usize>,
    /// Most aliased fields in one operation (aliases multiply work cheaply).
    pub max_aliases: Option<usize>,
    /// Most field selections in one operation once its fragments are expanded
    /// (fragments spreading fragments multiply an operation's size cheaply).
    pub max_fields: Option<usize>,
    /// Most lexical tokens in one document (bounds parser work).
    pub max_tokens: Option<usize>,
    /// Most fields selected at the operation's root, fragments followed (each is
    /// at least one subgraph fetch's worth of work).
    pub max_root_fields: Option<usize>,
    /// Deepest nesting inside a `__schema` / `__type` selection, counted from that
    /// field (chains of `ofType { ofType { ... } }`); 20 lets the introspection
    /// query of GraphiQL and graphql-js through.
    pub max_introspection_depth: Option<usize>,
    /// Most distinct fields in the operation's response shape: each response
    /// position (path of response keys) counts once, however many fragments
    /// select it (Apollo Router's `max_height`).
    pub max_height: Option<usize>,
}

impl Default for LimitsConfig {
    fn default() -> Self {
        Self {
            max_body_bytes: 2 * 1024 * 1024,
            max_depth: Some(64),
            max_aliases: Some(256),
            max_fields: Some(5_000),
            max_tokens: Some(15_000),
            max_root_fields: Some(128),
            max_introspection_depth: Some(20),
            max_height: Some(2_000),
        }
    }
}

/// Demand control: the static cost of an operation, from the `@cost` and
/// `@listSize` directives of the supergraph (the IBM cost directive spec, as
/// Apollo Router applies it), estimated before any subgraph is called. Off by
/// default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct DemandControlConfig {
    /// Computes the cost of every operation.
    pub enabled: bool,
    /// `measure` computes the cost (logged at debug level) and never rejects;
    /// `enforce` rejects an operation whose estimated cost exceeds `max` with
    /// HTTP 400 and the code `COST_ESTIMATED_TOO_EXPENSIVE`, before any subgraph
    /// is called.
    pub mode: DemandControlMode,
    /// Highest estimated cost an operation may have.
    pub max: u64,
    /// Assumed length of a list field that has no `@listSize` size (no slicing
    /// argument given, no `assumedSize`).
    pub list_size: u32,
    /// Lets a client that sends `x-switchyard-cost: true` receive the estimated
    /// and actual cost in `extensions.cost`.
    pub expose_cost: bool,
}

impl Default for DemandControlConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            mode: DemandControlMode::Measure,
            max: 1_000,
            list_size: 10,
            expose_cost: false,
        }
    }
}

/// What demand control does with the cost it computes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum DemandControlMode {
    /// Compute the cost, never reject.
    #[default]
    Measure,
    /// Reject operations whose estimated cost exceeds `max`.
    Enforce,
}

/// Hot reload of the supergraph and of this configuration while serving
/// (`switchyard serve`; `SIGHUP` reloads too, whatever this says). A reload
/// that fails (a file that does not parse, a supergraph that does not validate
/// or plan, subgraphs that do not compose) keeps the running schema and config.
/// `listen`, `server`, `telemetry` and the GraphQL and metrics listeners are
/// not changed by a reload: they need a restart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ReloadConfig {
    /// Watch the config file, the `supergraph` file and the subgraphs' `schema`
    /// files, and reload when one changes (changes are debounced, and a file
    /// replaced by a rename is seen).
    pub watch: bool,
    /// With `subgraphs` whose SDL is fetched from the running subgraph (no
    /// `schema` file): seconds between two fetches of every subgraph's
    /// `_service { sdl }`; the router recomposes and reloads when the result
    /// changes. 0 disables polling.
    pub poll_interval_secs: u64,
    /// How many of the most recently used operations of the plan cache are
    /// planned against a new schema before it is served, so that the first
    /// requests after a reload find their plans, and a schema that cannot plan
    /// an operation it still validates is refused. 0 plans none.
    pub warm_up_operations: usize,
}

impl Default for ReloadConfig {
    fn default() -> Self {
        Self {
            watch: true,
            poll_interval_secs: 10,
            warm_up_operations: 100,
        }
    }
}

impl ReloadConfig {
    /// The polling interval, `None` when polling is off.
    pub fn poll_interval(&self) -> Option<Duration> {
        (self.poll_interval_secs > 0).then(|| Duration::from_secs(self.poll_interval_secs))
    }
}

/// What the router tells operators about itself.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TelemetryConfig {
    pub metrics: MetricsConfig,
    pub tracing: TracingConfig,
    pub logging: LoggingConfig,
}

/// OpenTelemetry traces, exported over OTLP: a span for each client request,
/// its parse and validation, its planning, each subgraph fetch and the
/// response's serialization. The client's W3C `traceparent`/`tracestate` is
/// continued, and every subgraph request carries the trace on (never as part of
/// what deduplicates identical fetches). Off by default: off, no span is made and
/// no trace header is read or written (`headers.forward` can still pass a
/// client's `traceparent` through).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TracingConfig {
    /// Makes the spans and carries the trace to subgraphs; `switchyard serve`
    /// also exports them (an embedding program installs its own exporter).
    pub enabled: bool,
    pub otlp: OtlpConfig,
    /// Share of new traces kept, from 0.0 to 1.0. Parent-based: a request whose
    /// `traceparent` says its caller sampled it is kept whatever the ratio (and
    /// one whose caller did not is not), so a trace is never cut in half.
    #[schemars(range(min = 0.0, max = 1.0))]
    pub sampling: f64,
    /// The `service.name` of the exported spans.
    pub service_name: String,
}

impl Default for TracingConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            otlp: OtlpConfig::default(),
            sampling: 1.0,
            service_name: "switchyard".to_owned(),
        }
    }
}

impl TracingConfig {
    /// Where and how spans are exported, as the telemetry library takes it.
    pub fn settings(&self) -> switchyard_telemetry::TraceSettings {
        let protocol = match self.otlp.protocol {
            OtlpProtocol::Grpc => switchyard_telemetry::OtlpProtocol::Grpc,
            OtlpProtocol::Http => switchyard_telemetry::OtlpProtocol::Http,
        };
        switchyard_telemetry::TraceSettings {
            endpoint: self
                .otlp
                .endpoint
                .clone()
                .unwrap_or_else(|| protocol.default_endpoint().to_owned()),
            protocol,
            sampling: self.sampling,
            service_name: self.service_name.clone(),
        }
    }
}

/// The OpenTelemetry collector spans are sent to.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OtlpConfig {
    /// The collector's base URL. Over `http`, spans are posted to its path plus
    /// `/v1/traces`. Unset: `http://127.0.0.1:4318` for `http`,
    /// `http://127.0.0.1:4317` for `grpc`.
    pub endpoint: Option<String>,
    pub protocol: OtlpProtocol,
}

/// The OTLP transport.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OtlpProtocol {
    /// gRPC (collectors listen on 4317).
    Grpc,
    /// Protobuf over HTTP (collectors listen on 4318).
    #[default]
    Http,
}

/// The router's logs (stderr; `RUST_LOG` filters them, `info` by default).
/// Each GraphQL request is logged once, at `info` with the target
/// `switchyard::request`: operation name, duration, HTTP status, outcome and
/// trace id. Never logged: header values (tokens, cookies), variables, the
/// operation's text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct LoggingConfig {
    pub format: LogFormat,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

impl From<LogFormat> for switchyard_telemetry::LogFormat {
    fn from(format: LogFormat) -> Self {
        match format {
            LogFormat::Text => switchyard_telemetry::LogFormat::Text,
            LogFormat::Json => switchyard_telemetry::LogFormat::Json,
        }
    }
}

/// Prometheus metrics (text format), served on a listener of their own, never
/// on the public GraphQL port. On by default, on the loopback interface.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct MetricsConfig {
    pub enabled: bool,
    /// Address the metrics listener binds (`switchyard serve`); keep it on a
    /// private interface. It must differ from `listen`.
    pub listen: SocketAddr,
    /// Path of the metrics page on that listener.
    pub path: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            listen: SocketAddr::from(([127, 0, 0, 1], 9090)),
            path: "/metrics".to_owned(),
        }
    }
}

/// Persisted documents: operations sent by hash or id instead of their text.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PersistedQueriesConfig {
    pub apq: ApqConfig,
    /// Trusted documents: a manifest of the app's operations. Unset (the
    /// default): any operation runs.
    pub manifest: Option<ManifestConfig>,
}

/// Automatic persisted queries (Apollo's protocol): a client sends
/// `extensions.persistedQuery {version: 1, sha256Hash}` without the text; an
/// unknown hash is answered `PERSISTED_QUERY_NOT_FOUND` (HTTP 200), and the
/// client sends the text with the hash to register it. On by default.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ApqConfig {
    pub enabled: bool,
    /// Most operations kept in memory (least recently used are evicted).
    pub cache_size: usize,
    /// Most bytes of operation text kept in memory (least recently used are
    /// evicted; a text larger than the whole bound is not kept).
    pub cache_max_bytes: usize,
    /// A Redis URL (`redis://host:6379`) to share registered operations between
    /// routers, behind the in-memory cache. A Redis failure never fails a
    /// request: a lookup becomes a miss, a registration stays in memory.
    pub redis_url: Option<String>,
    /// How long an operation stays in Redis, in seconds.
    pub redis_ttl_secs: u64,
}

impl Default for ApqConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            cache_size: 10_000,
            cache_max_bytes: 16 * 1024 * 1024,
            redis_url: None,
            redis_ttl_secs: 24 * 60 * 60,
        }
    }
}

/// A manifest of trusted operations, read at start (a file that cannot be read
/// or parsed stops the router from starting).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ManifestConfig {
    /// Path of the manifest (relative to the config file), in Apollo's format
    /// (`{"format": "apollo-persisted-query-manifest", "version": 1,
    /// "operations": [{"id", "body", ...}]}`) or Relay's (`{"<id>": "<text>"}`).
    /// A listed operation runs by its id, sent as
    /// `extensions.persistedQuery.sha256Hash`, `documentId` or `doc_id`.
    pub path: PathBuf,
    #[serde(default)]
    pub mode: ManifestMode,
}

/// What happens to an operation the manifest does not list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ManifestMode {
    /// Refused with HTTP 403 and `QUERY_NOT_IN_SAFELIST`, before any planning
    /// or subgraph request; APQ registers no new operation.
    #[default]
    Enforce,
    /// Run, and logged as a warning (once per distinct operation).
    LogUnknown,
}

/// What of the subgraphs' errors reaches clients.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct ErrorsConfig {
    /// Which `extensions` of a subgraph's errors are passed on to the client.
    /// The router always adds `serviceName` (the subgraph's name).
    pub subgraph_extensions: SubgraphExtensions,
    /// With `code_only`: further `extensions` keys passed on besides `code`,
    /// ones the subgraphs put there for clients (for example `retryAfterSeconds`).
    pub keep_extensions: Vec<String>,
}

/// Which `extensions` of a subgraph's errors are passed on to the client.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubgraphExtensions {
    /// Only `code`: stack traces, exceptions and whatever else a subgraph puts
    /// there stay inside (the default, for production).
    #[default]
    CodeOnly,
    /// All of them, as the subgraph sent them (for development).
    Keep,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct HeadersConfig {
    /// Client request headers copied onto every subgraph request (case-insensitive).
    pub forward: Vec<String>,
    /// Append the client's address to `X-Forwarded-For` on every subgraph request,
    /// as a reverse proxy does, so subgraphs can limit per client (they should
    /// believe the header only from the router's address).
    pub forward_client_address: bool,
    /// Rules for every subgraph request, applied in order after `forward` and
    /// the client's address: `propagate` (client headers by `named` with
    /// optional `rename`/`default`, or `matching` a regular expression),
    /// `insert` (`name`, `value`), `remove` (`named` or `matching`).
    pub all: Vec<HeaderRule>,
    /// Rules for one subgraph's requests, by subgraph name, after `all`.
    pub subgraphs: BTreeMap<String, Vec<HeaderRule>>,
    /// Subgraph response headers that reach the client: none unless a rule
    /// lets them through, by `named` (optionally `rename`d) or `matching`,
    /// optionally only from some `subgraphs`, combined by `algorithm` (`first`,
    /// `last` or `append`). Headers the router sets itself are never replaced.
    pub response: Vec<ResponseHeaderRule>,
}

impl Default for HeadersConfig {
    fn default() -> Self {
        Self {
            forward: vec!["authorization".to_owned()],
            forward_client_address: true,
            all: Vec::new(),
            subgraphs: BTreeMap::new(),
            response: Vec::new(),
        }
    }
}

/// Cross-origin requests. With no origins listed, only same-origin browser pages
/// can read responses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CorsConfig {
    /// Exact origins (scheme://host[:port]) allowed to call the router; `*` allows
    /// any origin (not combinable with `allow_credentials`).
    pub allow_origins: Vec<String>,
    /// Whether browsers may send cookies / HTTP auth cross-origin.
    pub allow_credentials: bool,
}

/// Cross-site request forgery prevention, as Apollo Router's `csrf` plugin: a
/// request that a browser could send cross-origin without a CORS preflight (a GET,
/// or a POST whose content type is not JSON) is refused unless it carries one of
/// `required_headers`, which no "simple" cross-origin request can set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct CsrfConfig {
    pub enabled: bool,
    pub required_headers: Vec<String>,
}

impl Default for CsrfConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            required_headers: vec![
                "x-apollo-operation-name".to_owned(),
                "apollo-require-preflight".to_owned(),
                "x-switchyard-csrf".to_owned(),
            ],
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PlanCacheConfig {
    /// Most query plans kept (least recently used are evicted). 0 disables the
    /// cache.
    pub capacity: usize,
    /// Most estimated bytes of the cached plans and their operation documents
    /// together (least recently used are evicted; an operation larger than the
    /// whole bound is not cached). 0 disables the cache.
    pub max_bytes: usize,
}

impl Default for PlanCacheConfig {
    fn default() -> Self {
        Self {
            capacity: 512,
            max_bytes: 64 * 1024 * 1024,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct PlannerConfig {
    /// Bound on planning one operation, in milliseconds.
    pub time_limit_ms: u64,
}

impl Default for PlannerConfig {
    fn default() -> Self {
        Self {
            time_limit_ms: 2_000,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct TrafficShapingConfig {
    /// Identical in-flight subgraph queries (same subgraph, body and forwarded
    /// headers) share one HTTP request. Never applies to mutations.
    pub dedup: bool,
}

impl Default for TrafficShapingConfig {
    fn default() -> Self {
        Self { dedup: true }
    }
}

/// Progressive `@override(label:)` switches. A `percent(N)` label is drawn per
/// request (on for N% of requests); any other label is off unless enabled here.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct OverrideLabelsConfig {
    /// Labels on for every request. A `percent(N)` label listed here is on for
    /// every request too.
    pub enabled: Vec<String>,
    /// Name of a request header (for example `x-switchyard-override-labels`) whose
    /// comma-separated labels are switched on for that request, besides `enabled`
    /// and the drawn `percent(N)` labels. Unset (the default): no header is read.
    /// The header is a switch in the client's hands (it moves fields to the new
    /// subgraph before the rollout reaches them): set it only when the clients are
    /// trusted, or when a proxy in front of the router removes or sets the header.
    /// Labels the supergraph does not use are ignored.
    pub header: Option<String>,
}

/// Per-client rate limiting of `/graphql`. Off by default (no `per_client`).
/// A client over its limit gets HTTP 429 with `Retry-After` and the error code
/// `RATE_LIMITED`. `/health` is never limited.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct RateLimitConfig {
    /// Requests a client may send per period: `"100/1s"` (a count, a slash and a
    /// duration such as `500ms`, `1s`, `1m`, `1h`) or `{requests, period_ms}`. A
    /// client may send `requests` at once, then one more every `period / requests`.
    pub per_client: Option<PerClientLimit>,
    /// What a client is: `client_address` (default) or `subject`.
    pub key: RateLimitKey,
    /// Reverse proxies (CIDRs such as `10.0.0.0/8` or `192.0.2.7/32`) whose
    /// `X-Forwarded-For` is believed: when the connecting peer is one of them, the
    /// client's address is the right-most address of `X-Forwarded-For` that is
    /// not a trusted proxy (what a client wrote to the left of it changes
    /// nothing). Empty (default): the client's address is the connecting peer.
    pub trusted_proxies: Vec<String>,
}

/// A number of requests per period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum PerClientLimit {
    /// `COUNT/DURATION`, e.g. `100/1s` or `1000/1m`.
    Text(String),
    Fields(RequestsPerPeriod),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequestsPerPeriod {
    pub requests: u32,
    pub period_ms: u64,
}

impl PerClientLimit {
    /// The count (at least 1) and the period (positive).
    pub fn parse(&self) -> Result<(NonZeroU32, Duration), String> {
        let (requests, period) = match self {
            PerClientLimit::Text(text) => {
                let invalid = || {
                    format!("rate_limit.per_client {text:?} is not COUNT/DURATION (e.g. 100/1s)")
                };
                let (count, period) = text.split_once('/').ok_or_else(invalid)?;
                let count: u32 = count.trim().parse().map_err(|_| invalid())?;
                let period = humantime::parse_duration(period.trim()).map_err(|_| invalid())?;
                (count, period)
            }
            PerClientLimit::Fields(fields) => {
                (fields.requests, Duration::from_millis(fields.period_ms))
            }
        };
        let requests = NonZeroU32::new(requests)
            .ok_or_else(|| "rate_limit.per_client: the count must be at least 1".to_owned())?;
        if period.is_zero() {
            return Err("rate_limit.per_client: the period must be positive".into());
        }
        Ok((requests, period))
    }
}

impl RateLimitConfig {
    /// `trusted_proxies` parsed; an error names the entry that is not a CIDR (a
    /// bare address is taken as a single host).
    pub fn trusted_proxies(&self) -> Result<Vec<ipnet::IpNet>, String> {
        self.trusted_proxies
            .iter()
            .map(|entry| {
                let text = entry.trim();
                text.parse::<ipnet::IpNet>()
                    .or_else(|_| text.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| {
                        format!(
                            "rate_limit.trusted_proxies: {entry:?} is not a CIDR (e.g. 10.0.0.0/8)"
                        )
                    })
            })
            .collect()
    }
}

/// What identifies a client for rate limiting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RateLimitKey {
    /// The address the client connects from (the TCP peer, or the address a
    /// trusted proxy names; an IPv6 client by its /64 network, which one host
    /// usually holds whole). Behind a reverse proxy that is not in
    /// `trusted_proxies` every client shares the proxy's address. Checked before
    /// the token is verified. Also accepted as `address`.
    #[default]
    #[serde(alias = "address")]
    ClientAddress,
    /// The verified token's subject (`sub`, per issuer `iss`), so each user has a
    /// budget wherever they connect from; requests without a token (or whose
    /// token has no `sub`) are counted by client address, and so are requests
    /// whose token does not verify (they are then refused with 401, or 429 when
    /// that address is over its limit). Needs `authentication.jwt`: the token is
    /// verified before the limit is checked.
    Subject,
}

/// Who the client is. Off unless a section below is given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct AuthenticationConfig {
    /// JWT authentication: a request with no token is served anonymously; one
    /// with a token that does not verify gets HTTP 401 (`UNAUTHENTICATED`) and no
    /// subgraph is called; a valid token's claims are kept with the request. The
    /// token (its header) is still forwarded to subgraphs as `headers.forward`
    /// says.
    pub jwt: Option<JwtConfig>,
}

/// JWT verification against public keys published as JSON Web Key Sets.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwtConfig {
    /// Where the verification keys come from (at least one). A token names its
    /// key by `kid`; a token without `kid` is tried against every key of its
    /// algorithm.
    pub jwks: Vec<JwksSource>,
    /// Signing algorithms accepted (the token header's `alg`). Symmetric (HS*)
    /// algorithms are not supported.
    #[serde(default = "JwtConfig::default_algorithms")]
    pub algorithms: Vec<JwtAlgorithm>,
    /// Accepted `iss` values; empty accepts any issuer (and none).
    #[serde(default)]
    pub issuers: Vec<String>,
    /// Accepted `aud` values (a token must name one of them); empty does not
    /// check the audience.
    #[serde(default)]
    pub audiences: Vec<String>,
    /// Clock skew tolerated on `exp` and `nbf`, in seconds.
    #[serde(default = "JwtConfig::default_leeway_secs")]
    pub leeway_secs: u64,
    /// The request header the token is read from.
    #[serde(default)]
    pub header: JwtHeaderConfig,
    /// A cookie the token is read from when the header carries none. Unset: no
    /// cookie is read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookie: Option<String>,
    /// Verified tokens remembered (by their SHA-256), so that a token seen again
    /// is not verified again: its claims are reused until its `exp` (plus
    /// `leeway_secs`) passes or the key sets change. Least recently used are
    /// forgotten first; 0 verifies every request.
    #[serde(default = "JwtConfig::default_cache_size")]
    pub cache_size: usize,
}

impl JwtConfig {
    /// Verification against `jwks` with every other setting at its default.
    pub fn new(jwks: Vec<JwksSource>) -> Self {
        JwtConfig {
            jwks,
            algorithms: Self::default_algorithms(),
            issuers: Vec::new(),
            audiences: Vec::new(),
            leeway_secs: Self::default_leeway_secs(),
            header: JwtHeaderConfig::default(),
            cookie: None,
            cache_size: Self::default_cache_size(),
        }
    }

    fn default_algorithms() -> Vec<JwtAlgorithm> {
        vec![
            JwtAlgorithm::EdDSA,
            JwtAlgorithm::RS256,
            JwtAlgorithm::RS384,
            JwtAlgorithm::RS512,
            JwtAlgorithm::PS256,
            JwtAlgorithm::PS384,
            JwtAlgorithm::PS512,
            JwtAlgorithm::ES256,
            JwtAlgorithm::ES384,
        ]
    }

    fn default_leeway_secs() -> u64 {
        60
    }

    fn default_cache_size() -> usize {
        10_000
    }
}

/// One JSON Web Key Set: fetched from a URL (at start, then every
/// `refresh_interval_secs`, and when a token names an unknown key), or read once
/// from a file at start.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum JwksSource {
    Url(JwksUrl),
    File(JwksFile),
}

/// A JWKS fetched over HTTP.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwksUrl {
    /// URL of the JWKS (for example `https://issuer/.well-known/jwks.json`).
    pub url: String,
    /// Seconds between background refetches.
    #[serde(default = "JwksUrl::default_refresh_interval_secs")]
    pub refresh_interval_secs: u64,
}

impl JwksUrl {
    /// `url`, refreshed at the default interval.
    pub fn new(url: impl Into<String>) -> Self {
        JwksUrl {
            url: url.into(),
            refresh_interval_secs: Self::default_refresh_interval_secs(),
        }
    }

    fn default_refresh_interval_secs() -> u64 {
        300
    }

    pub fn refresh_interval(&self) -> Duration {
        Duration::from_secs(self.refresh_interval_secs)
    }
}

/// A JWKS read from a file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct JwksFile {
    /// Path of a JWKS file (relative to the config file). Read at start only; a
    /// file that cannot be read or parsed stops the router from starting.
    pub file: PathBuf,
}

/// A JWS signing algorithm (asymmetric).
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum JwtAlgorithm {
    EdDSA,
    RS256,
    RS384,
    RS512,
    PS256,
    PS384,
    PS512,
    ES256,
    ES384,
}

/// Where in the request the token is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct JwtHeaderConfig {
    /// Header name (case-insensitive).
    pub name: String,
    /// Scheme before the token (`Bearer <token>`), compared case-insensitively;
    /// empty: the whole value is the token. A header with another scheme (say
    /// `Basic`) is not a JWT: the request stays anonymous.
    pub prefix: String,
}

impl Default for JwtHeaderConfig {
    fn default() -> Self {
        Self {
            name: "authorization".to_owned(),
            prefix: "Bearer".to_owned(),
        }
    }
}

/// Parses a YAML config file's text. Errors name the line and column and stay
/// on one line (no source snippet): they end up in an operator's log.
pub fn parse_yaml<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, serde_saphyr::Error> {
    let mut options = serde_saphyr::Options::default();
    options.with_snippet = false;
    serde_saphyr::from_str_with_options(text, options)
}

impl RouterConfig {
    /// Parses YAML text; `base_dir` resolves relative file paths inside it.
    pub fn from_yaml(text: &str, base_dir: &Path) -> Result<Self, serde_saphyr::Error> {
        // An empty file is an empty mapping, i.e. all defaults.
        let mut config: RouterConfig = if text.trim().is_empty() {
            RouterConfig::default()
        } else {
            parse_yaml(text)?
        };
        config.resolve_paths(base_dir);
        Ok(config)
    }

    /// Reads and checks a YAML config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        let base_dir = path.parent().unwrap_or(Path::new("."));
        let config = Self::from_yaml(&text, base_dir).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source: Box::new(source),
        })?;
        config.check()?;
        Ok(config)
    }

    /// Checks constraints that the types alone cannot express.
    pub fn check(&self) -> Result<(), ConfigError> {
        if self.supergraph.is_some() && !self.subgraphs.is_empty() {
            return Err(ConfigError::Invalid(
                "`supergraph` and `subgraphs` are exclusive: give one supergraph source".into(),
            ));
        }
        if self.cors.allow_credentials && self.cors.allow_origins.iter().any(|o| o == "*") {
            return Err(ConfigError::Invalid(
                "cors: `allow_credentials` cannot be combined with the `*` origin".into(),
            ));
        }
        for origin in &self.cors.allow_origins {
            if origin != "*" && http::HeaderValue::from_str(origin).is_err() {
                return Err(ConfigError::Invalid(format!(
                    "cors: origin {origin:?} is not a valid header value"
                )));
            }
        }
        for name in self
            .headers
            .forward
            .iter()
            .chain(&self.csrf.required_headers)
            .chain(&self.override_labels.header)
        {
            if http::HeaderName::from_bytes(name.as_bytes()).is_err() {
                return Err(ConfigError::Invalid(format!(
                    "{name:?} is not a valid HTTP header name"
                )));
            }
        }
        crate::header_rules::HeaderRules::new(&self.headers.all, &self.headers.subgraphs)
            .map_err(ConfigError::Invalid)?;
        ResponseHeaderRules::new(&self.headers.response).map_err(ConfigError::Invalid)?;
        for (name, rule) in &self.authorization.policies {
            rule.check(&format!("authorization.policies.{name}"))
                .map_err(ConfigError::Invalid)?;
        }
        if self.timeouts.subgraph_request_ms == 0 || self.timeouts.request_ms == 0 {
            return Err(ConfigError::Invalid("timeouts must be positive".into()));
        }
        if self.server.header_read_timeout_ms == 0 || self.server.body_read_timeout_ms == 0 {
            return Err(ConfigError::Invalid(
                "server: read timeouts must be positive".into(),
            ));
        }
        if self.server.max_connections == 0 {
            return Err(ConfigError::Invalid(
                "server: max_connections must be positive".into(),
            ));
        }
        if let Some(limit) = &self.rate_limit.per_client {
            limit.parse().map_err(ConfigError::Invalid)?;
        }
        self.rate_limit
            .trusted_proxies()
            .map_err(ConfigError::Invalid)?;
        if self.rate_limit.key == RateLimitKey::Subject && self.authentication.jwt.is_none() {
            return Err(ConfigError::Invalid(
                "rate_limit.key `subject` needs authentication.jwt (there is no verified subject \
                 without it)"
                    .into(),
            ));
        }
        if let Some(jwt) = &self.authentication.jwt {
            jwt.check()?;
        }
        let metrics = &self.telemetry.metrics;
        if metrics.enabled {
            let plain = |c: char| c.is_ascii_alphanumeric() || "/-_.".contains(c);
            if !metrics.path.starts_with('/')
                || metrics.path.len() < 2
                || metrics.path.contains("//")
                || !metrics.path.chars().all(plain)
            {
                return Err(ConfigError::Invalid(format!(
                    "telemetry.metrics.path {:?} must be a plain path such as /metrics (letters, \
                     digits, / - _ .)",
                    metrics.path
                )));
            }
            if metrics.listen == self.listen && metrics.listen.port() != 0 {
                return Err(ConfigError::Invalid(format!(
                    "telemetry.metrics.listen {} is the GraphQL `listen` address: metrics are \
                     served on a listener of their own",
                    metrics.listen
                )));
            }
        }
        // Checked even when off: a wrong value is wrong before it is turned on.
        self.telemetry
            .tracing
            .settings()
            .check()
            .map_err(|message| ConfigError::Invalid(format!("telemetry.tracing: {message}")))?;
        // Checked even when the playground is off, like tracing above.
        self.playground.settings().map_err(ConfigError::Invalid)?;
        let apq = &self.persisted_queries.apq;
        if apq.enabled && apq.cache_size == 0 {
            return Err(ConfigError::Invalid(
                "persisted_queries.apq.cache_size must be positive".into(),
            ));
        }
        if apq.enabled && apq.redis_url.is_some() && apq.redis_ttl_secs == 0 {
            return Err(ConfigError::Invalid(
                "persisted_queries.apq.redis_ttl_secs must be positive".into(),
            ));
        }
        Ok(())
    }

    fn resolve_paths(&mut self, base_dir: &Path) {
        if let Some(path) = &mut self.supergraph {
            resolve_path(path, base_dir);
        }
        for subgraph in &mut self.subgraphs {
            subgraph.resolve_schema_path(base_dir);
        }
        if let Some(jwt) = &mut self.authentication.jwt {
            for source in &mut jwt.jwks {
                if let JwksSource::File(source) = source {
                    resolve_path(&mut source.file, base_dir);
                }
            }
        }
        if let Some(manifest) = &mut self.persisted_queries.manifest {
            resolve_path(&mut manifest.path, base_dir);
        }
    }

    /// The JSON Schema of the configuration file, pretty-printed.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(RouterConfig);
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    }
}

impl JwtConfig {
    fn check(&self) -> Result<(), ConfigError> {
        let invalid = |message: &str| {
            Err(ConfigError::Invalid(format!(
                "authentication.jwt: {message}"
            )))
        };
        if self.jwks.is_empty() {
            return invalid("`jwks` needs at least one key set");
        }
        if self.algorithms.is_empty() {
            return invalid("`algorithms` needs at least one algorithm");
        }
        for source in &self.jwks {
            if let JwksSource::Url(JwksUrl {
                url,
                refresh_interval_secs,
            }) = source
            {
                if *refresh_interval_secs == 0 {
                    return invalid("`refresh_interval_secs` must be positive");
                }
                if !(url.starts_with("http://") || url.starts_with("https://")) {
                    return invalid(&format!("JWKS URL {url:?} is not an http(s) URL"));
                }
            }
        }
        if http::HeaderName::from_bytes(self.header.name.as_bytes()).is_err() {
            return invalid(&format!(
                "{:?} is not a valid HTTP header name",
                self.header.name
            ));
        }
        if self.cookie.as_deref().is_some_and(str::is_empty) {
            return invalid("`cookie` must not be empty");
        }
        Ok(())
    }
}
