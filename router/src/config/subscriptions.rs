//! Subscriptions (`subscriptions`): how clients may subscribe, how the router
//! reaches each subgraph's event stream, and the limits that keep long-lived
//! streams from exhausting the router.

use std::collections::BTreeMap;
use std::time::Duration;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Subscriptions through the router. Clients subscribe over WebSocket
/// (`graphql-transport-ws` at `/graphql`), Server-Sent Events (`accept:
/// text/event-stream`) or multipart HTTP (`accept:
/// multipart/mixed;subscriptionSpec=1.0`); the router subscribes to the
/// subgraph owning the root field over WebSocket or SSE, and fetches every
/// event's fields from other subgraphs as for a query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SubscriptionsConfig {
    /// Off: every subscription is refused with `SUBSCRIPTION_NOT_SUPPORTED`,
    /// and so is every WebSocket upgrade.
    pub enabled: bool,
    /// Open subscription streams (SSE and multipart responses) and WebSocket
    /// connections the router holds at once; one more is refused (HTTP 503,
    /// `TOO_MANY_SUBSCRIPTIONS`).
    pub max_connections: usize,
    /// Subscriptions one WebSocket connection may run at once; one more gets an
    /// `error` message.
    pub max_subscriptions_per_connection: usize,
    /// How often an idle stream shows it is alive: a WebSocket `ping`, an SSE
    /// comment, an empty multipart part (`{}`). Also what proxies need to keep
    /// an idle connection open.
    pub heartbeat_interval_ms: u64,
    /// How long a WebSocket client may take to send `connection_init` (close
    /// 4408), and how long the router waits for a subgraph to accept its
    /// subscription.
    pub connection_init_timeout_ms: u64,
    /// How the router subscribes to a subgraph, keyed by subgraph name.
    /// Subgraphs not named use `default`.
    pub subgraphs: BTreeMap<String, SubgraphSubscriptionConfig>,
    /// For subgraphs not in `subgraphs`: WebSocket at the subgraph's routing
    /// URL (scheme `ws://`).
    pub default: SubgraphSubscriptionConfig,
}

impl Default for SubscriptionsConfig {
    fn default() -> Self {
        SubscriptionsConfig {
            enabled: true,
            max_connections: 10_000,
            max_subscriptions_per_connection: 100,
            heartbeat_interval_ms: 15_000,
            connection_init_timeout_ms: 10_000,
            subgraphs: BTreeMap::new(),
            default: SubgraphSubscriptionConfig::default(),
        }
    }
}

/// One subgraph's event stream.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, default)]
pub struct SubgraphSubscriptionConfig {
    pub protocol: SubgraphProtocol,
    /// Where to subscribe (`ws://` for WebSocket, `http://` for SSE); `None`:
    /// the subgraph's routing URL (its scheme changed to `ws://` for WebSocket).
    pub url: Option<String>,
}

/// The transport to a subgraph's subscriptions.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubgraphProtocol {
    /// `graphql-transport-ws` over WebSocket.
    #[default]
    Websocket,
    /// GraphQL over Server-Sent Events, one stream per subscription (the
    /// graphql-sse "distinct connections" mode).
    Sse,
}

impl SubscriptionsConfig {
    pub fn heartbeat_interval(&self) -> Duration {
        Duration::from_millis(self.heartbeat_interval_ms)
    }

    pub fn connection_init_timeout(&self) -> Duration {
        Duration::from_millis(self.connection_init_timeout_ms)
    }

    /// The settings of `subgraph`'s stream.
    pub fn subgraph(&self, subgraph: &str) -> &SubgraphSubscriptionConfig {
        self.subgraphs.get(subgraph).unwrap_or(&self.default)
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        if self.heartbeat_interval_ms == 0 || self.connection_init_timeout_ms == 0 {
            return Err("subscriptions: intervals and timeouts must be positive".into());
        }
        if self.max_connections == 0 || self.max_subscriptions_per_connection == 0 {
            return Err("subscriptions: limits must be at least 1".into());
        }
        for (name, subgraph) in self
            .subgraphs
            .iter()
            .chain([(&"default".to_owned(), &self.default)])
        {
            let Some(url) = &subgraph.url else { continue };
            let parsed = reqwest::Url::parse(url)
                .map_err(|e| format!("subscriptions.subgraphs.{name}.url {url:?}: {e}"))?;
            let expected: &[&str] = match subgraph.protocol {
                SubgraphProtocol::Websocket => &["ws"],
                SubgraphProtocol::Sse => &["http"],
            };
            if !expected.contains(&parsed.scheme()) {
                return Err(format!(
                    "subscriptions.subgraphs.{name}.url {url:?}: a {:?} URL must start with {}://",
                    subgraph.protocol, expected[0]
                ));
            }
        }
        Ok(())
    }
}
