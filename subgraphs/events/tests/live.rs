//! Tails and the live feed, against the in-process bus always and against NATS
//! JetStream when `SHOP_TEST_NATS` is set (each test on its own stream).

mod support;

use std::time::Duration;

use serde_json::json;
use shop_events::live::{KeyWatch, LiveFeed};
use shop_events::{BusError, Event, EventBus, MemoryBus};
use support::buses;

const DEADLINE: Duration = Duration::from_secs(15);

async fn woken(watch: &mut KeyWatch) {
    tokio::time::timeout(DEADLINE, watch.changed())
        .await
        .unwrap_or_else(|_| panic!("{} was not woken within 15 s", watch.key()));
}

async fn not_woken(watch: &mut KeyWatch, wait: Duration) {
    if tokio::time::timeout(wait, watch.changed()).await.is_ok() {
        panic!("{} was woken", watch.key());
    }
}

#[tokio::test]
async fn a_tail_starts_at_the_next_event_and_keeps_to_its_types() {
    for bus in buses().await {
        bus.publish(&Event::new("order.status_changed", "before", json!({})))
            .await
            .unwrap();
        let mut tail = bus.tail(&["order.status_changed"]).await.unwrap();
        let other = Event::new("order.placed", "o-1", json!({}));
        let wanted = Event::new(
            "order.status_changed",
            "o-1",
            json!({ "status": "PENDING" }),
        );
        bus.publish(&other).await.unwrap();
        bus.publish(&wanted).await.unwrap();
        let next = tokio::time::timeout(DEADLINE, tail.next())
            .await
            .expect("an event within 15 s")
            .expect("tail open")
            .expect("nothing lost");
        assert_eq!(
            *next, wanted,
            "the earlier event and other types are skipped"
        );
        bus.destroy().await.unwrap();
    }
}

#[tokio::test]
async fn every_process_tail_gets_every_event() {
    for bus in buses().await {
        let mut first = bus.tail(&["stock.reserved"]).await.unwrap();
        let mut second = bus.tail(&["stock.reserved"]).await.unwrap();
        let event = Event::new("stock.reserved", "r-1", json!({}));
        bus.publish(&event).await.unwrap();
        for tail in [&mut first, &mut second] {
            let next = tokio::time::timeout(DEADLINE, tail.next())
                .await
                .unwrap()
                .unwrap()
                .unwrap();
            assert_eq!(*next, event);
        }
        bus.destroy().await.unwrap();
    }
}

#[tokio::test]
async fn an_in_process_tail_that_fell_behind_says_how_much_it_missed() {
    let bus = EventBus::Memory(MemoryBus::default());
    let mut tail = bus.tail(&["stock.reserved"]).await.unwrap();
    for n in 0..1030 {
        bus.publish(&Event::new("stock.reserved", format!("r-{n}"), json!({})))
            .await
            .unwrap();
    }
    match tail.next().await {
        Some(Err(BusError::Lagged { missed, .. })) => assert_eq!(missed, 6),
        other => panic!("expected a lag, got {:?}", other.map(|r| r.map(|e| e.id))),
    }
}

fn order_keys(event: &Event) -> Vec<String> {
    vec![event.aggregate_id.clone()]
}

#[tokio::test]
async fn a_watch_wakes_on_events_about_its_key_only() {
    for bus in buses().await {
        let feed = LiveFeed::spawn(bus.clone(), "test", &["order.status_changed"], order_keys);
        let mut mine = feed.watch("o-1");
        let mut other = feed.watch("o-2");
        // The feed bumps every key when its tail starts; let that pass first.
        woken(&mut mine).await;
        woken(&mut other).await;

        bus.publish(&Event::new("order.status_changed", "o-1", json!({})))
            .await
            .unwrap();
        woken(&mut mine).await;
        not_woken(&mut other, Duration::from_millis(300)).await;

        // A burst collapses into one wake-up: the watch holds a number, not a queue.
        for _ in 0..50 {
            bus.publish(&Event::new("order.status_changed", "o-1", json!({})))
                .await
                .unwrap();
        }
        woken(&mut mine).await;
        bus.publish(&Event::new("order.placed", "o-1", json!({})))
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        // The burst may still be arriving on JetStream; drain it, then nothing more.
        while tokio::time::timeout(Duration::from_millis(500), mine.changed())
            .await
            .is_ok()
        {}
        not_woken(&mut mine, Duration::from_millis(300)).await;
        bus.destroy().await.unwrap();
    }
}

#[tokio::test]
async fn keys_are_forgotten_with_their_last_watch() {
    let feed = LiveFeed::spawn(EventBus::memory(), "test", &["x.y"], order_keys);
    let first = feed.watch("k");
    let second = feed.watch("k");
    let other = feed.watch("j");
    assert_eq!(feed.watched_keys(), 2);
    drop(first);
    assert_eq!(feed.watched_keys(), 2, "k is still watched");
    drop(second);
    assert_eq!(feed.watched_keys(), 1);
    drop(other);
    assert_eq!(feed.watched_keys(), 0);
}

#[tokio::test]
async fn a_tail_that_lost_events_wakes_every_watch() {
    let bus = EventBus::memory();
    let feed = LiveFeed::spawn(bus.clone(), "test", &["x.changed"], order_keys);
    let mut quiet = feed.watch("never-named");
    woken(&mut quiet).await;
    // More than the in-process tail holds, published without yielding to the
    // feed's task: it falls behind, and cannot know which keys it missed.
    for n in 0..1100 {
        bus.publish(&Event::new("x.changed", format!("k-{n}"), json!({})))
            .await
            .unwrap();
    }
    woken(&mut quiet).await;
}
