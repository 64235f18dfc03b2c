//! The HTTP client that carries fetches to subgraphs.
//!
//! One `reqwest::Client` is shared by every request so connections are pooled and
//! kept alive (a federated query is many small requests to the same few hosts;
//! new TCP connections would dominate latency). Identical in-flight queries are
//! deduplicated: under load many clients ask the same thing at once, and the
//! subgraphs only need to answer it once.
//!
//! With tracing on, each fetch has a span, and the request carries the trace on
//! (`traceparent`). That header names the fetch's span, different for every
//! client request, so it is kept out of what deduplicates requests: a shared
//! request carries the trace of the client request that started it, and the
//! others' fetch spans say they were deduplicated.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures::FutureExt;
use futures::future::{BoxFuture, WeakShared};
use http::{HeaderMap, HeaderName, HeaderValue};
use switchyard_executor::{
    FetchError, Fetched, SubgraphFetcher, SubgraphRequest, SubgraphResponse,
};
use switchyard_planner::plan::OperationKind;
use tracing::{Instrument, Span};

use crate::response_headers::{CollectedHeaders, KeptHeaders, ResponseHeaderRules};
use crate::telemetry::metrics::{RouterMetrics, SubgraphMetrics};
use crate::telemetry::traces::RequestTrace;

/// What subgraph requests share when deduplicated: same subgraph, byte-identical
/// body and the same forwarded headers (which may change the answer).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct DedupKey {
    subgraph: String,
    /// Shared with the request that is sent, not copied.
    body: Bytes,
    headers: Vec<(HeaderName, HeaderValue)>,
}

type FetchFuture = BoxFuture<'static, Result<Reply, FetchError>>;

/// A subgraph's answer: its GraphQL response, and the response headers that
/// `headers.response` lets through to the client (usually none).
#[derive(Debug, Clone)]
pub struct Reply {
    /// Shared (not copied) among the requests a deduplicated fetch answers.
    pub response: Fetched,
    pub headers: KeptHeaders,
}

impl Reply {
    /// The reply as a deduplicated fetch hands it to each of its requests: the
    /// response behind an `Arc`, so that handing it over copies nothing.
    fn shared(self) -> Self {
        let response = match self.response {
            Fetched::Owned(response) => Fetched::Shared(Arc::new(response)),
            shared => shared,
        };
        Reply { response, ..self }
    }

    /// Owned again when no other request holds the response (the last one to
    /// take it), so it is merged by moving instead of copying.
    fn owned_if_alone(self) -> Self {
        let response = match self.response {
            Fetched::Shared(response) => match Arc::try_unwrap(response) {
                Ok(response) => Fetched::Owned(response),
                Err(response) => Fetched::Shared(response),
            },
            owned => owned,
        };
        Reply { response, ..self }
    }
}

/// An in-flight request as the dedup map holds it: only a weak handle, so the
/// request lives exactly as long as some client waits on it. The id tells this
/// request apart from a later one under the same key.
struct InFlight {
    id: u64,
    fetch: WeakShared<FetchFuture>,
}

type InFlightMap = Mutex<HashMap<DedupKey, InFlight, foldhash::fast::RandomState>>;

/// Owned by a shared request's future: removes its map entry when the future
/// is dropped, whether it completed or every client waiting on it went away
/// (cancelled, timed out). Without it a cancelled request stayed in the map: the
/// next identical query got the stale request, whose timeout had passed.
struct InFlightGuard {
    inner: Arc<Inner>,
    key: DedupKey,
    id: u64,
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        let mut in_flight = lock(&self.inner.in_flight);
        // A later request under the same key may have replaced this one.
        if in_flight
            .get(&self.key)
            .is_some_and(|entry| entry.id == self.id)
        {
            in_flight.remove(&self.key);
        }
    }
}

/// Settings of the subgraph client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphClientOptions {
    /// Bound on one subgraph request, connection included.
    pub timeout: Duration,
    /// Whether identical in-flight queries share one request.
    pub dedup: bool,
    /// Which response headers are kept for the client (`headers.response`).
    pub response_headers: Arc<ResponseHeaderRules>,
}

/// A subgraph URL that could not be used.
#[derive(Debug, thiserror::Error)]
#[error("subgraph '{subgraph}' has an invalid URL {url:?}: {reason}")]
pub struct InvalidSubgraphUrl {
    pub subgraph: String,
    pub url: String,
    pub reason: String,
}

/// The client could not be built.
#[derive(Debug, thiserror::Error)]
pub enum SubgraphClientError {
    #[error(transparent)]
    InvalidUrl(#[from] InvalidSubgraphUrl),
    #[error("cannot build the HTTP client: {0}")]
    Build(String),
}

type FetchClient = hyper_util::client::legacy::Client<
    hyper_util::client::legacy::connect::HttpConnector,
    http_body_util::Full<Bytes>,
>;

/// Where a subgraph's fetches go, parsed once.
struct Target {
    url: reqwest::Url,
    /// The same URL as hyper takes it (cloning it shares its bytes).
    uri: http::Uri,
    metrics: Arc<SubgraphMetrics>,
}

/// Idle pooled connections to a subgraph are closed after this long.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(90);
/// TCP keep-alive probes on subgraph connections.
const TCP_KEEPALIVE: Duration = Duration::from_secs(60);
/// Idle connections kept per subgraph: enough for every fetch of a busy
/// router to find one (a new connection costs more than the request).
const POOL_MAX_IDLE_PER_HOST: usize = 1024;

fn fetch_client() -> FetchClient {
    let mut connector = hyper_util::client::legacy::connect::HttpConnector::new();
    connector.set_nodelay(true);
    connector.set_keepalive(Some(TCP_KEEPALIVE));
    connector.enforce_http(true);
    hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
        .pool_timer(hyper_util::rt::TokioTimer::new())
        .pool_idle_timeout(POOL_IDLE_TIMEOUT)
        .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
        .build(connector)
}

/// Sends subgraph requests; cheap to clone (all state is shared).
#[derive(Clone)]
pub struct SubgraphClient {
    inner: Arc<Inner>,
}

struct Inner {
    /// Carries subgraph event streams (SSE), which need reqwest's streaming
    /// body API.
    http: reqwest::Client,
    /// Carries fetches: hyper's pooled client without reqwest's layer, so a
    /// fetch parses no URL and builds no redirect or proxy state (both showed in
    /// profiles of small requests).
    fetches: FetchClient,
    /// Each subgraph's routing URL and its metrics.
    urls: HashMap<String, Target>,
    options: SubgraphClientOptions,
    /// Keyed with foldhash: request bodies are kilobytes, and SipHash over them
    /// showed in profiles; foldhash is seeded per process, so still not
    /// predictable from outside.
    in_flight: InFlightMap,
    /// Ids of shared requests, to tell one from a later one under the same key.
    next_id: AtomicU64,
}

impl SubgraphClient {
    /// `urls` maps each subgraph name to its routing URL.
    pub fn new(
        urls: impl IntoIterator<Item = (String, String)>,
        options: SubgraphClientOptions,
    ) -> Result<Self, SubgraphClientError> {
        Self::with_metrics(urls, options, None)
    }

    /// Like [`Self::new`], recording each request in `metrics`.
    pub fn with_metrics(
        urls: impl IntoIterator<Item = (String, String)>,
        options: SubgraphClientOptions,
        metrics: Option<&RouterMetrics>,
    ) -> Result<Self, SubgraphClientError> {
        let mut parsed = HashMap::new();
        for (subgraph, url) in urls {
            let parsed_url = reqwest::Url::parse(&url).map_err(|e| InvalidSubgraphUrl {
                subgraph: subgraph.clone(),
                url: url.clone(),
                reason: e.to_string(),
            })?;
            // The client is built without TLS: subgraphs sit on the private network
            // next to the router, and TLS is terminated in front of it.
            if parsed_url.scheme() != "http" {
                return Err(InvalidSubgraphUrl {
                    subgraph,
                    url,
                    reason: "only http:// URLs are supported".into(),
                }
                .into());
            }
            let uri = http::Uri::try_from(parsed_url.as_str()).map_err(|e| InvalidSubgraphUrl {
                subgraph: subgraph.clone(),
                url: url.clone(),
                reason: e.to_string(),
            })?;
            let subgraph_metrics = match metrics {
                Some(metrics) => metrics.subgraph(&subgraph),
                None => Arc::new(SubgraphMetrics::unregistered()),
            };
            parsed.insert(
                subgraph,
                Target {
                    url: parsed_url,
                    uri,
                    metrics: subgraph_metrics,
                },
            );
        }
        let http = reqwest::Client::builder()
            .pool_max_idle_per_host(POOL_MAX_IDLE_PER_HOST)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .tcp_nodelay(true)
            .tcp_keepalive(TCP_KEEPALIVE)
            .build()
            .map_err(|e| SubgraphClientError::Build(e.to_string()))?;
        Ok(Self {
            inner: Arc::new(Inner {
                http,
                fetches: fetch_client(),
                urls: parsed,
                options,
                in_flight: Mutex::new(HashMap::default()),
                next_id: AtomicU64::new(0),
            }),
        })
    }

    /// Whether this client sends to exactly these subgraphs at these URLs with
    /// these settings: a reload that changes none of them keeps the client
    /// (its pooled connections and its requests in flight).
    pub fn serves(&self, urls: &[(String, String)], options: &SubgraphClientOptions) -> bool {
        self.inner.options == *options
            && self.inner.urls.len() == urls.len()
            && urls.iter().all(|(name, url)| {
                self.inner
                    .urls
                    .get(name)
                    .is_some_and(|known| reqwest::Url::parse(url).is_ok_and(|u| u == known.url))
            })
    }

    /// The HTTP client, for the requests that are not fetches (subgraph
    /// event streams), so they share its connection pool.
    pub(crate) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The routing URL of a subgraph.
    pub fn url(&self, subgraph: &str) -> Option<&reqwest::Url> {
        self.inner.urls.get(subgraph).map(|target| &target.url)
    }

    /// Sends one operation to a subgraph and parses its GraphQL response.
    /// `dedupable` must be false for mutations: each mutation must reach the
    /// subgraph exactly as often as the client sent it.
    pub async fn fetch(
        &self,
        subgraph: &str,
        request: SubgraphRequest<'_>,
        headers: &[(HeaderName, HeaderValue)],
        dedupable: bool,
    ) -> Result<Reply, FetchError> {
        self.fetch_carrying(subgraph, request, headers, dedupable, Vec::new())
            .await
    }

    /// [`Self::fetch`] without a span of its own, carrying `trace` (the
    /// `traceparent` of a request that is not sampled, so the subgraph makes the
    /// same decision).
    pub async fn fetch_carrying(
        &self,
        subgraph: &str,
        request: SubgraphRequest<'_>,
        headers: &[(HeaderName, HeaderValue)],
        dedupable: bool,
        trace: Vec<(HeaderName, HeaderValue)>,
    ) -> Result<Reply, FetchError> {
        let outgoing = Outgoing {
            headers,
            trace,
            span: Span::none(),
        };
        self.send_outgoing(subgraph, request, outgoing, dedupable)
            .await
    }

    /// [`Self::fetch`], recorded in the fetch's `span` (status, response size),
    /// whose trace context the request carries.
    pub async fn fetch_in_span(
        &self,
        subgraph: &str,
        request: SubgraphRequest<'_>,
        headers: &[(HeaderName, HeaderValue)],
        dedupable: bool,
        span: &Span,
    ) -> Result<Reply, FetchError> {
        let outgoing = Outgoing {
            headers,
            trace: switchyard_telemetry::propagation::headers_for(span),
            span: span.clone(),
        };
        self.send_outgoing(subgraph, request, outgoing, dedupable)
            .await
    }

    /// Sends `request` with `outgoing`'s headers and trace context, sharing it
    /// with identical requests in flight when `dedupable`.
    async fn send_outgoing(
        &self,
        subgraph: &str,
        request: SubgraphRequest<'_>,
        outgoing: Outgoing<'_>,
        dedupable: bool,
    ) -> Result<Reply, FetchError> {
        let headers = outgoing.headers;
        let target = self.inner.urls.get(subgraph).ok_or_else(|| {
            FetchError::Transport(format!("no routing URL is known for subgraph '{subgraph}'"))
        })?;
        // Not the whole target: its `reqwest::Url` would copy its string.
        let (uri, metrics) = (target.uri.clone(), target.metrics.clone());
        let body = Bytes::from(request.to_json_bytes());
        // The representations in its variables can be hundreds of objects; the
        // body holds all they say, so they are not kept for the whole wait.
        drop(request);
        if !(dedupable && self.inner.options.dedup) {
            return send(&self.inner, subgraph, uri, body, &outgoing, &metrics).await;
        }
        let key = DedupKey {
            subgraph: subgraph.to_owned(),
            body,
            headers: headers.to_vec(),
        };
        let shared = {
            let mut in_flight = lock(&self.inner.in_flight);
            // An entry whose request is gone (upgrade fails) is about to be removed
            // by its guard; this request replaces it.
            match in_flight.get(&key).and_then(|entry| entry.fetch.upgrade()) {
                Some(shared) => {
                    metrics.record_deduplicated();
                    outgoing.span.record("switchyard.deduplicated", true);
                    shared
                }
                None => {
                    let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
                    // Moved into the future, so dropped with it even when it was
                    // never polled.
                    let guard = InFlightGuard {
                        inner: self.inner.clone(),
                        key: key.clone(),
                        id,
                    };
                    // The trace context is moved in, outside the key.
                    let (trace, span) = (outgoing.trace, outgoing.span);
                    let future: FetchFuture = async move {
                        let guard = guard;
                        let outgoing = Outgoing {
                            headers: &guard.key.headers,
                            trace,
                            span,
                        };
                        send(
                            &guard.inner,
                            &guard.key.subgraph,
                            uri,
                            guard.key.body.clone(),
                            &outgoing,
                            &metrics,
                        )
                        .await
                        .map(Reply::shared)
                    }
                    .boxed();
                    let shared = future.shared();
                    if let Some(fetch) = shared.downgrade() {
                        in_flight.insert(key, InFlight { id, fetch });
                    }
                    shared
                }
            }
        };
        // Later identical requests must go to the subgraph again: the guard drops
        // the entry when the request completes (or when nobody waits any more).
        shared.await.map(Reply::owned_if_alone)
    }

    /// `headers.response`, as this client keeps response headers by it.
    pub fn response_header_rules(&self) -> &ResponseHeaderRules {
        &self.inner.options.response_headers
    }

    /// Number of distinct requests currently in flight through the dedup map.
    pub fn in_flight(&self) -> usize {
        lock(&self.inner.in_flight).len()
    }
}

/// Poisoning only means another request panicked while holding the map; the map
/// itself is still consistent (inserts and removes are single calls).
fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The headers of one subgraph request and the span it is recorded in.
struct Outgoing<'h> {
    /// Forwarded and configured headers (part of the dedup key).
    headers: &'h [(HeaderName, HeaderValue)],
    /// `traceparent` and `tracestate` of the fetch span; empty without tracing.
    trace: Vec<(HeaderName, HeaderValue)>,
    /// The fetch span (`Span::none()` without tracing).
    span: Span,
}

/// Sends one request, and records its time and outcome in `metrics` and its
/// span.
async fn send(
    inner: &Inner,
    subgraph: &str,
    uri: http::Uri,
    body: Bytes,
    outgoing: &Outgoing<'_>,
    metrics: &SubgraphMetrics,
) -> Result<Reply, FetchError> {
    let start = std::time::Instant::now();
    let result = send_unrecorded(inner, subgraph, uri, body, outgoing).await;
    metrics.record(
        start.elapsed(),
        result.as_ref().map(|reply| &*reply.response),
    );
    if result.is_err() {
        outgoing.span.record("otel.status_code", "ERROR");
    }
    result
}

/// The content types a fetch accepts, in order of preference.
const ACCEPTED: HeaderValue =
    HeaderValue::from_static("application/graphql-response+json, application/json");

async fn send_unrecorded(
    inner: &Inner,
    subgraph: &str,
    uri: http::Uri,
    body: Bytes,
    outgoing: &Outgoing<'_>,
) -> Result<Reply, FetchError> {
    let timeout = inner.options.timeout;
    let mut request = http::Request::new(http_body_util::Full::new(body));
    *request.method_mut() = http::Method::POST;
    *request.uri_mut() = uri;
    let headers = request.headers_mut();
    headers.insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(http::header::ACCEPT, ACCEPTED);
    for (name, value) in outgoing.headers {
        // The router's own trace context replaces a client's forwarded one.
        if outgoing.trace.iter().any(|(trace, _)| trace == name) {
            continue;
        }
        headers.append(name.clone(), value.clone());
    }
    for (name, value) in &outgoing.trace {
        headers.append(name.clone(), value.clone());
    }
    // One bound on the whole exchange, connecting and reading the body included.
    let exchange = async {
        let response = inner
            .fetches
            .request(request)
            .await
            .map_err(|e| FetchError::Transport(error_chain(&e)))?;
        let (parts, body) = response.into_parts();
        outgoing
            .span
            .record("http.response.status_code", parts.status.as_u16());
        let kept = inner
            .options
            .response_headers
            .keep(subgraph, &parts.headers);
        let bytes = http_body_util::BodyExt::collect(body)
            .await
            .map_err(|e| FetchError::Transport(error_chain(&e)))?
            .to_bytes();
        Ok::<_, FetchError>((parts.status, kept, bytes))
    };
    let (status, kept, bytes) = tokio::time::timeout(timeout, exchange)
        .await
        .map_err(|_| FetchError::Timeout(timeout))??;
    outgoing
        .span
        .record("http.response.body.size", bytes.len() as u64);
    let fetched = |response| Reply {
        response: Fetched::Owned(response),
        headers: kept,
    };
    match SubgraphResponse::from_slice(&bytes) {
        Ok(parsed) if status.is_success() => Ok(fetched(parsed)),
        // GraphQL over HTTP lets a subgraph answer 4xx/5xx with a GraphQL error
        // body; its errors tell the client more than the bare status.
        Ok(parsed) if !parsed.errors.is_empty() => Ok(fetched(parsed)),
        Ok(_) => Err(FetchError::HttpStatus {
            status: status.as_u16(),
        }),
        Err(_) if !status.is_success() => Err(FetchError::HttpStatus {
            status: status.as_u16(),
        }),
        Err(error) => Err(error),
    }
}

/// An error with its causes, each once: reqwest's top-level message is generic
/// ("error sending request"); the cause ("Connection refused") is what an operator
/// needs. Shared by every place the router reports an HTTP failure.
pub(crate) fn error_chain(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !message.contains(&cause_text) {
            message.push_str(": ");
            message.push_str(&cause_text);
        }
        source = cause.source();
    }
    message
}

/// Picks the client headers that are forwarded to subgraphs, in the configured
/// order (the order is part of the dedup key).
pub fn forwarded_headers(
    client_headers: &HeaderMap,
    forward: &[HeaderName],
) -> Vec<(HeaderName, HeaderValue)> {
    let mut out = Vec::new();
    for name in forward {
        for value in client_headers.get_all(name) {
            out.push((name.clone(), value.clone()));
        }
    }
    out
}

/// The fetcher of one client request: the shared client plus that request's
/// forwarded headers.
pub struct RequestFetcher {
    pub client: SubgraphClient,
    /// Headers of every subgraph request,
    pub headers: Vec<(HeaderName, HeaderValue)>,
    /// except for the subgraphs named here (`headers.subgraphs` rules).
    pub subgraph_headers: Vec<(String, Vec<(HeaderName, HeaderValue)>)>,
    /// Where the response headers kept for the client go (`headers.response`).
    pub response_headers: Option<Arc<CollectedHeaders>>,
    /// Whether each fetch has a span, or carries the request's unsampled
    /// `traceparent`, or neither (`telemetry.tracing`).
    pub trace: RequestTrace,
}

impl RequestFetcher {
    /// The headers this request's fetches to `subgraph` carry.
    pub fn headers_for(&self, subgraph: &str) -> &[(HeaderName, HeaderValue)] {
        self.subgraph_headers
            .iter()
            .find(|(name, _)| name == subgraph)
            .map_or(&self.headers, |(_, headers)| headers)
    }
}

impl SubgraphFetcher for RequestFetcher {
    fn fetch<'a>(
        &'a self,
        subgraph: &'a str,
        request: SubgraphRequest<'a>,
    ) -> BoxFuture<'a, Result<SubgraphResponse, FetchError>> {
        self.fetch_shared(subgraph, request)
            .map(|result| result.map(Fetched::into_owned))
            .boxed()
    }

    fn fetch_shared<'a>(
        &'a self,
        subgraph: &'a str,
        request: SubgraphRequest<'a>,
    ) -> BoxFuture<'a, Result<Fetched, FetchError>> {
        async move {
            // The plan says what kind of operation this is; the text is not parsed
            // (it may start with a comment, and only queries may be shared: the
            // entity fetches that follow a mutation are queries).
            let dedupable = request.operation_kind == OperationKind::Query;
            let headers = self.headers_for(subgraph);
            let fetched = match &self.trace {
                RequestTrace::Spans => {
                    let span = tracing::info_span!(
                        target: "switchyard::subgraph",
                        "subgraph.fetch",
                        otel.name = %format_args!("fetch {subgraph}"),
                        otel.kind = "client",
                        subgraph.name = subgraph,
                        http.response.status_code = tracing::field::Empty,
                        http.response.body.size = tracing::field::Empty,
                        switchyard.deduplicated = tracing::field::Empty,
                        otel.status_code = tracing::field::Empty,
                    );
                    self.client
                        .fetch_in_span(subgraph, request, headers, dedupable, &span)
                        .instrument(span.clone())
                        .await?
                }
                RequestTrace::Carried(trace) => {
                    self.client
                        .fetch_carrying(subgraph, request, headers, dedupable, trace.clone())
                        .await?
                }
                RequestTrace::Off => {
                    self.client
                        .fetch(subgraph, request, headers, dedupable)
                        .await?
                }
            };
            if let Some(collected) = &self.response_headers
                && !fetched.headers.is_empty()
            {
                collected.push(subgraph, fetched.headers);
            }
            Ok(fetched.response)
        }
        .boxed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options() -> SubgraphClientOptions {
        SubgraphClientOptions {
            response_headers: Arc::default(),
            timeout: Duration::from_secs(1),
            dedup: true,
        }
    }

    #[test]
    fn non_http_urls_are_refused() {
        let err = SubgraphClient::new([("a".into(), "ftp://x".into())], options())
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("subgraph 'a' has an invalid URL \"ftp://x\": only http:// URLs are supported")
        );
        assert!(SubgraphClient::new([("a".into(), "not a url".into())], options()).is_err());
    }

    #[test]
    fn forwarded_headers_keep_configured_order() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer t"));
        headers.insert("cookie", HeaderValue::from_static("c=1"));
        let forward = [HeaderName::from_static("authorization")];
        let picked = forwarded_headers(&headers, &forward);
        assert_eq!(picked.len(), 1);
        assert_eq!(picked[0].1, "Bearer t");
    }
}
