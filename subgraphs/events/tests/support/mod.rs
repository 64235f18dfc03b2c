//! The buses every contract test runs against: the in-process bus always, and
//! NATS JetStream when `SHOP_TEST_NATS` names one (each call on a stream of its
//! own, so tests never see each other's events).

use shop_events::EventBus;

pub async fn buses() -> Vec<EventBus> {
    let mut buses = vec![EventBus::memory()];
    if let Some(url) = shop_common::testing::nats_url() {
        let stream = format!("TEST_{}", uuid::Uuid::new_v4().simple());
        buses.push(
            EventBus::connect(&format!("{url}?stream={stream}"))
                .await
                .expect("connect to NATS"),
        );
    }
    buses
}
