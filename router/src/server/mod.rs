//! The HTTP face of the router: GraphQL over HTTP on `/graphql`, `/health`, the
//! playground, CORS, CSRF prevention, per-client rate limits, body limits and a
//! last-resort panic guard.

pub mod client_address;
pub mod connections;
pub mod cors;
pub mod csrf;
pub mod graphql_request;
pub mod multipart;
pub mod negotiation;
pub mod playground;
pub mod rate_limit;
pub mod response;

use std::convert::Infallible;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{RawQuery, Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use futures::{FutureExt, StreamExt};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use tower_http::trace::TraceLayer;

use crate::authentication::{Claims, TokenRejection};
use crate::header_rules::Headers;
use crate::pipeline::{self, Executed, Rejection, RequestContext};
use crate::response_headers::CollectedHeaders;
use crate::router::{Router, RouterInner};
use crate::subgraph_client::{RequestFetcher, forwarded_headers};
use crate::subscriptions::client_ws::{self, MaybeUpgrade};
use crate::subscriptions::http_stream;
use crate::telemetry::metrics::{RequestOutcome, RequestReport};
use crate::telemetry::traces::{RequestTrace, serialization_span};
use client_address::{PeerAddr, X_FORWARDED_FOR};
use graphql_request::{GraphQLRequest, RequestRejection};
use negotiation::{APPLICATION_JSON, GRAPHQL_RESPONSE_JSON, ResponseFormat, StreamFormat};
use playground::BUILT_IN_PAGE;
use tower::ServiceExt;

/// The request header a client sets to receive the query plan (when the config's
/// `expose_query_plan` allows it): `true` to run the operation and attach its plan,
/// `only` to plan without executing.
pub const PLAN_HEADER: &str = "x-switchyard-plan";

/// The request header a client sets (`true`) to receive a trace of the subgraph
/// requests (when the config's `expose_trace` allows it).
pub const TRACE_HEADER: &str = "x-switchyard-trace";

/// The request header a client sets (`true`) to receive the estimated and actual
/// cost in `extensions.cost` (when `demand_control.expose_cost` allows it).
pub const COST_HEADER: &str = "x-switchyard-cost";

/// A request's token, verified before the handler (by the rate limit keyed by
/// subject): the handler takes these claims instead of verifying again.
#[derive(Debug, Clone)]
pub struct Authenticated(pub Option<Arc<Claims>>);

/// Extractor: what the layers before the handler decided for the request,
/// taken from its extensions; never rejects.
pub struct Earlier {
    /// The request's [`Authenticated`] claims, when its token was verified
    /// before the handler (by the rate limit).
    pub verified: Option<Authenticated>,
    /// How it is traced (`telemetry::request::observe`); off when no layer
    /// decided.
    pub trace: RequestTrace,
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Earlier {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        _: &S,
    ) -> Result<Self, Self::Rejection> {
        Ok(Earlier {
            verified: parts.extensions.remove::<Authenticated>(),
            trace: parts
                .extensions
                .remove::<RequestTrace>()
                .unwrap_or_default(),
        })
    }
}

/// The HTML of the playground page, handed to the snapshot's application with
/// each request (it belongs to the [`Router`] value, not to a snapshot).
#[derive(Clone)]
struct PlaygroundPage(Arc<str>);

/// Builds the axum application of a router: each request is handed to the
/// application of the snapshot current when it arrives ([`snapshot_app`]), and
/// is served by that snapshot until its response is written, whatever reloads
/// happen meanwhile.
pub fn app(router: Router) -> axum::Router {
    let page = PlaygroundPage(router.playground_html.clone());
    let shared = router.shared.clone();
    axum::Router::new()
        .fallback(move |mut request: Request| {
            let snapshot = shared.current.load_full();
            request.extensions_mut().insert(page.clone());
            async move {
                let snapshot_app = snapshot.app.clone();
                // The snapshot lives until the response is written; an
                // `axum::Router` never fails.
                let response = snapshot_app.oneshot(request).await;
                drop(snapshot);
                match response {
                    Ok(response) => response,
                    Err(infallible) => match infallible {},
                }
            }
        })
        .layer(TraceLayer::new_for_http())
}

/// The application of one snapshot: its routes and layers as its config says.
pub(crate) fn snapshot_app(router: Arc<RouterInner>) -> axum::Router {
    let cors = cors::layer(&router.config.cors);
    let app = axum::Router::new()
        .route(
            "/graphql",
            get(graphql_get)
                .post(graphql_post)
                .fallback(method_not_allowed),
        )
        // Only the routes above (`/graphql`): `/health` is never limited.
        .route_layer(axum::middleware::from_fn_with_state(
            router.clone(),
            rate_limit::limit,
        ))
        // Outside the rate limit, so refused requests are counted, logged and
        // traced too.
        .route_layer(axum::middleware::from_fn_with_state(
            router.clone(),
            crate::telemetry::request::observe,
        ));
    let mut app = app.route("/health", get(health));
    if router.config.playground.enabled {
        app = app
            .route("/", get(playground))
            .route("/playground", get(playground))
            .route(playground::SETTINGS_ROUTE, get(playground::settings))
            .route(playground::ASSET_ROUTE, get(playground::asset));
    }
    app.fallback(not_found)
        .with_state(router)
        .layer(axum::middleware::from_fn(catch_panics))
        .layer(cors)
}

/// Attaches how a request ended, for [`crate::telemetry::request::observe`].
fn reported(
    mut response: Response,
    outcome: RequestOutcome,
    operation_name: Option<String>,
) -> Response {
    response.extensions_mut().insert(RequestReport {
        outcome,
        operation_name,
    });
    response
}

/// `UP`, with the hashes of the supergraph SDL and the config being served,
/// so an operator (or a deployment script) sees which schema a reload left.
async fn health(State(router): State<Arc<RouterInner>>) -> Response {
    let body = serde_json::json!({
        "status": "UP",
        "schemaHash": router.schema_hash,
        "configHash": router.config_hash,
    });
    ([(header::CONTENT_TYPE, APPLICATION_JSON)], body.to_string()).into_response()
}

async fn playground(page: Option<axum::Extension<PlaygroundPage>>) -> Response {
    let html = match page {
        Some(axum::Extension(PlaygroundPage(html))) => html.to_string(),
        None => BUILT_IN_PAGE.to_owned(),
    };
    Html(html).into_response()
}

async fn method_not_allowed(headers: HeaderMap) -> Response {
    let mut response = response::error(
        StatusCode::METHOD_NOT_ALLOWED,
        ResponseFormat::from_headers(&headers),
        "/graphql accepts GET (queries only) and POST",
        "METHOD_NOT_ALLOWED",
    );
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, POST"));
    response
}

/// Any other path: a GraphQL-shaped 404 that points at `/graphql`, so a client
/// with a wrong URL reads the same error shape as every other refusal.
async fn not_found(uri: http::Uri, headers: HeaderMap) -> Response {
    response::error(
        StatusCode::NOT_FOUND,
        ResponseFormat::from_headers(&headers),
        &format!("Not found: {}. GraphQL is served at /graphql", uri.path()),
        "NOT_FOUND",
    )
}

async fn graphql_get(
    State(router): State<Arc<RouterInner>>,
    PeerAddr(peer): PeerAddr,
    earlier: Earlier,
    page: Option<axum::Extension<PlaygroundPage>>,
    MaybeUpgrade(upgrade): MaybeUpgrade,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Response {
    if let Some(upgrade) = upgrade {
        return client_ws::upgrade(router, upgrade, headers, peer);
    }
    let format = ResponseFormat::from_headers(&headers);
    if router.config.playground.enabled && query.is_none() && negotiation::prefers_html(&headers) {
        return playground(page).await;
    }
    if let Some(refusal) = csrf_refusal(&router, &headers, format) {
        return refusal;
    }
    match graphql_request::from_query_string(query.as_deref()) {
        Ok(request) => execute(&router, &headers, peer, earlier, request, true, format).await,
        Err(rejection) => reject(&rejection, format),
    }
}

async fn graphql_post(
    State(router): State<Arc<RouterInner>>,
    PeerAddr(peer): PeerAddr,
    earlier: Earlier,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let format = ResponseFormat::from_headers(&headers);
    if let Some(refusal) = csrf_refusal(&router, &headers, format) {
        return refusal;
    }
    match negotiation::request_media_type(&headers).as_deref() {
        Some(APPLICATION_JSON | GRAPHQL_RESPONSE_JSON) => {}
        other => {
            let message = match other {
                Some(media) => format!(
                    "Unsupported content type {media:?}: send the request as application/json"
                ),
                None => "The request has no content-type: send it as application/json".into(),
            };
            return response::error(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format,
                &message,
                "UNSUPPORTED_MEDIA_TYPE",
            );
        }
    }
    let config = &router.config;
    let reading = read_body(&headers, body, config.limits.max_body_bytes);
    let bytes = match tokio::time::timeout(config.server.body_read_timeout(), reading).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(rejection)) => return reject(&rejection, format),
        Err(_) => return body_read_timeout(config.server.body_read_timeout_ms, format),
    };
    match graphql_request::from_json_body(&bytes) {
        Ok(request) => execute(&router, &headers, peer, earlier, request, false, format).await,
        Err(rejection) => reject(&rejection, format),
    }
}

/// The client did not send its whole body in time: 408, and the connection is
/// closed (what is left of the body is never read).
fn body_read_timeout(timeout_ms: u64, format: ResponseFormat) -> Response {
    let mut response = response::error(
        StatusCode::REQUEST_TIMEOUT,
        format,
        &format!("The request body was not received within {timeout_ms} ms"),
        "BODY_READ_TIMEOUT",
    );
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

fn csrf_refusal(
    router: &RouterInner,
    headers: &HeaderMap,
    format: ResponseFormat,
) -> Option<Response> {
    let csrf = &router.config.csrf;
    if !csrf.enabled || !csrf::is_refused(headers, &router.csrf_headers) {
        return None;
    }
    Some(response::error(
        StatusCode::BAD_REQUEST,
        format,
        &csrf::refusal_message(&router.csrf_headers),
        "CSRF_PREFLIGHT_REQUIRED",
    ))
}

/// Reads the body, refusing it (413) as soon as it exceeds `max` bytes, without
/// buffering more than that.
async fn read_body(
    headers: &HeaderMap,
    body: Body,
    max: usize,
) -> Result<Vec<u8>, RequestRejection> {
    let too_large = || RequestRejection {
        status: StatusCode::PAYLOAD_TOO_LARGE,
        code: "PAYLOAD_TOO_LARGE",
        message: format!("The request body is larger than the maximum of {max} bytes"),
    };
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > max as u64) {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(declared.map_or(0, |l| l as usize));
    let mut stream = body.into_data_stream();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| {
            RequestRejection::bad_request(format!("The request body could not be read: {e}"))
        })?;
        if bytes.len() + chunk.len() > max {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The headers every subgraph request of this client request carries: the
/// configured forwarded ones, and the client's address when configured, then
/// the header rules; and the headers of the subgraphs with rules of their own.
fn subgraph_headers(
    inner: &RouterInner,
    headers: &HeaderMap,
    peer: Option<std::net::SocketAddr>,
) -> (Headers, Vec<(String, Headers)>) {
    let mut forwarded = forwarded_headers(headers, &inner.forward_headers);
    if inner.config.headers.forward_client_address
        && let Some(value) = peer.and_then(|peer| client_address::forwarded_for(headers, peer))
    {
        forwarded.retain(|(name, _)| name != X_FORWARDED_FOR);
        forwarded.push((X_FORWARDED_FOR, value));
    }
    if inner.header_rules.is_empty() {
        return (forwarded, Vec::new());
    }
    inner.header_rules.apply(headers, forwarded)
}

fn reject(rejection: &RequestRejection, format: ResponseFormat) -> Response {
    response::error(rejection.status, format, &rejection.message, rejection.code)
}

async fn execute(
    inner: &Arc<RouterInner>,
    headers: &HeaderMap,
    peer: Option<std::net::SocketAddr>,
    earlier: Earlier,
    mut request: GraphQLRequest,
    is_get: bool,
    format: ResponseFormat,
) -> Response {
    // Persisted documents: the text of an operation sent by hash or id, and
    // the trusted documents manifest, before anything is planned or fetched.
    if let Err(refusal) = inner.persisted.resolve(&mut request).await {
        let mut response = reject(&refusal, format);
        // Never cached (by a CDN in front of GET): a hash unknown now may be
        // registered a moment later.
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-cache, must-revalidate"),
        );
        // PERSISTED_QUERY_NOT_FOUND is a 200: say it was refused.
        return reported(response, RequestOutcome::Rejected, None);
    }
    let header_is = |name: &str, value: &[u8]| {
        headers
            .get(name)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(value))
    };
    let plan_only = header_is(PLAN_HEADER, b"only");
    if plan_only && !inner.config.expose_query_plan {
        // Executing instead would run a mutation the client only meant to inspect.
        return response::error(
            StatusCode::BAD_REQUEST,
            format,
            "This router does not expose query plans (expose_query_plan is off)",
            "QUERY_PLAN_NOT_EXPOSED",
        );
    }
    let claims = match (earlier.verified, &inner.jwt) {
        (Some(Authenticated(claims)), _) => claims,
        (None, None) => None,
        (None, Some(jwt)) => match jwt.authenticate(headers).await {
            Ok(claims) => claims,
            Err(rejection) => return unauthenticated(&rejection, format),
        },
    };
    let stream_format = StreamFormat::from_headers(headers);
    let (context, response_headers) = request_context(
        inner,
        headers,
        peer,
        claims,
        earlier.trace,
        RequestKind {
            is_get,
            plan_only,
            streaming: stream_format.is_some(),
            incremental: negotiation::accepts_incremental(headers),
        },
    );
    let spans = context.fetcher.trace.spans();
    let timeout = inner.config.timeouts.request();
    let deadline = tokio::time::Instant::now() + timeout;
    let result = tokio::time::timeout(timeout, pipeline::run(inner, &request, context)).await;
    // Past `pipeline::run`'s validation, the name is one of the document's
    // operations: only then is it a metrics label.
    let operation_name = request.operation_name.take();
    // The subgraph response headers `headers.response` lets through.
    let keep_response_headers = |collected: Option<Arc<CollectedHeaders>>,
                                 response: &mut Response| {
        if let Some(collected) = collected {
            let rules = inner.client.response_header_rules();
            rules.merge(&collected.take(), response.headers_mut());
        }
    };
    match result {
        Ok(Ok(Executed::Incremental(parts))) => {
            let Some((mut response, has_errors)) =
                crate::incremental::response(parts, deadline).await
            else {
                return timed_out(timeout, format);
            };
            keep_response_headers(response_headers, &mut response);
            reported(
                response,
                RequestOutcome::executed(has_errors),
                operation_name,
            )
        }
        Ok(Ok(Executed::Subscription(events))) => {
            let Some(slot) = inner.stream_slots.take() else {
                let response = response::error(
                    StatusCode::SERVICE_UNAVAILABLE,
                    format,
                    "The router holds as many subscriptions as it may \
                     (subscriptions.max_connections): try again later",
                    "TOO_MANY_SUBSCRIPTIONS",
                );
                return reported(response, RequestOutcome::Rejected, operation_name);
            };
            let heartbeat = inner.config.subscriptions.heartbeat_interval();
            let response = match stream_format {
                Some(StreamFormat::Multipart) => http_stream::multipart(events, slot, heartbeat),
                _ => http_stream::sse(events, slot, heartbeat),
            };
            reported(response, RequestOutcome::Ok, operation_name)
        }
        Ok(Ok(Executed::Response(graphql_response)))
            if stream_format == Some(StreamFormat::Sse) && !negotiation::accepts_json(headers) =>
        {
            // A query or mutation from a client that only takes event
            // streams: one `next`, then `complete` (graphql-sse).
            let outcome = RequestOutcome::executed(!graphql_response.errors.is_empty());
            let response = http_stream::single_event(graphql_response);
            reported(response, outcome, operation_name)
        }
        Ok(Ok(Executed::Response(graphql_response))) => {
            let outcome = RequestOutcome::executed(!graphql_response.errors.is_empty());
            let mut response = serialization_span(spans)
                .in_scope(|| response::graphql_body(StatusCode::OK, format, graphql_response));
            keep_response_headers(response_headers, &mut response);
            reported(response, outcome, operation_name)
        }
        Ok(Err(rejection)) => {
            let (status, errors, outcome, operation_name) = match rejection {
                // The operation (and so its name) may not have validated.
                Rejection::Invalid(errors) => (
                    response::request_error_status(format),
                    errors,
                    RequestOutcome::Rejected,
                    None,
                ),
                Rejection::Limit(errors) => (
                    StatusCode::BAD_REQUEST,
                    errors,
                    RequestOutcome::Rejected,
                    operation_name,
                ),
                Rejection::MutationOverGet(errors) => (
                    StatusCode::METHOD_NOT_ALLOWED,
                    errors,
                    RequestOutcome::Rejected,
                    operation_name,
                ),
                Rejection::Planning(errors) => (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    errors,
                    RequestOutcome::Error,
                    operation_name,
                ),
                Rejection::Unauthorized { errors, anonymous } => (
                    if anonymous {
                        StatusCode::UNAUTHORIZED
                    } else {
                        StatusCode::FORBIDDEN
                    },
                    errors,
                    RequestOutcome::Rejected,
                    operation_name,
                ),
            };
            let mut response = response::errors(status, format, &errors);
            if status == StatusCode::METHOD_NOT_ALLOWED {
                response
                    .headers_mut()
                    .insert(header::ALLOW, HeaderValue::from_static("POST"));
            }
            reported(response, outcome, operation_name)
        }
        Err(_) => timed_out(timeout, format),
    }
}

/// What kind of request a [`RequestContext`] is built for.
pub(crate) struct RequestKind {
    pub is_get: bool,
    pub plan_only: bool,
    pub streaming: bool,
    pub incremental: bool,
}

/// The pipeline's context for a request with these headers and claims, and
/// where the subgraph response headers kept for the client go.
pub(crate) fn request_context(
    inner: &RouterInner,
    headers: &HeaderMap,
    peer: Option<std::net::SocketAddr>,
    claims: Option<Arc<Claims>>,
    trace: RequestTrace,
    kind: RequestKind,
) -> (RequestContext, Option<Arc<CollectedHeaders>>) {
    let header_is = |name: &str, value: &[u8]| {
        headers
            .get(name)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(value))
    };
    let (common_headers, own_headers) = subgraph_headers(inner, headers, peer);
    let response_headers = inner
        .collect_response_headers
        .then(|| Arc::new(CollectedHeaders::default()));
    let context = RequestContext {
        is_get: kind.is_get,
        include_plan: inner.config.expose_query_plan && header_is(PLAN_HEADER, b"true"),
        plan_only: kind.plan_only,
        include_trace: inner.config.expose_trace && header_is(TRACE_HEADER, b"true"),
        include_cost: inner.config.demand_control.expose_cost && header_is(COST_HEADER, b"true"),
        override_labels: inner.planner.labels_for_request(headers),
        fetcher: RequestFetcher {
            client: inner.client.clone(),
            headers: common_headers,
            subgraph_headers: own_headers,
            response_headers: response_headers.clone(),
            trace,
        },
        claims,
        streaming: kind.streaming,
        incremental: kind.incremental,
    };
    (context, response_headers)
}

/// The request did not complete in time: 504.
fn timed_out(timeout: std::time::Duration, format: ResponseFormat) -> Response {
    let response = response::error(
        StatusCode::GATEWAY_TIMEOUT,
        format,
        &format!(
            "The request did not complete within {} ms",
            timeout.as_millis()
        ),
        "REQUEST_TIMEOUT",
    );
    reported(response, RequestOutcome::Timeout, None)
}

/// A token that does not verify: 401, with why (never the token itself), and
/// nothing planned or fetched.
pub(crate) fn unauthenticated(rejection: &TokenRejection, format: ResponseFormat) -> Response {
    let mut response = response::error(
        StatusCode::UNAUTHORIZED,
        format,
        &format!("Invalid authentication token: {rejection}"),
        "UNAUTHENTICATED",
    );
    response.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static("Bearer error=\"invalid_token\""),
    );
    response
}

/// Last resort: a panic anywhere below becomes a GraphQL-shaped 500 and the
/// server keeps serving. Nothing should panic; this guards what we missed.
async fn catch_panics(request: Request, next: Next) -> Response {
    let format = ResponseFormat::from_headers(request.headers());
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(_) => {
            tracing::error!("a request handler panicked");
            response::error(
                StatusCode::INTERNAL_SERVER_ERROR,
                format,
                "Internal router error",
                "INTERNAL_SERVER_ERROR",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower::ServiceExt;

    async fn panicking() -> Response {
        panic!("a bug")
    }

    #[tokio::test]
    async fn a_panicking_handler_becomes_a_graphql_500() {
        let app = axum::Router::new()
            .route("/graphql", get(panicking))
            .layer(axum::middleware::from_fn(catch_panics));
        let request = Request::builder()
            .uri("/graphql")
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let body = axum::body::to_bytes(response.into_body(), 1024)
            .await
            .unwrap();
        assert_eq!(
            &body[..],
            br#"{"errors":[{"message":"Internal router error","extensions":{"code":"INTERNAL_SERVER_ERROR"}}]}"#
        );
    }
}
