//! NATS JetStream: one stream (`SHOP_EVENTS` unless the URL names another) holds
//! the events under the subject `<stream>.<event type>`, within its limits (a week
//! unless the spec gives `max_age`/`max_msgs`); each consumer is a durable
//! pull consumer with explicit acknowledgements, so events wait for a consumer that
//! is down and come back when not acknowledged in time. Publishing sets the event
//! id as `Nats-Msg-Id`, so the server drops a second copy of an event published
//! again within its duplicate window (an outbox relay that crashed between
//! publishing and marking the row).
//!
//! Tails ([`crate::Tail`]) are ephemeral consumers in the server's memory,
//! delivering what is published after they start, without acknowledgements.
//!
//! Works with nats-server 2.9 (Debian's line): the crate is built without its
//! `server_2_10`/`server_2_11` features and every consumer filters on one subject.

use std::time::Duration;

use async_nats::jetstream::{self, AckKind, consumer, context::Publish, stream};
use futures::StreamExt;

use crate::bus::BusError;
use crate::event::Event;
use crate::spec::SpecLimits;

const DEFAULT_STREAM: &str = "SHOP_EVENTS";
/// How long a new stream keeps events unless the spec says `max_age`.
const DEFAULT_MAX_AGE: Duration = Duration::from_secs(7 * 24 * 3600);
/// How long the server waits for an acknowledgement before delivering again. Also
/// how long an event can sit in the pull request of a subscriber that went away
/// (a restarted service) before it comes back; handlers take milliseconds.
const ACK_WAIT: Duration = Duration::from_secs(10);

#[derive(Clone)]
pub struct NatsBus {
    context: jetstream::Context,
    stream: String,
}

impl std::fmt::Debug for NatsBus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "NatsBus({})", self.stream)
    }
}

impl NatsBus {
    /// Connects to `url` and makes sure `stream` (default `SHOP_EVENTS`) exists.
    /// Limits named in the spec are set on a new stream, and on an existing one
    /// whose limits differ; without them a new stream keeps events for a week and
    /// an existing one is left as it is.
    pub(crate) async fn connect(
        url: &str,
        stream: Option<String>,
        limits: SpecLimits,
    ) -> Result<NatsBus, BusError> {
        let stream_name = stream.unwrap_or_else(|| DEFAULT_STREAM.to_owned());
        let max_messages = match limits.max_msgs {
            Some(n) => Some(i64::try_from(n).map_err(|_| BusError::InvalidSpec {
                spec: url.to_owned(),
                reason: format!("max_msgs {n} is too large for JetStream"),
            })?),
            None => None,
        };
        let client = async_nats::connect(url)
            .await
            .map_err(|e| BusError::Connect {
                url: url.to_owned(),
                message: e.to_string(),
            })?;
        let context = jetstream::new(client);
        let stream = context
            .get_or_create_stream(stream::Config {
                name: stream_name.clone(),
                subjects: vec![format!("{stream_name}.>")],
                storage: stream::StorageType::File,
                duplicate_window: Duration::from_secs(120),
                max_age: limits.max_age.unwrap_or(DEFAULT_MAX_AGE),
                max_messages: max_messages.unwrap_or(0),
                ..Default::default()
            })
            .await
            .map_err(jetstream_error)?;
        let mut config = stream.cached_info().config.clone();
        let unchanged = config.clone();
        if let Some(max_age) = limits.max_age {
            config.max_age = max_age;
        }
        if let Some(max_messages) = max_messages {
            config.max_messages = max_messages;
        }
        if config != unchanged {
            context
                .update_stream(config)
                .await
                .map_err(jetstream_error)?;
        }
        Ok(NatsBus {
            context,
            stream: stream_name,
        })
    }

    pub(crate) async fn publish(&self, event: &Event) -> Result<(), BusError> {
        let payload = serde_json::to_vec(event)?;
        let subject = format!("{}.{}", self.stream, event.event_type);
        let ack = self
            .context
            .send_publish(
                subject,
                Publish::build()
                    .payload(payload.into())
                    .message_id(event.id.to_string()),
            )
            .await
            .map_err(jetstream_error)?;
        ack.await.map_err(jetstream_error)?;
        Ok(())
    }

    pub(crate) async fn subscribe(&self, consumer: &str) -> Result<NatsSubscription, BusError> {
        let stream = self
            .context
            .get_stream(&self.stream)
            .await
            .map_err(jetstream_error)?;
        let consumer = stream
            .get_or_create_consumer(
                consumer,
                consumer::pull::Config {
                    durable_name: Some(consumer.to_owned()),
                    ack_policy: consumer::AckPolicy::Explicit,
                    ack_wait: ACK_WAIT,
                    deliver_policy: consumer::DeliverPolicy::All,
                    filter_subject: format!("{}.>", self.stream),
                    ..Default::default()
                },
            )
            .await
            .map_err(jetstream_error)?;
        let messages = consumer.messages().await.map_err(jetstream_error)?;
        Ok(NatsSubscription { messages })
    }

    /// An ephemeral consumer of the events of `types` published from now on,
    /// without acknowledgements (see [`crate::Tail`]). Kept in the server's
    /// memory, and removed by the server a minute after its subscriber went away.
    pub(crate) async fn tail(&self, types: &[String]) -> Result<NatsTail, BusError> {
        let stream = self
            .context
            .get_stream(&self.stream)
            .await
            .map_err(jetstream_error)?;
        let consumer = stream
            .create_consumer(consumer::pull::Config {
                ack_policy: consumer::AckPolicy::None,
                deliver_policy: consumer::DeliverPolicy::New,
                filter_subject: tail_filter(&self.stream, types),
                inactive_threshold: TAIL_INACTIVE_THRESHOLD,
                memory_storage: true,
                ..Default::default()
            })
            .await
            .map_err(jetstream_error)?;
        let messages = consumer.messages().await.map_err(jetstream_error)?;
        Ok(NatsTail {
            messages,
            consumer_sequence: 0,
        })
    }

    pub(crate) async fn destroy(&self) -> Result<(), BusError> {
        self.context
            .delete_stream(&self.stream)
            .await
            .map_err(jetstream_error)?;
        Ok(())
    }
}

/// How long the server keeps a tail's consumer after its subscriber stopped
/// pulling (a process that died without removing it).
const TAIL_INACTIVE_THRESHOLD: Duration = Duration::from_secs(60);

/// The subject a tail of `types` filters on. NATS 2.9 takes one filter subject:
/// the type's own for one type, `<stream>.<aggregate>.>` when the types share
/// their aggregate (`stock.reserved`, `stock.released`), else every event; the
/// tail drops the other types itself.
fn tail_filter(stream: &str, types: &[String]) -> String {
    match types {
        [only] => format!("{stream}.{only}"),
        _ => {
            let aggregates: Vec<&str> = types
                .iter()
                .filter_map(|t| t.split_once('.').map(|(aggregate, _)| aggregate))
                .collect();
            match aggregates.first() {
                Some(first)
                    if aggregates.len() == types.len() && aggregates.iter().all(|a| a == first) =>
                {
                    format!("{stream}.{first}.>")
                }
                _ => format!("{stream}.>"),
            }
        }
    }
}

fn jetstream_error(err: impl std::fmt::Display) -> BusError {
    BusError::JetStream(err.to_string())
}

pub struct NatsSubscription {
    messages: consumer::pull::Stream,
}

impl NatsSubscription {
    pub(crate) async fn next(&mut self) -> Option<NatsDelivery> {
        loop {
            match self.messages.next().await? {
                Ok(message) => match serde_json::from_slice::<Event>(&message.payload) {
                    Ok(event) => return Some(NatsDelivery { message, event }),
                    Err(err) => {
                        // Not an event of ours: never deliver it again.
                        tracing::warn!(%err, subject = %message.subject, "dropping a malformed event");
                        let _ = message.ack_with(AckKind::Term).await;
                    }
                },
                Err(err) => {
                    // Heartbeat misses and reconnects: the stream goes on.
                    tracing::warn!(%err, "JetStream pull failed; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                }
            }
        }
    }
}

/// The messages of a tail's ephemeral consumer.
pub struct NatsTail {
    messages: consumer::pull::Stream,
    /// The consumer's sequence number of the last message: a jump means that
    /// messages were lost on the way (a reconnect).
    consumer_sequence: u64,
}

impl NatsTail {
    /// The next event; `Err` when messages were lost or the consumer failed
    /// (the caller starts a new tail); `None` when the connection is gone.
    pub(crate) async fn next(&mut self) -> Option<Result<Event, BusError>> {
        loop {
            let message = match self.messages.next().await? {
                Ok(message) => message,
                Err(err) => return Some(Err(jetstream_error(err))),
            };
            let sequence = match message.info() {
                Ok(info) => info.consumer_sequence,
                Err(err) => return Some(Err(jetstream_error(err))),
            };
            let expected = self.consumer_sequence + 1;
            self.consumer_sequence = sequence;
            if sequence != expected {
                return Some(Err(BusError::Lagged {
                    consumer: "tail".to_owned(),
                    missed: sequence.saturating_sub(expected),
                }));
            }
            match serde_json::from_slice::<Event>(&message.payload) {
                Ok(event) => return Some(Ok(event)),
                Err(err) => {
                    tracing::warn!(%err, subject = %message.subject, "tail: skipping a malformed event");
                }
            }
        }
    }
}

pub struct NatsDelivery {
    message: jetstream::Message,
    event: Event,
}

impl NatsDelivery {
    pub(crate) fn event(&self) -> &Event {
        &self.event
    }

    pub(crate) async fn ack(self) {
        if let Err(err) = self.message.ack().await {
            // The server delivers it again after the ack wait; consumers dedupe.
            tracing::warn!(%err, event = %self.event.id, "cannot acknowledge event");
        }
    }

    pub(crate) async fn nack(self, delay: Duration) {
        if let Err(err) = self.message.ack_with(AckKind::Nak(Some(delay))).await {
            tracing::warn!(%err, event = %self.event.id, "cannot reject event");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tail_filter;

    fn types(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| (*n).to_owned()).collect()
    }

    #[test]
    fn a_tail_filters_as_narrowly_as_one_subject_allows() {
        assert_eq!(
            tail_filter("S", &types(&["order.status_changed"])),
            "S.order.status_changed"
        );
        assert_eq!(
            tail_filter("S", &types(&["stock.reserved", "stock.released"])),
            "S.stock.>"
        );
        assert_eq!(
            tail_filter("S", &types(&["stock.reserved", "order.placed"])),
            "S.>"
        );
        assert_eq!(tail_filter("S", &types(&["odd", "stock.x"])), "S.>");
    }
}
