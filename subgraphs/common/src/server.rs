//! Serving a service: its GraphQL schema at `/graphql` (POST and GET), `/health`,
//! the caller's identity from the `Authorization` header, and graceful shutdown.

use std::future::Future;
use std::sync::Arc;

use async_graphql::{ObjectType, Schema, SubscriptionType};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::State;
use axum::http::HeaderMap;
use axum::routing::get;
use axum::{Json, Router};
use tokio::net::TcpListener;

use crate::auth::{CurrentUser, JwtVerifier};

struct AppState<Q, M, S> {
    schema: Schema<Q, M, S>,
    verifier: Option<Arc<JwtVerifier>>,
}

/// Routes for a subgraph: `/graphql` and `/health`. Services add routes of their own
/// with `Router::merge`.
pub fn graphql_app<Q, M, S>(schema: Schema<Q, M, S>, verifier: Option<Arc<JwtVerifier>>) -> Router
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let state = Arc::new(AppState { schema, verifier });
    Router::new()
        .route(
            "/graphql",
            get(graphql_handler::<Q, M, S>).post(graphql_handler::<Q, M, S>),
        )
        .route("/health", get(health))
        .with_state(state)
}

async fn graphql_handler<Q, M, S>(
    State(state): State<Arc<AppState<Q, M, S>>>,
    headers: HeaderMap,
    request: GraphQLRequest,
) -> GraphQLResponse
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    let user = current_user(&headers, state.verifier.as_deref()).await;
    state
        .schema
        .execute(request.into_inner().data(user))
        .await
        .into()
}

async fn current_user(headers: &HeaderMap, verifier: Option<&JwtVerifier>) -> CurrentUser {
    let Some(value) = headers.get(http::header::AUTHORIZATION) else {
        return CurrentUser::Anonymous;
    };
    let Some(token) = value.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")) else {
        return CurrentUser::Rejected("the Authorization header is not `Bearer <token>`".into());
    };
    let Some(verifier) = verifier else {
        return CurrentUser::Rejected("this service does not accept tokens".into());
    };
    match verifier.verify(token.trim()).await {
        Ok(claims) => CurrentUser::Authenticated(claims),
        Err(err) => CurrentUser::Rejected(err.to_string()),
    }
}

async fn health() -> Json<serde_json::Value> {
    Json(serde_json::json!({ "status": "UP" }))
}

/// Serves `app` until `shutdown` completes, then lets requests in flight finish.
pub async fn serve(
    listener: TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
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
