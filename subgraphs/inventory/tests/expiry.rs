//! Reservations nobody commits give their stock back by themselves.

mod support;

use std::time::Duration;

use shop_common::testing::first_error_code;
use support::Service;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_reservations_return_stock_without_any_call() {
    let service = Service::with_ttl(Duration::from_millis(200), Duration::from_millis(50)).await;
    let body = service.reserve("order-late", &[("prod-05", 18)]).await;
    assert!(body["errors"].is_null(), "{body}");
    let id = body["data"]["reserveStock"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(service.stock("prod-05").await, 0);

    // Only the background sweep can bring it back: nothing else is called.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while service.reservation(&id).await["status"] != "EXPIRED" {
        assert!(tokio::time::Instant::now() < deadline, "never expired");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(service.stock("prod-05").await, 18);

    // Expired is final: neither commit nor a second return of the units.
    let body = service.commit(&id).await;
    assert_eq!(first_error_code(&body), Some("CONFLICT"), "{body}");
    let body = service.release(&id).await;
    assert_eq!(body["data"]["releaseStock"]["status"], "EXPIRED", "{body}");
    assert_eq!(service.stock("prod-05").await, 18);
}

#[tokio::test]
async fn expiry_is_applied_before_reserving_and_committing() {
    // A sweep that never runs during the test: only the lazy paths can expire.
    let service = Service::start(|config| {
        config.seed = true;
        config.reservation_ttl = Duration::from_millis(100);
        config.expiry_interval = Duration::from_secs(3600);
    })
    .await;
    let body = service.reserve("order-a", &[("prod-22", 4)]).await;
    let first = body["data"]["reserveStock"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    // The interval's first tick fires at once; let it pass before expiry is due.
    tokio::time::sleep(Duration::from_millis(250)).await;

    // All 4 units are free again for the next order.
    let body = service.reserve("order-b", &[("prod-22", 4)]).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(service.reservation(&first).await["status"], "EXPIRED");

    // Committing a reservation past its time fails and returns its units.
    let second = body["data"]["reserveStock"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    tokio::time::sleep(Duration::from_millis(250)).await;
    let body = service.commit(&second).await;
    assert_eq!(first_error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(service.reservation(&second).await["status"], "EXPIRED");
    assert_eq!(service.stock("prod-22").await, 4);
}
