//! Persisted documents: operations a client names by id or hash instead of
//! sending their text.
//!
//! - Automatic persisted queries (APQ, Apollo's protocol, on by default): a
//!   client sends `extensions.persistedQuery {version: 1, sha256Hash}`; the
//!   hash alone runs an operation registered before, or answers
//!   `PERSISTED_QUERY_NOT_FOUND` (HTTP 200) so the client sends the text with
//!   the hash, which registers it. Works over GET, so hashed queries can be
//!   cached by a CDN.
//! - Trusted documents (`persisted_queries.manifest`): a manifest of the app's
//!   operations (Apollo's or Relay's format). A listed operation runs by its id
//!   (`extensions.persistedQuery.sha256Hash`, `documentId` or `doc_id`); in
//!   `enforce` mode any other operation text is refused (HTTP 403,
//!   `QUERY_NOT_IN_SAFELIST`) before anything is planned or fetched, and APQ
//!   registers nothing new; in `log_unknown` mode it runs and is logged.
//!
//! [`PersistedDocuments::resolve`] runs before the pipeline and leaves the
//! request with its operation text, or refuses it.

pub mod apq;
pub mod manifest;

use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use http::StatusCode;
use lru::LruCache;
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::config::{ApqConfig, ConfigError, ManifestMode, PersistedQueriesConfig};
use crate::server::graphql_request::{GraphQLRequest, RequestRejection};
pub use apq::ApqStore;
pub use manifest::Manifest;

/// How many distinct unknown operations `log_unknown` remembers having logged.
const LOGGED_UNKNOWN: usize = 10_000;

/// The lowercase hex SHA-256 of `text`.
pub fn sha256_hex(text: &str) -> String {
    use std::fmt::Write;
    Sha256::digest(text.as_bytes())
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// The configured persisted documents of a router.
pub struct PersistedDocuments {
    /// With the settings it was made with: a reload whose settings are the
    /// same keeps the store, and the operations registered in it.
    apq: Option<(Arc<ApqStore>, ApqConfig)>,
    manifest: Option<(Manifest, ManifestMode)>,
    /// Hashes of the unknown operations already logged (`log_unknown`).
    logged: Mutex<LruCache<String, ()>>,
}

/// What a persisted-document refusal looks like to the HTTP layer.
pub type Refusal = RequestRejection;

impl PersistedDocuments {
    /// Reads the manifest and opens the Redis client (no connection yet): a
    /// manifest that cannot be read or parsed, or an invalid Redis URL, stops
    /// the router from starting.
    pub fn new(config: &PersistedQueriesConfig) -> Result<Self, ConfigError> {
        Self::reloaded(config, None)
    }

    /// Like [`Self::new`] for a reload: the APQ store of `previous` is kept
    /// when its settings are unchanged (registered operations are keyed by
    /// their hash, whatever the schema: each is validated against the schema
    /// of the request that runs it). The manifest is read again.
    pub fn reloaded(
        config: &PersistedQueriesConfig,
        previous: Option<&PersistedDocuments>,
    ) -> Result<Self, ConfigError> {
        let kept = previous
            .and_then(|previous| previous.apq.as_ref())
            .filter(|(_, settings)| *settings == config.apq)
            .cloned();
        let apq = if let Some(kept) = kept {
            Some(kept)
        } else if config.apq.enabled {
            let capacity = NonZeroUsize::new(config.apq.cache_size).ok_or_else(|| {
                ConfigError::Invalid("persisted_queries.apq.cache_size must be positive".into())
            })?;
            let redis = match &config.apq.redis_url {
                Some(url) => {
                    let client = redis::Client::open(url.as_str()).map_err(|e| {
                        ConfigError::Invalid(format!("persisted_queries.apq.redis_url: {e}"))
                    })?;
                    Some((client, Duration::from_secs(config.apq.redis_ttl_secs)))
                }
                None => None,
            };
            Some((
                Arc::new(ApqStore::new(capacity, config.apq.cache_max_bytes, redis)),
                config.apq.clone(),
            ))
        } else {
            None
        };
        let manifest = match &config.manifest {
            Some(manifest) => {
                let loaded = Manifest::load(&manifest.path).map_err(|e| {
                    ConfigError::Invalid(format!("persisted_queries.manifest: {e}"))
                })?;
                tracing::info!(
                    operations = loaded.len(),
                    mode = ?manifest.mode,
                    path = %manifest.path.display(),
                    "trusted documents loaded"
                );
                Some((loaded, manifest.mode))
            }
            None => None,
        };
        Ok(PersistedDocuments {
            apq,
            manifest,
            logged: Mutex::new(LruCache::new(
                NonZeroUsize::new(LOGGED_UNKNOWN).unwrap_or(NonZeroUsize::MIN),
            )),
        })
    }

    /// SHA-256 of the manifest file read, when there is a manifest.
    pub fn manifest_hash(&self) -> Option<&str> {
        self.manifest
            .as_ref()
            .map(|(manifest, _)| manifest.file_hash())
    }

    /// The APQ store, when APQ is on.
    pub fn apq(&self) -> Option<&ApqStore> {
        self.apq.as_ref().map(|(store, _)| &**store)
    }

    fn enforced(&self) -> bool {
        matches!(self.manifest, Some((_, ManifestMode::Enforce)))
    }

    /// Gives `request` its operation text (looked up by hash or id), registers
    /// an APQ operation sent with its hash, and applies the manifest; or
    /// refuses the request.
    pub async fn resolve(&self, request: &mut GraphQLRequest) -> Result<(), Refusal> {
        let hash = persisted_query_hash(request)?;
        let id = match (&request.document_id, &hash) {
            (Some(_), Some(_)) => {
                return Err(bad_request(
                    "Send a persisted document's id either as `documentId` or as \
                     `extensions.persistedQuery`, not both",
                ));
            }
            (Some(id), None) => Some(id.clone()),
            (None, hash) => hash.clone(),
        };
        if request.query.is_empty()
            && let Some(id) = id
        {
            // By id or hash alone: the manifest, then APQ.
            if let Some((manifest, _)) = &self.manifest
                && let Some(query) = manifest.get(&id)
            {
                request.query = query.to_string();
                return Ok(());
            }
            if request.document_id.is_some() || self.enforced() || self.apq.is_none() {
                return Err(match &self.manifest {
                    Some(_) => not_in_list(&id),
                    None => not_supported(),
                });
            }
            let Some(query) = self.apq_lookup(&id).await else {
                return Err(Refusal {
                    status: StatusCode::OK,
                    code: "PERSISTED_QUERY_NOT_FOUND",
                    message: "PersistedQueryNotFound".into(),
                });
            };
            request.query = query.to_string();
            self.check_listed(&request.query, &sha256_hex(&request.query))?;
            return Ok(());
        }
        // With its text and nothing to check it against: the common case costs
        // no hashing.
        if id.is_none() && self.manifest.is_none() {
            return Ok(());
        }
        // With its text: listed or not, then registered with its hash.
        let text_hash = sha256_hex(&request.query);
        if let Some(id) = &id {
            let listed_under_id = self
                .manifest
                .as_ref()
                .and_then(|(manifest, _)| manifest.get(id))
                .is_some_and(|listed| *listed == *request.query);
            let hash_matches = request.document_id.is_none() && id.eq_ignore_ascii_case(&text_hash);
            if !listed_under_id && !hash_matches {
                return Err(match request.document_id {
                    Some(_) => bad_request(
                        "The operation text sent with `documentId` is not the one listed under \
                         that id",
                    )
                    .with_code("PERSISTED_QUERY_ID_MISMATCH"),
                    None => bad_request("provided sha does not match query")
                        .with_code("PERSISTED_QUERY_HASH_MISMATCH"),
                });
            }
        }
        self.check_listed(&request.query, &text_hash)?;
        if let (Some(apq), Some(_), None) = (self.apq(), &hash, &request.document_id) {
            apq.put(&text_hash, &request.query).await;
        }
        Ok(())
    }

    async fn apq_lookup(&self, hash: &str) -> Option<Arc<str>> {
        let apq = self.apq()?;
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        apq.get(&hash.to_ascii_lowercase()).await
    }

    /// Applies the manifest to an operation text: refused in `enforce` mode
    /// when unlisted, logged (once per distinct text) in `log_unknown` mode.
    fn check_listed(&self, query: &str, hash: &str) -> Result<(), Refusal> {
        let Some((manifest, mode)) = &self.manifest else {
            return Ok(());
        };
        if manifest.lists(query, hash) {
            return Ok(());
        }
        match mode {
            ManifestMode::Enforce => Err(Refusal {
                status: StatusCode::FORBIDDEN,
                code: "QUERY_NOT_IN_SAFELIST",
                message: "The operation is not in the trusted documents manifest: this router \
                          runs only the operations listed there"
                    .into(),
            }),
            ManifestMode::LogUnknown => {
                let mut logged = self
                    .logged
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if logged.put(hash.to_owned(), ()).is_none() {
                    tracing::warn!(
                        operation_hash = hash,
                        operation_body = %redacted_literals(query),
                        "unknown operation: not in the trusted documents manifest"
                    );
                }
                Ok(())
            }
        }
    }
}

/// `extensions.persistedQuery`'s hash, checked: version 1 and a string hash.
fn persisted_query_hash(request: &GraphQLRequest) -> Result<Option<String>, Refusal> {
    let Some(persisted) = request.extensions.get("persistedQuery") else {
        return Ok(None);
    };
    let Value::Object(persisted) = persisted else {
        return Err(bad_request("`extensions.persistedQuery` must be an object"));
    };
    match persisted.get("version") {
        Some(version) if version.as_u64() == Some(1) => {}
        _ => {
            return Err(bad_request(
                "Unsupported persisted query version: send `extensions.persistedQuery.version: 1`",
            )
            .with_code("PERSISTED_QUERY_VERSION_NOT_SUPPORTED"));
        }
    }
    match persisted.get("sha256Hash") {
        Some(Value::String(hash)) if !hash.is_empty() => Ok(Some(hash.clone())),
        _ => Err(bad_request(
            "`extensions.persistedQuery.sha256Hash` must be a non-empty string",
        )),
    }
}

/// The operation text with the content of every string literal (block strings
/// too) replaced by `…`: an unlisted operation is logged so operators can see
/// what the manifest misses, and literals are where clients put passwords,
/// tokens and card numbers inline.
fn redacted_literals(query: &str) -> String {
    let mut out = String::with_capacity(query.len());
    let mut rest = query;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let (quote, body) = match after.strip_prefix("\"\"\"") {
            Some(body) => ("\"\"\"", body),
            None => ("\"", &after[1..]),
        };
        // The closing quote: the first not escaped by a backslash (a block
        // string escapes only `\"\"\"`, which the same rule skips).
        let mut end = None;
        let mut escaped = false;
        for (index, c) in body.char_indices() {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if body[index..].starts_with(quote) {
                end = Some(index);
                break;
            }
        }
        out.push_str(quote);
        out.push('…');
        out.push_str(quote);
        match end {
            Some(end) => rest = &body[end + quote.len()..],
            // Unterminated: nothing after the quote is shown.
            None => return out,
        }
    }
    out.push_str(rest);
    out
}

fn bad_request(message: &str) -> Refusal {
    RequestRejection::bad_request(message)
}

fn not_in_list(id: &str) -> Refusal {
    Refusal {
        status: StatusCode::NOT_FOUND,
        code: "PERSISTED_QUERY_NOT_IN_LIST",
        message: format!("Persisted query '{id}' not found in the persisted query list"),
    }
}

fn not_supported() -> Refusal {
    Refusal {
        status: StatusCode::OK,
        code: "PERSISTED_QUERY_NOT_SUPPORTED",
        message: "PersistedQueryNotSupported".into(),
    }
}

impl RequestRejection {
    fn with_code(mut self, code: &'static str) -> Self {
        self.code = code;
        self
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn logged_operations_show_no_literal() {
        use super::redacted_literals;
        assert_eq!(
            redacted_literals(r#"mutation { logIn(user: "a@b.c", secret: "p\"w") { token } }"#),
            r#"mutation { logIn(user: "…", secret: "…") { token } }"#
        );
        assert_eq!(
            redacted_literals("{ f(a: \"\"\"card 4242 \"\" x\"\"\", b: 1) }"),
            "{ f(a: \"\"\"…\"\"\", b: 1) }"
        );
        assert_eq!(
            redacted_literals("{ f(a: \"unterminated secret"),
            "{ f(a: \"…\""
        );
        assert_eq!(redacted_literals("{ plain }"), "{ plain }");
    }

    use super::*;

    #[test]
    fn hex_digest() {
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
