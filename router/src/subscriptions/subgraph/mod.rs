//! The router as a client of subgraph event streams: the subscription
//! operation of a plan's primary fetch goes to the subgraph owning the root
//! field, over WebSocket (`graphql-transport-ws`) or Server-Sent Events, as
//! `subscriptions.subgraphs` says, and comes back as a stream of GraphQL
//! responses.
//!
//! The stream ends (`None`) when the subgraph completes the subscription; a
//! connection that fails or closes before that is an `Err` item, the last.
//! A subgraph that refuses the operation sends a [`SubgraphEvent::Refused`].

mod sse;
mod ws;

use futures::stream::BoxStream;
use http::{HeaderName, HeaderValue};
use serde_json::Value;
use switchyard_executor::{FetchError, SubgraphResponse};

use crate::config::{SubgraphProtocol, SubscriptionsConfig};

/// A subgraph's events, as GraphQL responses.
pub(crate) type SubgraphEvents = BoxStream<'static, Result<SubgraphEvent, FetchError>>;

/// One message of a subgraph's stream.
#[derive(Debug)]
pub(crate) enum SubgraphEvent {
    /// An event's response.
    Next(SubgraphResponse),
    /// The subgraph ended the operation with these errors (graphql-transport-ws
    /// `error`: for example it refused the caller); the last item.
    Refused(SubgraphResponse),
}

/// One subscription to open on a subgraph.
pub(crate) struct StreamRequest<'a> {
    pub subgraph: &'a str,
    /// The subgraph's routing URL (from the supergraph or its override).
    pub routing_url: &'a reqwest::Url,
    /// `{"query", "operationName", "variables"}`.
    pub body: Value,
    /// The headers the router's header rules give this subgraph.
    pub headers: &'a [(HeaderName, HeaderValue)],
}

/// Opens the subscription. Fails when the subgraph cannot be reached, refuses
/// the connection, or does not accept it within `connection_init_timeout_ms`.
pub(crate) async fn open(
    config: &SubscriptionsConfig,
    http: &reqwest::Client,
    request: StreamRequest<'_>,
) -> Result<SubgraphEvents, FetchError> {
    let settings = config.subgraph(request.subgraph);
    let timeout = config.connection_init_timeout();
    match settings.protocol {
        SubgraphProtocol::Websocket => {
            let url = match &settings.url {
                Some(url) => url.clone(),
                None => websocket_url(request.routing_url),
            };
            ws::open(&url, request, timeout, config.heartbeat_interval()).await
        }
        SubgraphProtocol::Sse => {
            let url = match &settings.url {
                Some(url) => url.clone(),
                None => request.routing_url.to_string(),
            };
            sse::open(http, &url, request, timeout).await
        }
    }
}

/// The routing URL with its scheme made `ws://`.
fn websocket_url(routing_url: &reqwest::Url) -> String {
    let mut url = routing_url.clone();
    let scheme = if url.scheme() == "https" { "wss" } else { "ws" };
    // Only fails for URLs that cannot have a host, and routing URLs are http.
    let _ = url.set_scheme(scheme);
    url.to_string()
}

/// The failure of a subscription that stopped without completing.
fn ended(why: impl std::fmt::Display) -> FetchError {
    FetchError::Transport(format!("the subscription stream ended: {why}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn websocket_urls_keep_host_and_path() {
        let url = reqwest::Url::parse("http://127.0.0.1:4001/graphql").unwrap();
        assert_eq!(super::websocket_url(&url), "ws://127.0.0.1:4001/graphql");
    }
}
