//! What one service allows of subscriptions, and the admission check every new
//! one passes, whatever its transport.

use std::sync::Arc;
use std::time::Duration;

use async_graphql::ServerError;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::client_ip::ClientIp;
use crate::rate_limit::{KeyedLimiter, RateLimit};

use super::coded_server_error;

/// Limits on subscriptions; [`Default`] is what the services run with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionLimits {
    /// Operations at once on one WebSocket connection; one more is refused with
    /// an `error` message (`TOO_MANY_SUBSCRIPTIONS`), the connection stays.
    pub per_connection: usize,
    /// Subscriptions at once in this service, over both transports: what bounds
    /// the memory and the database reads of live updates. One more is refused
    /// (`TOO_MANY_SUBSCRIPTIONS`).
    pub total: usize,
    /// New subscriptions per client address (behind the router: the address it
    /// forwards, see [`crate::client_ip`]): each costs reads of the database, and
    /// some are open to anonymous callers. Over it: `RATE_LIMITED`.
    pub starts_per_client: RateLimit,
    /// How often a WebSocket client is pinged (and an SSE stream gets a comment
    /// when idle); a WebSocket client that sends nothing, not even the pong, for
    /// a whole interval after a ping is disconnected.
    pub keep_alive: Duration,
    /// How long a WebSocket client may take to send `connection_init` (close
    /// 4408 after it).
    pub init_timeout: Duration,
    /// How long writing one WebSocket message may take: a client that stopped
    /// reading is disconnected after it, rather than holding its subscriptions
    /// (and their database reads) forever.
    pub write_timeout: Duration,
    /// Largest WebSocket message, or SSE request body, accepted.
    pub max_message_bytes: usize,
}

impl Default for SubscriptionLimits {
    fn default() -> Self {
        SubscriptionLimits {
            per_connection: 20,
            total: 10_000,
            starts_per_client: "120/1m".parse().expect("a valid limit"),
            keep_alive: Duration::from_secs(15),
            init_timeout: Duration::from_secs(10),
            write_timeout: Duration::from_secs(30),
            max_message_bytes: 64 * 1024,
        }
    }
}

/// The service-wide part of the limits: the count of open subscriptions and the
/// start rate per client.
pub(crate) struct Admission {
    open: Arc<Semaphore>,
    total: usize,
    starts: KeyedLimiter<ClientIp>,
}

impl Admission {
    pub(crate) fn new(limits: &SubscriptionLimits) -> Admission {
        Admission {
            open: Arc::new(Semaphore::new(limits.total)),
            total: limits.total,
            starts: KeyedLimiter::new(limits.starts_per_client),
        }
    }

    /// A place for one more subscription of `client`, held until it ends; or
    /// the error that refuses it.
    pub(crate) fn admit(&self, client: ClientIp) -> Result<OwnedSemaphorePermit, ServerError> {
        self.starts
            .hit(&client)
            .map_err(|limited| server_error(limited.into_error("too many new subscriptions")))?;
        self.open.clone().try_acquire_owned().map_err(|_| {
            coded_server_error(
                "TOO_MANY_SUBSCRIPTIONS",
                format!(
                    "this service has {} subscriptions open, its limit: try again later",
                    self.total
                ),
            )
        })
    }
}

/// A resolver-style error as it goes into a response.
fn server_error(error: async_graphql::Error) -> ServerError {
    let mut error = error.into_server_error(async_graphql::Pos::default());
    error.locations.clear();
    error
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;

    fn limits(total: usize, starts: &str) -> SubscriptionLimits {
        SubscriptionLimits {
            total,
            starts_per_client: starts.parse().unwrap(),
            ..SubscriptionLimits::default()
        }
    }

    fn code(error: &ServerError) -> String {
        serde_json::to_value(error).unwrap()["extensions"]["code"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    #[test]
    fn the_total_is_a_count_of_open_subscriptions() {
        let admission = Admission::new(&limits(2, "100/1m"));
        let client = ClientIp(Some(IpAddr::from([192, 0, 2, 1])));
        let first = admission.admit(client).unwrap();
        let _second = admission.admit(client).unwrap();
        let refused = admission.admit(client).unwrap_err();
        assert_eq!(code(&refused), "TOO_MANY_SUBSCRIPTIONS");
        drop(first);
        let _again = admission.admit(client).expect("a place came free");
    }

    #[test]
    fn starts_are_rate_limited_per_client() {
        let admission = Admission::new(&limits(100, "2/1h"));
        let greedy = ClientIp(Some(IpAddr::from([192, 0, 2, 1])));
        let other = ClientIp(Some(IpAddr::from([192, 0, 2, 2])));
        for _ in 0..2 {
            drop(admission.admit(greedy).unwrap());
        }
        let refused = admission.admit(greedy).unwrap_err();
        assert_eq!(code(&refused), "RATE_LIMITED");
        let json = serde_json::to_value(&refused).unwrap();
        assert!(json["extensions"]["retryAfterSeconds"].as_u64().unwrap() > 0);
        assert!(json.get("locations").is_none(), "{json}");
        let _other = admission.admit(other).expect("clients are counted apart");
    }
}
