//! Subscriptions over HTTP: the response body is the stream.
//!
//! - Server-Sent Events (graphql-sse, "distinct connections" mode): a `next`
//!   event per response, `complete` at the end; a comment line as heartbeat.
//!   A failure is a `next` whose payload holds only `errors`, then `complete`.
//! - Multipart HTTP (Apollo's subscription protocol): `multipart/mixed;
//!   boundary="-"; subscriptionSpec="1.0"`, one JSON part per event,
//!   `{"payload": response}`; `{}` as heartbeat; a failure is
//!   `{"payload": null, "errors": [...]}`; the closing boundary at the end.
//!
//! Each body holds a [`StreamSlot`] until it ends or the client goes away.

use std::convert::Infallible;
use std::time::Duration;

use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, header};
use serde_json::{Value, json};
use switchyard_executor::GraphQLError;

use super::{EventStream, StreamSlot, SubscriptionEvent};
use crate::server::multipart::{SUBSCRIPTION_CONTENT_TYPE, multipart_body};

/// Where a stream stands.
enum Phase {
    Streaming(EventStream, StreamSlot),
    /// The last event is out: `complete` (or the closing boundary) follows.
    Ending,
    Done,
}

/// The events as Server-Sent Events.
pub(crate) fn sse(events: EventStream, slot: StreamSlot, heartbeat: Duration) -> Response {
    let stream = futures::stream::unfold(Phase::Streaming(events, slot), |phase| async move {
        match phase {
            Phase::Streaming(mut events, slot) => match events.recv().await {
                Some(event) => {
                    let ending = matches!(event, SubscriptionEvent::Failed(_));
                    let next = Event::default()
                        .event("next")
                        .data(payload(event).to_string());
                    let phase = if ending {
                        Phase::Ending
                    } else {
                        Phase::Streaming(events, slot)
                    };
                    Some((Ok::<_, Infallible>(next), phase))
                }
                None => Some((Ok(Event::default().event("complete")), Phase::Done)),
            },
            Phase::Ending => Some((Ok(Event::default().event("complete")), Phase::Done)),
            Phase::Done => None,
        }
    });
    let mut response = Sse::new(stream)
        .keep_alive(KeepAlive::new().interval(heartbeat).text(""))
        .into_response();
    no_buffering(&mut response);
    response
}

/// One response as an event stream: `next`, then `complete`.
pub(crate) fn single_event(response: switchyard_executor::Response) -> Response {
    let events = [
        Event::default()
            .event("next")
            .data(payload(SubscriptionEvent::Next(response)).to_string()),
        Event::default().event("complete"),
    ];
    let stream = futures::stream::iter(events.map(Ok::<_, Infallible>));
    let mut response = Sse::new(stream).into_response();
    no_buffering(&mut response);
    response
}

/// The events as a multipart response (`server::multipart` writes the parts).
pub(crate) fn multipart(events: EventStream, slot: StreamSlot, heartbeat: Duration) -> Response {
    struct State {
        /// `None` once a failure was sent: nothing follows it.
        events: Option<EventStream>,
        heartbeat: tokio::time::Interval,
        _slot: StreamSlot,
    }
    let mut interval = tokio::time::interval(heartbeat);
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let start = State {
        events: Some(events),
        heartbeat: interval,
        _slot: slot,
    };
    let parts = futures::stream::unfold(start, |mut state| async move {
        let events = state.events.as_mut()?;
        let part = tokio::select! {
            event = events.recv() => match event? {
                SubscriptionEvent::Next(response) => json!({ "payload": response }),
                SubscriptionEvent::Failed(errors) => {
                    state.events = None;
                    json!({ "payload": null, "errors": errors })
                }
            },
            // The first tick is at once: the client sees the stream is open.
            _ = state.heartbeat.tick() => json!({}),
        };
        // A `Value` always serialises.
        Some((serde_json::to_vec(&part).unwrap_or_default(), state))
    });
    let mut response = Response::new(multipart_body(parts));
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(SUBSCRIPTION_CONTENT_TYPE),
    );
    no_buffering(&mut response);
    response
}

/// The JSON payload of an SSE `next` event.
fn payload(event: SubscriptionEvent) -> Value {
    match event {
        SubscriptionEvent::Next(response) => serde_json::to_value(response).unwrap_or_else(
            |_| json!({ "errors": [{ "message": "the event could not be encoded" }] }),
        ),
        SubscriptionEvent::Failed(errors) => errors_payload(&errors),
    }
}

pub(crate) fn errors_payload(errors: &[GraphQLError]) -> Value {
    json!({ "errors": errors })
}

/// Proxies (nginx) would otherwise hold events back to fill their buffers.
fn no_buffering(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
}
