//! The subscription series of the router's metrics: what is held now
//! (subscriptions, client streams) and what happened (events delivered, how
//! subscriptions ended).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

/// How a subscription ended (the `reason` label of
/// `switchyard_subscriptions_ended_total`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubscriptionEnd {
    /// The subgraph completed it.
    Completed,
    /// The client went away (or completed it).
    ClientGone,
    /// The subgraph could not be reached, refused it, or went away.
    Failed,
    /// A reload replaced the schema it was planned against.
    Reloaded,
    /// The router shut down.
    ShuttingDown,
}

impl SubscriptionEnd {
    const ALL: [SubscriptionEnd; 5] = [
        SubscriptionEnd::Completed,
        SubscriptionEnd::ClientGone,
        SubscriptionEnd::Failed,
        SubscriptionEnd::Reloaded,
        SubscriptionEnd::ShuttingDown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionEnd::Completed => "completed",
            SubscriptionEnd::ClientGone => "client_gone",
            SubscriptionEnd::Failed => "failed",
            SubscriptionEnd::Reloaded => "reloaded",
            SubscriptionEnd::ShuttingDown => "shutting_down",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct ReasonLabel {
    reason: &'static str,
}

/// The series; cheap to clone (they are shared).
#[derive(Debug, Clone, Default)]
pub struct SubscriptionMetrics {
    open: Gauge,
    streams: Gauge,
    events: Counter,
    ended: Family<ReasonLabel, Counter>,
}

impl SubscriptionMetrics {
    /// Registers the series in `registry` (every end reason at 0).
    pub(crate) fn register(registry: &mut Registry) -> Self {
        let metrics = SubscriptionMetrics::default();
        registry.register(
            "subscriptions_open",
            "Subscriptions running: each holds a stream from a subgraph",
            metrics.open.clone(),
        );
        registry.register(
            "subscription_streams_open",
            "Streams clients hold (WebSocket connections, SSE and multipart responses), \
             out of subscriptions.max_connections",
            metrics.streams.clone(),
        );
        registry.register(
            "subscription_events",
            "Subscription events sent to clients (after each event's entity fetches)",
            metrics.events.clone(),
        );
        registry.register(
            "subscriptions_ended",
            "Subscriptions that ended, by reason",
            metrics.ended.clone(),
        );
        for end in SubscriptionEnd::ALL {
            metrics.ended.get_or_create_owned(&ReasonLabel {
                reason: end.as_str(),
            });
        }
        metrics
    }

    /// Counts a running subscription until the guard is dropped.
    pub fn start(&self) -> GaugeGuard {
        GaugeGuard::hold(&self.open)
    }

    /// Counts a client stream until the guard is dropped.
    pub fn hold_stream(&self) -> GaugeGuard {
        GaugeGuard::hold(&self.streams)
    }

    pub fn record_event(&self) {
        self.events.inc();
    }

    pub fn record_end(&self, end: SubscriptionEnd) {
        self.ended
            .get_or_create(&ReasonLabel {
                reason: end.as_str(),
            })
            .inc();
    }
}

/// Holds one unit of a gauge; gives it back when dropped.
#[derive(Debug)]
pub struct GaugeGuard(Gauge);

impl GaugeGuard {
    fn hold(gauge: &Gauge) -> Self {
        gauge.inc();
        GaugeGuard(gauge.clone())
    }
}

impl Drop for GaugeGuard {
    fn drop(&mut self) {
        self.0.dec();
    }
}
