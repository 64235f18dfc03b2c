//! The bus contract, run against the in-process bus always and against NATS
//! JetStream when `SHOP_TEST_NATS` is set (e.g. `nats://127.0.0.1:4222`; each test
//! uses its own stream and deletes it). With `CI` set it must be: a URL, or
//! `skip` (see `shop_common::testing::nats_url`).

mod support;

use std::time::Duration;

use serde_json::json;
use shop_events::{Event, EventBus, Subscription};
use support::buses;

/// Within the JetStream ack wait (10 s) and some: an event the server handed to a
/// subscriber that went away comes back only after it.
async fn next(sub: &mut Subscription) -> shop_events::Delivery {
    tokio::time::timeout(Duration::from_secs(15), sub.next())
        .await
        .expect("a delivery within 15 s")
        .expect("subscription open")
        .expect("no events lost")
}

async fn nothing_within(sub: &mut Subscription, wait: Duration) {
    match tokio::time::timeout(wait, sub.next()).await {
        Ok(Some(Ok(delivery))) => panic!("unexpected delivery {:?}", delivery.event()),
        Ok(Some(Err(err))) => panic!("unexpected error {err}"),
        Ok(None) | Err(_) => {}
    }
}

#[tokio::test]
async fn late_subscribers_see_earlier_events_and_only_their_types() {
    for bus in buses().await {
        let placed = Event::new("order.placed", "o-1", json!({ "n": 1 }));
        let other = Event::new("payment.succeeded", "p-1", json!({}));
        bus.publish(&placed).await.unwrap();
        bus.publish(&other).await.unwrap();
        let mut sub = bus.subscribe("late", &["order.placed"]).await.unwrap();
        let delivery = next(&mut sub).await;
        assert_eq!(delivery.event(), &placed);
        delivery.ack().await;
        nothing_within(&mut sub, Duration::from_millis(300)).await;
        bus.destroy().await.unwrap();
    }
}

#[tokio::test]
async fn a_rejected_event_comes_back_and_an_acked_one_does_not() {
    for bus in buses().await {
        let mut sub = bus.subscribe("retrying", &["order.placed"]).await.unwrap();
        let event = Event::new("order.placed", "o-2", json!({}));
        bus.publish(&event).await.unwrap();
        let first = next(&mut sub).await;
        assert_eq!(first.event().id, event.id);
        first.nack(Duration::from_millis(50)).await;
        let again = next(&mut sub).await;
        assert_eq!(again.event().id, event.id, "redelivered after a nack");
        again.ack().await;
        nothing_within(&mut sub, Duration::from_millis(300)).await;
        bus.destroy().await.unwrap();
    }
}

#[tokio::test]
async fn consumers_each_get_every_event_and_continue_where_they_left_off() {
    for bus in buses().await {
        let mut a = bus.subscribe("a", &["order.placed"]).await.unwrap();
        let mut b = bus.subscribe("b", &["order.placed"]).await.unwrap();
        let first = Event::new("order.placed", "o-3", json!({}));
        bus.publish(&first).await.unwrap();
        for sub in [&mut a, &mut b] {
            let delivery = next(sub).await;
            assert_eq!(delivery.event().id, first.id);
            delivery.ack().await;
        }
        drop(a);
        let second = Event::new("order.placed", "o-4", json!({}));
        bus.publish(&second).await.unwrap();
        let mut a = bus.subscribe("a", &["order.placed"]).await.unwrap();
        let delivery = next(&mut a).await;
        assert_eq!(
            delivery.event().id,
            second.id,
            "durable: only the new event"
        );
        delivery.ack().await;
        bus.destroy().await.unwrap();
    }
}

#[tokio::test]
async fn jetstream_drops_a_republished_event() {
    let Some(bus) = buses().await.into_iter().nth(1) else {
        return;
    };
    let mut sub = bus.subscribe("dedupe", &["order.placed"]).await.unwrap();
    let event = Event::new("order.placed", "o-5", json!({}));
    bus.publish(&event).await.unwrap();
    bus.publish(&event).await.unwrap();
    next(&mut sub).await.ack().await;
    nothing_within(&mut sub, Duration::from_millis(500)).await;
    bus.destroy().await.unwrap();
}

#[tokio::test]
async fn jetstream_takes_its_stream_limits_from_the_spec() {
    let Some(url) = shop_common::testing::nats_url() else {
        return;
    };
    let stream = format!("TEST_{}", uuid::Uuid::new_v4().simple());
    let bus = EventBus::connect(&format!("{url}?stream={stream}&max_msgs=3&max_age=1h"))
        .await
        .expect("connect to NATS");
    let events: Vec<Event> = (0..5)
        .map(|n| Event::new("order.placed", format!("o-{n}"), json!({})))
        .collect();
    for event in &events {
        bus.publish(event).await.unwrap();
    }
    let mut sub = bus.subscribe("limited", &["order.placed"]).await.unwrap();
    for event in &events[2..] {
        let delivery = next(&mut sub).await;
        assert_eq!(delivery.event(), event);
        delivery.ack().await;
    }
    nothing_within(&mut sub, Duration::from_millis(300)).await;
    drop(sub);
    // Limits given again for the existing stream update it.
    let again = EventBus::connect(&format!("{url}?stream={stream}&max_msgs=1"))
        .await
        .expect("connect to NATS");
    let mut sub = again
        .subscribe("after-update", &["order.placed"])
        .await
        .unwrap();
    assert_eq!(next(&mut sub).await.event(), &events[4]);
    nothing_within(&mut sub, Duration::from_millis(300)).await;
    again.destroy().await.unwrap();
}

#[tokio::test]
async fn unknown_bus_specs_are_refused() {
    assert!(EventBus::connect("kafka://x").await.is_err());
    assert!(
        EventBus::connect("nats://127.0.0.1:4222?stream=bad.name")
            .await
            .is_err()
    );
}
