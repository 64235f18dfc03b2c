//! The router's typed configuration, read from YAML.
//!
//! Every section has production-safe defaults, so an empty file (or no file at all)
//! is a valid configuration. Unknown keys are rejected (`deny_unknown_fields`): a
//! typo in an operator's config must fail loudly at start, not be ignored. The JSON
//! Schema (`switchyard config-schema`) is generated from these types and held by a
//! snapshot test, so editors can validate config files against it.

use std::collections::BTreeMap;
use std::net::SocketAddr;
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

mod authentication;
mod persisted;
mod playground;
mod rate_limit;
mod subscriptions;
mod telemetry;

pub use authentication::*;
pub use persisted::*;
pub use rate_limit::*;
pub use subscriptions::*;
pub use telemetry::*;

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
    pub subscriptions: SubscriptionsConfig,
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
            subscriptions: SubscriptionsConfig::default(),
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
        self.subscriptions.check().map_err(ConfigError::Invalid)?;
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
