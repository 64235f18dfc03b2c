//! GraphQL subscriptions, served the same way by every service:
//!
//! - WebSocket, `graphql-transport-ws`, at [`WS_PATH`] (`/graphql/ws`);
//! - Server-Sent Events, graphql-sse's distinct connections mode, at
//!   [`SSE_PATH`] (`/graphql/stream`).
//!
//! Both run the service's own schema with the same context data as a
//! `/graphql` request: the [`Caller`](crate::Caller) (verified exactly as for
//! HTTP: the `Authorization` header; on a WebSocket, the token in
//! `connection_init`'s payload first) and the client's address.
//!
//! Limits ([`SubscriptionLimits`]): operations per WebSocket connection,
//! subscriptions open in the service, new subscriptions per client address,
//! a keep-alive (WebSocket pings, SSE comments), an init timeout and a write
//! timeout, the size of a message. Slow clients: nothing is queued per
//! subscriber. The transports write as fast as the client reads and poll a
//! subscription's stream only when its last message is written, so a
//! subscription of a slow client simply reads less often; the services' live
//! streams wait on a flag meanwhile (`shop_events::live`), and read the current
//! state when polled again. A WebSocket client that does not take a message
//! within the write timeout is disconnected.
//!
//! When the service stops ([`Draining`], started by
//! [`crate::server::serve`]), every subscription ends with a `SHUTTING_DOWN`
//! error rather than silence.

mod drain;
mod limits;
mod sse;
mod ws;
mod ws_protocol;

use std::sync::Arc;

use async_graphql::{Executor, ServerError};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::get;

pub use drain::Draining;
pub use limits::SubscriptionLimits;

use crate::server::Identity;
use limits::Admission;

/// Where WebSocket clients connect (`graphql-transport-ws`).
pub const WS_PATH: &str = "/graphql/ws";
/// Where SSE clients send their subscription (graphql-sse, distinct connections).
pub const SSE_PATH: &str = "/graphql/stream";

/// What both transports share in one service.
pub(crate) struct Live<E> {
    executor: E,
    identity: Identity,
    limits: SubscriptionLimits,
    admission: Admission,
}

/// The routes of both transports for `executor` (the service's schema).
pub fn routes<E: Executor>(executor: E, identity: Identity, limits: SubscriptionLimits) -> Router {
    let body_limit = limits.max_message_bytes;
    let live = Arc::new(Live {
        executor,
        identity,
        admission: Admission::new(&limits),
        limits,
    });
    Router::new()
        .route(WS_PATH, get(ws::upgrade::<E>))
        .route(SSE_PATH, get(sse::handler::<E>).post(sse::handler::<E>))
        .layer(DefaultBodyLimit::max(body_limit))
        .with_state(live)
}

/// An error with `extensions.code`, as it goes into a response.
pub(crate) fn coded_server_error(code: &str, message: impl Into<String>) -> ServerError {
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code);
    error
}

/// How every subscription ends when the service stops.
pub(crate) fn shutting_down() -> ServerError {
    coded_server_error(
        "SHUTTING_DOWN",
        "the service is shutting down: subscribe again in a moment",
    )
}
