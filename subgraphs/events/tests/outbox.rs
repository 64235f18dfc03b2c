//! The outbox relay and the idempotent consumer, on a real database (SQLite, or
//! PostgreSQL with `SHOP_TEST_POSTGRES`).

use std::time::Duration;

use sea_orm::{DatabaseConnection, TransactionTrait};
use serde_json::json;
use shop_common::testing::TestDb;
use shop_events::{Event, EventBus, inbox, outbox};

async fn database(db: &TestDb) -> DatabaseConnection {
    let conn = shop_common::db::connect(&db.url).await.unwrap();
    events_tables_migration::v1::create_tables(&conn)
        .await
        .unwrap();
    conn
}

#[tokio::test]
async fn the_relay_publishes_each_committed_event_once_and_skips_rolled_back_ones() {
    let test_db = TestDb::new("events").await;
    let db = database(&test_db).await;
    let bus = EventBus::memory();
    let mut sub = bus.subscribe("observer", &["order.placed"]).await.unwrap();

    let kept = Event::new("order.placed", "o-1", json!({ "total": 5 }));
    let txn = db.begin().await.unwrap();
    outbox::record(&txn, &kept).await.unwrap();
    txn.commit().await.unwrap();
    let dropped = Event::new("order.placed", "o-2", json!({}));
    let txn = db.begin().await.unwrap();
    outbox::record(&txn, &dropped).await.unwrap();
    txn.rollback().await.unwrap();

    assert_eq!(outbox::relay_once(&db, &bus).await.unwrap(), 1);
    assert_eq!(outbox::relay_once(&db, &bus).await.unwrap(), 0, "marked");
    let delivery = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    assert_eq!(delivery.event(), &kept);
    delivery.ack().await;
    assert!(
        tokio::time::timeout(Duration::from_millis(200), sub.next())
            .await
            .is_err()
    );
    assert!(outbox::unpublished(&db, 10).await.unwrap().is_empty());
    assert_eq!(outbox::events_of(&db, "o-1").await.unwrap(), vec![kept]);
}

#[tokio::test]
async fn the_spawned_relay_publishes_when_woken() {
    let test_db = TestDb::new("events").await;
    let db = database(&test_db).await;
    let bus = EventBus::memory();
    let mut sub = bus.subscribe("observer", &["order.placed"]).await.unwrap();
    let relay = outbox::Relay::spawn(db.clone(), bus.clone(), Duration::from_secs(3600));
    let event = Event::new("order.placed", "o-3", json!({}));
    outbox::record(&db, &event).await.unwrap();
    relay.wake();
    let delivery = tokio::time::timeout(Duration::from_secs(5), sub.next())
        .await
        .expect("published without waiting for the poll")
        .unwrap()
        .unwrap();
    assert_eq!(delivery.event().id, event.id);
}

#[tokio::test]
async fn a_consumer_handles_an_event_once() {
    let test_db = TestDb::new("events").await;
    let db = database(&test_db).await;
    let event = Event::new("order.cancelled", "o-4", json!({}));

    let txn = inbox::begin_once(&db, "payments", &event)
        .await
        .unwrap()
        .expect("first delivery");
    txn.commit().await.unwrap();
    assert!(
        inbox::begin_once(&db, "payments", &event)
            .await
            .unwrap()
            .is_none(),
        "second delivery is skipped"
    );
    // Another consumer of the same event is independent.
    let other = inbox::begin_once(&db, "inventory", &event).await.unwrap();
    assert!(other.is_some());
    // A reaction rolled back leaves the event unprocessed.
    other.unwrap().rollback().await.unwrap();
    assert!(
        inbox::begin_once(&db, "inventory", &event)
            .await
            .unwrap()
            .is_some()
    );
}
