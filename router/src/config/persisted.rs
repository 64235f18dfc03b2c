//! Persisted documents: APQ and the trusted-documents manifest (`persisted_queries`).

use std::path::PathBuf;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

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
