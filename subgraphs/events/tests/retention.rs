//! The in-process bus's retention: a log bounded by count and age, consumers that
//! fell behind it told how many events they missed, and deliveries in flight that
//! survive trimming. Time is paused (tokio's test clock), so ages of a few hundred
//! milliseconds pass without sleeping and nothing depends on the machine's speed.

use std::time::Duration;

use serde_json::json;
use shop_events::{BusError, Delivery, Event, EventBus, MemoryLimits, Subscription};

const PLACED: &str = "order.placed";

fn bus(max_msgs: usize, max_age: Duration) -> EventBus {
    EventBus::memory_with_limits(MemoryLimits { max_msgs, max_age })
}

fn placed(n: usize) -> Event {
    Event::new(PLACED, format!("o-{n:04}"), json!({ "n": n }))
}

fn json_len(events: &[Event]) -> usize {
    events
        .iter()
        .map(|e| serde_json::to_vec(e).unwrap().len())
        .sum()
}

async fn publish_all(bus: &EventBus, events: &[Event]) {
    for event in events {
        bus.publish(event).await.unwrap();
    }
}

/// The next delivery or error; the timeout only guards against a hang (the clock
/// is paused, so it passes at once when nothing else can happen).
async fn next(sub: &mut Subscription) -> Result<Delivery, BusError> {
    tokio::time::timeout(Duration::from_secs(60), sub.next())
        .await
        .expect("a delivery or an error")
        .expect("subscription open")
}

async fn next_event(sub: &mut Subscription) -> Delivery {
    next(sub).await.expect("a delivery, not an error")
}

async fn nothing_more(sub: &mut Subscription) {
    match tokio::time::timeout(Duration::from_secs(60), sub.next()).await {
        Ok(Some(Ok(delivery))) => panic!("unexpected delivery {:?}", delivery.event()),
        Ok(Some(Err(err))) => panic!("unexpected error {err}"),
        Ok(None) | Err(_) => {}
    }
}

async fn receive_acked(sub: &mut Subscription, count: usize) -> Vec<Event> {
    let mut events = Vec::new();
    for _ in 0..count {
        let delivery = next_event(sub).await;
        events.push(delivery.event().clone());
        delivery.ack().await;
    }
    events
}

#[tokio::test(start_paused = true)]
async fn the_log_keeps_the_newest_max_msgs_events() {
    let bus = bus(3, Duration::from_secs(3600));
    let events: Vec<Event> = (0..5).map(placed).collect();
    publish_all(&bus, &events).await;

    let stats = bus.stats().unwrap();
    assert_eq!(stats.published, 5);
    assert_eq!(stats.retained, 3);
    assert_eq!(stats.retained_bytes, json_len(&events[2..]));

    // A new consumer starts at the oldest retained event: nothing to report.
    let mut late = bus.subscribe("late", &[PLACED]).await.unwrap();
    assert_eq!(receive_acked(&mut late, 3).await, events[2..]);
    nothing_more(&mut late).await;
}

#[tokio::test(start_paused = true)]
async fn events_older_than_max_age_are_dropped_and_a_waiting_consumer_is_told() {
    let bus = bus(100, Duration::from_millis(200));
    let mut idle = bus.subscribe("idle", &[PLACED]).await.unwrap();
    let old: Vec<Event> = (0..3).map(placed).collect();
    publish_all(&bus, &old).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(bus.stats().unwrap().retained, 3, "not yet old enough");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let fresh = placed(3);
    bus.publish(&fresh).await.unwrap();

    let stats = bus.stats().unwrap();
    assert_eq!((stats.published, stats.retained), (4, 1));
    assert_eq!(stats.retained_bytes, json_len(std::slice::from_ref(&fresh)));

    let mut late = bus.subscribe("late", &[PLACED]).await.unwrap();
    assert_eq!(receive_acked(&mut late, 1).await, vec![fresh.clone()]);

    match next(&mut idle).await {
        Err(BusError::Lagged { consumer, missed }) => {
            assert_eq!((consumer.as_str(), missed), ("idle", 3));
        }
        Err(err) => panic!("unexpected error {err}"),
        Ok(delivery) => panic!("expected a lag error, got {:?}", delivery.event()),
    }
    assert_eq!(receive_acked(&mut idle, 1).await, vec![fresh]);

    // Expiry needs no publish: reading the stats trims too.
    tokio::time::sleep(Duration::from_millis(250)).await;
    let stats = bus.stats().unwrap();
    assert_eq!((stats.retained, stats.retained_bytes), (0, 0));
}

#[tokio::test(start_paused = true)]
async fn a_consumer_that_fell_behind_gets_the_count_it_missed_then_continues() {
    let bus = bus(3, Duration::from_secs(3600));
    let mut slow = bus.subscribe("slow", &[PLACED]).await.unwrap();
    // Events of other types are trimmed too but are not the consumer's loss.
    for n in 0..2 {
        let other = Event::new("payment.succeeded", format!("p-{n}"), json!({}));
        bus.publish(&other).await.unwrap();
    }
    let events: Vec<Event> = (0..10).map(placed).collect();
    publish_all(&bus, &events).await;

    let err = next(&mut slow).await.err().expect("a lag error first");
    let message = err.to_string();
    assert!(
        matches!(&err, BusError::Lagged { consumer, missed: 7 } if consumer == "slow"),
        "{message}"
    );
    assert!(
        message.contains("\"slow\"") && message.contains("missed 7"),
        "{message}"
    );

    assert_eq!(receive_acked(&mut slow, 3).await, events[7..]);
    nothing_more(&mut slow).await;
    let stats = bus.stats().unwrap();
    let slow_stats = stats.consumers.iter().find(|c| c.name == "slow").unwrap();
    assert_eq!(
        (slow_stats.missed, slow_stats.pending, slow_stats.in_flight),
        (7, 0, 0)
    );
}

#[tokio::test(start_paused = true)]
async fn a_nacked_event_comes_back_after_the_log_was_trimmed_past_it() {
    let bus = bus(2, Duration::from_secs(3600));
    let mut sub = bus.subscribe("holder", &[PLACED]).await.unwrap();
    let events: Vec<Event> = (0..4).map(placed).collect();
    bus.publish(&events[0]).await.unwrap();
    let held = next_event(&mut sub).await;
    for event in &events[1..] {
        bus.publish(event).await.unwrap();
        let delivery = next_event(&mut sub).await;
        assert_eq!(delivery.event(), event);
        if event != &events[3] {
            delivery.ack().await;
        } else {
            // Unanswered as well: a second event in flight.
            delivery.nack(Duration::ZERO).await;
        }
    }
    let stats = bus.stats().unwrap();
    assert_eq!(stats.retained, 2, "events[0] is out of the log");
    assert_eq!(stats.consumers[0].redeliveries, 1);
    assert_eq!(stats.consumers[0].in_flight, 1);

    held.nack(Duration::from_millis(50)).await;
    // Due now first, then the one due in 50 ms.
    assert_eq!(
        receive_acked(&mut sub, 2).await,
        vec![events[3].clone(), events[0].clone()]
    );
    nothing_more(&mut sub).await;
    let stats = bus.stats().unwrap();
    assert_eq!(
        (
            stats.consumers[0].in_flight,
            stats.consumers[0].redeliveries,
            stats.consumers[0].missed
        ),
        (0, 0, 0)
    );
}

#[tokio::test(start_paused = true)]
async fn a_delivery_dropped_unanswered_comes_back_after_the_log_was_trimmed_past_it() {
    let bus = bus(1, Duration::from_secs(3600));
    let mut sub = bus.subscribe("dropper", &[PLACED]).await.unwrap();
    let first = placed(0);
    bus.publish(&first).await.unwrap();
    let delivery = next_event(&mut sub).await;
    let second = placed(1);
    bus.publish(&second).await.unwrap();
    assert_eq!(bus.stats().unwrap().retained, 1);
    // As when a handler panics or is cancelled.
    drop(delivery);
    assert_eq!(receive_acked(&mut sub, 2).await, vec![first, second]);
    nothing_more(&mut sub).await;
}

#[tokio::test(start_paused = true)]
async fn many_publishes_keep_the_retained_count_and_bytes_at_the_limit() {
    let bus = bus(100, Duration::from_secs(3600));
    let mut keeping_up = bus.subscribe("keeping-up", &[PLACED]).await.unwrap();
    let mut events = Vec::new();
    for n in 0..5_000 {
        let event = placed(n);
        bus.publish(&event).await.unwrap();
        if n % 50 == 49 {
            // Reads in batches, never more than the log holds behind.
            assert_eq!(
                receive_acked(&mut keeping_up, 50).await,
                events[n - 49..n]
                    .iter()
                    .cloned()
                    .chain([event.clone()])
                    .collect::<Vec<_>>()
            );
        }
        events.push(event);
        let stats = bus.stats().unwrap();
        assert!(stats.retained <= 100);
    }
    let stats = bus.stats().unwrap();
    assert_eq!((stats.published, stats.retained), (5_000, 100));
    assert_eq!(stats.retained_bytes, json_len(&events[4_900..]));
    let max_len = events
        .iter()
        .map(|e| serde_json::to_vec(e).unwrap().len())
        .max()
        .unwrap();
    assert!(stats.retained_bytes <= 100 * max_len);
    let consumer = &stats.consumers[0];
    assert_eq!(
        (consumer.name.as_str(), consumer.pending, consumer.missed),
        ("keeping-up", 0, 0)
    );
}

#[tokio::test(start_paused = true)]
async fn subscribers_sharing_a_name_share_the_work() {
    let bus = EventBus::memory();
    let mut one = bus.subscribe("workers", &[PLACED]).await.unwrap();
    let mut two = bus.subscribe("workers", &[PLACED]).await.unwrap();
    let events: Vec<Event> = (0..2).map(placed).collect();
    publish_all(&bus, &events).await;
    let first = next_event(&mut one).await;
    let second = next_event(&mut two).await;
    assert_eq!(vec![first.event().clone(), second.event().clone()], events);
    first.ack().await;
    second.ack().await;
    nothing_more(&mut one).await;
    nothing_more(&mut two).await;
}

#[tokio::test]
async fn the_spec_string_sets_the_limits() {
    let bus = EventBus::connect("memory?max_msgs=5000&max_age=10m")
        .await
        .unwrap();
    assert_eq!(
        bus.stats().unwrap().limits,
        MemoryLimits {
            max_msgs: 5000,
            max_age: Duration::from_secs(600)
        }
    );
    assert_eq!(
        EventBus::connect("memory")
            .await
            .unwrap()
            .stats()
            .unwrap()
            .limits,
        MemoryLimits::default()
    );
    for bad in [
        "memory?max_msgs=lots",
        "memory?max_age=-5s",
        "memory?max_msgs=0",
        "memory?size=1",
    ] {
        match EventBus::connect(bad).await {
            Err(BusError::InvalidSpec { spec, .. }) => assert_eq!(spec, bad),
            other => panic!("{bad}: expected InvalidSpec, got {other:?}"),
        }
    }
}
