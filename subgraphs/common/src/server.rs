//! Serving a service: its GraphQL schema at `/graphql` (POST and GET), its
//! subscriptions at `/graphql/ws` and `/graphql/stream` ([`crate::subscriptions`]),
//! `/health`, `/metrics`, who the caller is (from the `Authorization` header and the
//! client's address), and graceful shutdown.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::{ObjectType, Schema, SubscriptionType};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Extension, Json, Router};
use tokio::net::TcpListener;
use tracing::Instrument;

use crate::auth::{Authenticator, Caller};
use crate::client_ip::{PeerAddr, TrustedProxies};
use crate::metrics::ServiceMetrics;
use crate::subscriptions::{self, Draining, SubscriptionLimits};

/// How a service tells who calls it.
#[derive(Clone, Default)]
pub struct Identity {
    /// Whose tokens are accepted; `None`: none (every caller is anonymous, and a
    /// sent token is refused).
    pub authenticator: Option<Arc<Authenticator>>,
    /// Whose `X-Forwarded-For` is believed for the client's address.
    pub trusted_proxies: TrustedProxies,
}

impl Identity {
    /// Accepts the tokens `authenticator` verifies.
    pub fn new(authenticator: Authenticator) -> Self {
        Self {
            authenticator: Some(Arc::new(authenticator)),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

struct AppState<Q, M, S> {
    /// The service's name, in its spans.
    service: &'static str,
    schema: Schema<Q, M, S>,
    identity: Identity,
}

/// Routes for the subgraph `service`: `/graphql`, the subscription transports
/// and `/health`. Each request's [`Caller`] and [`crate::client_ip::ClientIp`]
/// are in its GraphQL context data; with traces on, it runs in a server span
/// that continues the caller's trace ([`crate::telemetry::server_span`]).
/// Services add routes of their own with `Router::merge`.
pub fn graphql_app<Q, M, S>(
    service: &'static str,
    schema: Schema<Q, M, S>,
    identity: Identity,
) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    graphql_app_with(service, schema, identity, SubscriptionLimits::default())
}

/// [`graphql_app`] with the service's own subscription limits.
pub fn graphql_app_with<Q, M, S>(
    service: &'static str,
    schema: Schema<Q, M, S>,
    identity: Identity,
    limits: SubscriptionLimits,
) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let live = subscriptions::routes(schema.clone(), identity.clone(), limits);
    let state = Arc::new(AppState {
        service,
        schema,
        identity,
    });
    Router::new()
        .route(
            "/graphql",
            get(graphql_handler::<Q, M, S>).post(graphql_handler::<Q, M, S>),
        )
        .route("/health", get(health))
        .with_state(state)
        .merge(live)
}

async fn graphql_handler<Q, M, S>(
    State(state): State<Arc<AppState<Q, M, S>>>,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let span = crate::telemetry::server_span(state.service, &headers);
    async move {
        let caller = caller(&headers, state.identity.authenticator.as_deref()).await;
        let client_ip = state.identity.trusted_proxies.client_ip(peer, &headers);
        state
            .schema
            .execute(request.into_inner().data(caller).data(client_ip))
            .await
            .into()
    }
    .instrument(span)
    .await
}

/// The caller a request's `Authorization` header names; the subscription
/// transports verify tokens through this too.
pub(crate) async fn caller(headers: &HeaderMap, authenticator: Option<&Authenticator>) -> Caller {
    let Some(value) = headers.get(http::header::AUTHORIZATION) else {
        return Caller::Anonymous;
    };
    let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
        return Caller::Rejected("the Authorization header is not `Bearer <token>`".into());
    };
    let Some(authenticator) = authenticator else {
        return Caller::Rejected("this service does not accept tokens".into());
    };
    authenticator.identify(token.trim()).await
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "UP" }))
}

/// How long [`serve`] waits, after the HTTP requests finished, for WebSocket
/// connections to take their `SHUTTING_DOWN` errors and close.
const LIVE_CLOSE_LIMIT: Duration = Duration::from_secs(5);

/// Serves `app` until `shutdown` completes, then lets requests in flight finish
/// and ends every subscription with a `SHUTTING_DOWN` error ([`Draining`]).
/// Connection info is recorded, so that handlers know the peer's address. The
/// app's requests are counted, and the counts served at `/metrics`
/// ([`crate::metrics`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let draining = Draining::new();
    let app = Arc::new(ServiceMetrics::new()).instrument(app.layer(Extension(draining.clone())));
    let start_draining = draining.clone();
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(async move {
        shutdown.await;
        start_draining.start();
    })
    .await?;
    if !draining.until_closed(LIVE_CLOSE_LIMIT).await {
        tracing::warn!("stopping with WebSocket connections still open");
    }
    Ok(())
}

/// Completes on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
}
