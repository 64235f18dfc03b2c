//! JWT authentication at the router (`authentication.jwt` in the config).
//!
//! A request without a token is anonymous; a request whose token does not verify
//! is refused with 401 before anything is planned or fetched; a valid token's
//! claims travel with the request ([`Claims`] in the pipeline's context) for
//! authorization to use.
//!
//! Keys come from JSON Web Key Sets. File sets are read once at start (a bad file
//! stops the start: it is a config mistake). URL sets are fetched in the
//! background: at once, then every `refresh_interval_secs`; a failed fetch is
//! logged and retried (after a few seconds, then on the interval), never fatal, so
//! the router starts while an identity provider is down and tokens are refused
//! (401) until the keys arrive. A token naming an unknown `kid` triggers a refetch
//! too, shared by the requests that wait for it, and rate-limited: after a refetch
//! that did not bring the key, no other such refetch for [`UNKNOWN_KID_BACKOFF`],
//! so forged `kid`s cannot turn into a flood of JWKS requests. No lock is held
//! across an HTTP fetch: a fetch is a shared future that waiters clone, and the
//! key map is swapped in when it is done.
//!
//! Verified tokens are remembered ([`token_cache`], `cache_size`): a token seen
//! again is not verified again until its `exp` passes or the key sets change
//! (each set counts a generation that goes up whenever a fetch installs
//! different keys).

mod token_cache;

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};

use futures::FutureExt;
use futures::future::{BoxFuture, Shared};
use http::{HeaderMap, HeaderName, header};
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::jwk::{AlgorithmParameters, JwkSet};
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use crate::config::{JwksSource, JwtAlgorithm, JwtConfig};
use token_cache::TokenCache;

/// After a refetch triggered by an unknown `kid` that did not bring that key, the
/// next such refetch waits this long.
pub const UNKNOWN_KID_BACKOFF: Duration = Duration::from_secs(10);

/// Retry delay of a failed background fetch (when shorter than the interval).
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);

const FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The verified claims of a request's token.
pub type Claims = Map<String, Value>;

/// Why the router could not set up authentication.
#[derive(Debug, thiserror::Error)]
pub enum AuthenticationError {
    #[error("authentication.jwt: cannot read JWKS file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("authentication.jwt: cannot build the JWKS HTTP client: {0}")]
    Client(String),
}

/// Why a token was refused. The messages never quote the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenRejection {
    #[error("the token is malformed")]
    Malformed,
    #[error("the token's algorithm is not accepted")]
    Algorithm,
    #[error("the token is signed by an unknown key")]
    UnknownKey,
    #[error("the token's signature is invalid")]
    Signature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is not valid yet")]
    NotYetValid,
    #[error("the token's issuer is not accepted")]
    Issuer,
    #[error("the token's audience is not accepted")]
    Audience,
    #[error("the token lacks the claim {0}")]
    MissingClaim(String),
}

/// A key of a set: its decoding key and, when the JWK says, its algorithm.
struct Key {
    decoding: DecodingKey,
    algorithm: Option<Algorithm>,
}

type Keys = HashMap<String, Arc<Key>>;

/// One key set and, for a URL, how it is refetched.
struct Source {
    keys: RwLock<Arc<Keys>>,
    /// Keys without `kid`, tried for tokens without one.
    unnamed: RwLock<Arc<Vec<Arc<Key>>>>,
    /// Goes up (after the keys are swapped) whenever different keys are
    /// installed: cached verifications of an older generation no longer count.
    generation: AtomicU64,
    /// The SHA-256 of the set last installed, to tell a changed set.
    fingerprint: Mutex<Option<[u8; 32]>>,
    url: Option<UrlState>,
}

struct UrlState {
    url: String,
    interval: Duration,
    /// The fetch in progress, shared by whoever needs it.
    in_flight: Mutex<Option<Shared<BoxFuture<'static, bool>>>>,
    /// When a refetch for an unknown kid last came back without it.
    fruitless_at: Mutex<Option<Instant>>,
}

/// Verifies request tokens as `authentication.jwt` says.
pub struct JwtAuthenticator {
    sources: Vec<Arc<Source>>,
    client: reqwest::Client,
    algorithms: Vec<Algorithm>,
    issuers: Vec<String>,
    audiences: Vec<String>,
    leeway: u64,
    header: HeaderName,
    prefix: String,
    cookie: Option<String>,
    cache: Option<TokenCache>,
}

impl JwtAuthenticator {
    /// Reads the file sets and starts fetching the URL sets in the background
    /// (when a Tokio runtime is running; otherwise on the first token).
    pub fn new(config: &JwtConfig) -> Result<Arc<Self>, AuthenticationError> {
        let client = reqwest::Client::builder()
            .timeout(FETCH_TIMEOUT)
            .build()
            .map_err(|e| AuthenticationError::Client(e.to_string()))?;
        let mut sources = Vec::new();
        for source in &config.jwks {
            let source = match source {
                JwksSource::File(file) => {
                    let path = file.file.display().to_string();
                    let failed = |reason: String| AuthenticationError::File {
                        path: path.clone(),
                        reason,
                    };
                    let text =
                        std::fs::read_to_string(&file.file).map_err(|e| failed(e.to_string()))?;
                    let set: JwkSet =
                        serde_json::from_str(&text).map_err(|e| failed(e.to_string()))?;
                    let source = Source::new(None);
                    source.install(&set, &path);
                    source
                }
                JwksSource::Url(url) => Source::new(Some(UrlState {
                    url: url.url.clone(),
                    interval: url.refresh_interval(),
                    in_flight: Mutex::new(None),
                    fruitless_at: Mutex::new(None),
                })),
            };
            sources.push(Arc::new(source));
        }
        let header =
            HeaderName::from_bytes(config.header.name.as_bytes()).unwrap_or(header::AUTHORIZATION);
        let authenticator = Arc::new(Self {
            sources,
            client,
            algorithms: config.algorithms.iter().map(|a| a.algorithm()).collect(),
            issuers: config.issuers.clone(),
            audiences: config.audiences.clone(),
            leeway: config.leeway_secs,
            header,
            prefix: config.header.prefix.clone(),
            cookie: config.cookie.clone(),
            cache: TokenCache::new(config.cache_size, config.leeway_secs),
        });
        if tokio::runtime::Handle::try_current().is_ok() {
            for (index, source) in authenticator.sources.iter().enumerate() {
                if source.url.is_some() {
                    tokio::spawn(refresh_in_background(Arc::downgrade(&authenticator), index));
                }
            }
        }
        Ok(authenticator)
    }

    /// The request's token, if it carries one: from the header (with the
    /// configured scheme), else from the cookie.
    pub fn token<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        if let Some(value) = headers.get(&self.header) {
            let value = value.to_str().unwrap_or("").trim();
            if self.prefix.is_empty() {
                return Some(value);
            }
            if let Some((scheme, token)) = value.split_once(' ')
                && scheme.eq_ignore_ascii_case(&self.prefix)
            {
                return Some(token.trim());
            }
            if value.eq_ignore_ascii_case(&self.prefix) {
                // The scheme and no token.
                return Some("");
            }
        }
        let cookie = self.cookie.as_deref()?;
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(name, _)| *name == cookie)
            .map(|(_, value)| value.trim())
    }

    /// Authenticates a request: `Ok(None)` without a token, the claims of a valid
    /// one, or why it was refused.
    pub async fn authenticate(
        &self,
        headers: &HeaderMap,
    ) -> Result<Option<Arc<Claims>>, TokenRejection> {
        let Some(token) = self.token(headers) else {
            return Ok(None);
        };
        let Some(cache) = &self.cache else {
            return self
                .verify(token)
                .await
                .map(|claims| Some(Arc::new(claims)));
        };
        let hash = token_cache::hash(token);
        // Read before the keys are: if a fetch swaps them meanwhile, the entry
        // carries the older generation and will not count.
        let generation = self.generation();
        let now = jsonwebtoken::get_current_timestamp();
        if let Some(claims) = cache.get(&hash, generation, now) {
            return Ok(Some(claims));
        }
        let claims = Arc::new(self.verify(token).await?);
        cache.insert(hash, claims.clone(), generation, now);
        Ok(Some(claims))
    }

    /// The generation of the key sets: goes up whenever one of them changes.
    fn generation(&self) -> u64 {
        self.sources
            .iter()
            .map(|source| source.generation.load(Ordering::Acquire))
            .sum()
    }

    /// Verified tokens held in the cache.
    pub fn cached_tokens(&self) -> usize {
        self.cache.as_ref().map_or(0, TokenCache::len)
    }

    /// Verifies a token and returns its claims.
    pub async fn verify(&self, token: &str) -> Result<Claims, TokenRejection> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenRejection::Malformed)?;
        if !self.algorithms.contains(&header.alg) {
            return Err(TokenRejection::Algorithm);
        }
        let keys = match &header.kid {
            Some(kid) => match self.key(kid) {
                Some(key) => vec![key],
                None => {
                    self.refresh_for_unknown_kid(kid).await;
                    vec![self.key(kid).ok_or(TokenRejection::UnknownKey)?]
                }
            },
            None => self.unnamed_keys(),
        };
        let keys: Vec<Arc<Key>> = keys
            .into_iter()
            .filter(|key| {
                key.decoding.family() == header.alg.family()
                    && key.algorithm.is_none_or(|alg| alg == header.alg)
            })
            .collect();
        if keys.is_empty() {
            return Err(if header.kid.is_some() {
                TokenRejection::Algorithm
            } else {
                TokenRejection::UnknownKey
            });
        }
        let validation = self.validation(header.alg);
        let mut rejection = TokenRejection::Signature;
        for key in keys {
            match jsonwebtoken::decode::<Claims>(token, &key.decoding, &validation) {
                Ok(data) => return Ok(data.claims),
                Err(error) => rejection = rejection_of(error.kind()),
            }
            if rejection != TokenRejection::Signature {
                // The signature verified: the claims are what failed.
                break;
            }
        }
        Err(rejection)
    }

    fn validation(&self, algorithm: Algorithm) -> Validation {
        let mut validation = Validation::new(algorithm);
        validation.leeway = self.leeway;
        validation.validate_nbf = true;
        let mut required = vec!["exp"];
        if self.issuers.is_empty() {
            validation.iss = None;
        } else {
            validation.set_issuer(&self.issuers);
            required.push("iss");
        }
        if self.audiences.is_empty() {
            validation.validate_aud = false;
        } else {
            validation.set_audience(&self.audiences);
            required.push("aud");
        }
        validation.set_required_spec_claims(&required);
        validation
    }

    fn key(&self, kid: &str) -> Option<Arc<Key>> {
        self.sources.iter().find_map(|source| {
            let keys = source.keys.read().unwrap_or_else(|e| e.into_inner());
            keys.get(kid).cloned()
        })
    }

    fn unnamed_keys(&self) -> Vec<Arc<Key>> {
        let mut all = Vec::new();
        for source in &self.sources {
            all.extend(
                source
                    .unnamed
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .iter()
                    .cloned(),
            );
            all.extend(
                source
                    .keys
                    .read()
                    .unwrap_or_else(|e| e.into_inner())
                    .values()
                    .cloned(),
            );
        }
        all
    }

    /// Refetches the URL sets (joining fetches in progress), unless a refetch for
    /// an unknown kid came back without it moments ago.
    async fn refresh_for_unknown_kid(&self, kid: &str) {
        let mut fetches = Vec::new();
        for source in &self.sources {
            let Some(url) = &source.url else { continue };
            let in_flight = url
                .in_flight
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone();
            let fetch = match in_flight {
                Some(fetch) => fetch,
                None => {
                    let recently_fruitless = url
                        .fruitless_at
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .is_some_and(|at| at.elapsed() < UNKNOWN_KID_BACKOFF);
                    if recently_fruitless {
                        continue;
                    }
                    self.fetch(source)
                }
            };
            fetches.push(fetch);
        }
        if fetches.is_empty() {
            return;
        }
        futures::future::join_all(fetches).await;
        if self.key(kid).is_none() {
            for source in &self.sources {
                if let Some(url) = &source.url {
                    *url.fruitless_at.lock().unwrap_or_else(|e| e.into_inner()) =
                        Some(Instant::now());
                }
            }
        }
    }

    /// The fetch of `source` in progress, or a new one. Resolves to whether it
    /// succeeded.
    fn fetch(&self, source: &Arc<Source>) -> Shared<BoxFuture<'static, bool>> {
        let Some(url) = &source.url else {
            return futures::future::ready(true).boxed().shared();
        };
        let mut in_flight = url.in_flight.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(fetch) = &*in_flight {
            return fetch.clone();
        }
        let client = self.client.clone();
        let fetching = source.clone();
        let fetch = async move {
            let ok = fetching.fetch(&client).await;
            if let Some(url) = &fetching.url {
                *url.in_flight.lock().unwrap_or_else(|e| e.into_inner()) = None;
            }
            ok
        }
        .boxed()
        .shared();
        *in_flight = Some(fetch.clone());
        fetch
    }
}

impl Source {
    fn new(url: Option<UrlState>) -> Self {
        Self {
            keys: RwLock::new(Arc::new(HashMap::new())),
            unnamed: RwLock::new(Arc::new(Vec::new())),
            generation: AtomicU64::new(0),
            fingerprint: Mutex::new(None),
            url,
        }
    }

    /// Fetches the set and swaps it in; false (logged) when that failed.
    async fn fetch(&self, client: &reqwest::Client) -> bool {
        let Some(url) = &self.url else { return true };
        let result = async {
            let response = client
                .get(&url.url)
                .send()
                .await
                .map_err(|e| e.to_string())?;
            if !response.status().is_success() {
                return Err(format!("HTTP {}", response.status()));
            }
            response.json::<JwkSet>().await.map_err(|e| e.to_string())
        }
        .await;
        match result {
            Ok(set) => {
                self.install(&set, &url.url);
                true
            }
            Err(reason) => {
                tracing::warn!(url = %url.url, %reason, "cannot fetch the JWKS");
                false
            }
        }
    }

    /// Replaces the keys with the usable keys of `set` (symmetric and malformed
    /// ones are skipped, logged), unless `set` is the set installed last.
    fn install(&self, set: &JwkSet, origin: &str) {
        let fingerprint: [u8; 32] =
            Sha256::digest(serde_json::to_vec(set).unwrap_or_default()).into();
        let mut installed = self.fingerprint.lock().unwrap_or_else(|e| e.into_inner());
        if *installed == Some(fingerprint) {
            return;
        }
        let mut keys = HashMap::new();
        let mut unnamed = Vec::new();
        for jwk in &set.keys {
            if matches!(jwk.algorithm, AlgorithmParameters::OctetKey(_)) {
                tracing::warn!(origin, "JWKS: symmetric key skipped");
                continue;
            }
            let decoding = match DecodingKey::from_jwk(jwk) {
                Ok(decoding) => decoding,
                Err(error) => {
                    tracing::warn!(origin, %error, "JWKS: unusable key skipped");
                    continue;
                }
            };
            let algorithm = jwk
                .common
                .key_algorithm
                .and_then(|alg| alg.to_string().parse::<Algorithm>().ok());
            let key = Arc::new(Key {
                decoding,
                algorithm,
            });
            match &jwk.common.key_id {
                Some(kid) => {
                    keys.insert(kid.clone(), key);
                }
                None => unnamed.push(key),
            }
        }
        *self.keys.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(keys);
        *self.unnamed.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(unnamed);
        *installed = Some(fingerprint);
        // After the swap: a verification that read the old keys read the old
        // generation first.
        self.generation.fetch_add(1, Ordering::Release);
    }
}

/// Fetches source `index` at once and then on its interval (sooner after a
/// failure), until the authenticator is dropped.
async fn refresh_in_background(authenticator: Weak<JwtAuthenticator>, index: usize) {
    loop {
        let (fetch, interval) = {
            let Some(authenticator) = authenticator.upgrade() else {
                return;
            };
            let source = &authenticator.sources[index];
            let interval = source.url.as_ref().map_or(Duration::MAX, |u| u.interval);
            (authenticator.fetch(source), interval)
        };
        let ok = fetch.await;
        let delay = if ok {
            interval
        } else {
            interval.min(RETRY_AFTER_FAILURE)
        };
        tokio::time::sleep(delay).await;
    }
}

fn rejection_of(kind: &ErrorKind) -> TokenRejection {
    match kind {
        ErrorKind::InvalidSignature => TokenRejection::Signature,
        ErrorKind::ExpiredSignature => TokenRejection::Expired,
        ErrorKind::ImmatureSignature => TokenRejection::NotYetValid,
        ErrorKind::InvalidIssuer => TokenRejection::Issuer,
        ErrorKind::InvalidAudience => TokenRejection::Audience,
        ErrorKind::InvalidAlgorithm | ErrorKind::MissingAlgorithm => TokenRejection::Algorithm,
        ErrorKind::MissingRequiredClaim(claim) => TokenRejection::MissingClaim(claim.clone()),
        _ => TokenRejection::Malformed,
    }
}

impl JwtAlgorithm {
    pub fn algorithm(self) -> Algorithm {
        match self {
            JwtAlgorithm::EdDSA => Algorithm::EdDSA,
            JwtAlgorithm::RS256 => Algorithm::RS256,
            JwtAlgorithm::RS384 => Algorithm::RS384,
            JwtAlgorithm::RS512 => Algorithm::RS512,
            JwtAlgorithm::PS256 => Algorithm::PS256,
            JwtAlgorithm::PS384 => Algorithm::PS384,
            JwtAlgorithm::PS512 => Algorithm::PS512,
            JwtAlgorithm::ES256 => Algorithm::ES256,
            JwtAlgorithm::ES384 => Algorithm::ES384,
        }
    }
}
