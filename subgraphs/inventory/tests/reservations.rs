//! Reserving, releasing, committing and restocking, through HTTP.

mod support;

use serde_json::Value;
use shop_common::testing::first_error_code;
use support::Service;

fn reserved(body: &Value) -> &Value {
    assert!(body["errors"].is_null(), "{body}");
    &body["data"]["reserveStock"]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn fifty_concurrent_orders_for_ten_units_never_oversell() {
    let service = Service::seeded().await;
    let body = service.restock("hot-item", 10).await;
    assert_eq!(body["data"]["restock"], 10, "{body}");

    let calls = (0..50).map(|n| {
        let service = &service;
        async move {
            service
                .reserve(&format!("order-{n}"), &[("hot-item", 1)])
                .await
        }
    });
    let results = futures::future::join_all(calls).await;
    let mut successes = 0;
    for body in &results {
        if body["errors"].is_null() {
            assert_eq!(body["data"]["reserveStock"]["status"], "ACTIVE", "{body}");
            successes += 1;
        } else {
            assert_eq!(first_error_code(body), Some("OUT_OF_STOCK"), "{body}");
            assert_eq!(body["errors"][0]["extensions"]["productId"], "hot-item");
        }
    }
    assert_eq!(successes, 10);
    assert_eq!(service.stock("hot-item").await, 0);
}

#[tokio::test]
async fn all_or_nothing_when_one_item_is_short() {
    let service = Service::seeded().await;
    // prod-01 has 25 units, prod-06 has 7.
    let body = service
        .reserve("order-short", &[("prod-01", 3), ("prod-06", 8)])
        .await;
    assert_eq!(first_error_code(&body), Some("OUT_OF_STOCK"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("prod-06"), "{message}");
    assert_eq!(service.stock("prod-01").await, 25);
    assert_eq!(service.stock("prod-06").await, 7);

    // Unknown products have no stock to take either.
    let body = service
        .reserve("order-unknown", &[("prod-01", 1), ("nope", 1)])
        .await;
    assert_eq!(first_error_code(&body), Some("OUT_OF_STOCK"), "{body}");
    assert_eq!(service.stock("prod-01").await, 25);

    // The same order may try again once the shortfall is gone.
    let body = service
        .reserve("order-short", &[("prod-01", 3), ("prod-06", 7)])
        .await;
    assert_eq!(reserved(&body)["status"], "ACTIVE");
    assert_eq!(service.stock("prod-01").await, 22);
    assert_eq!(service.stock("prod-06").await, 0);
}

#[tokio::test]
async fn same_order_twice_returns_the_first_reservation_and_duplicates_merge() {
    let service = Service::seeded().await;
    let body = service
        .reserve("order-1", &[("prod-02", 2), ("prod-01", 1), ("prod-02", 3)])
        .await;
    let first = reserved(&body).clone();
    assert_eq!(first["orderId"], "order-1");
    assert_eq!(
        first["items"],
        serde_json::json!([
            { "productId": "prod-01", "quantity": 1 },
            { "productId": "prod-02", "quantity": 5 },
        ])
    );
    assert_eq!(service.stock("prod-02").await, 35);

    // A retry with the same units, however the lines are written.
    let body = service
        .reserve("order-1", &[("prod-02", 5), ("prod-01", 1)])
        .await;
    assert_eq!(reserved(&body)["id"], first["id"]);
    assert_eq!(service.stock("prod-02").await, 35, "no second hold");

    // The same order id for other units is refused, and the first hold stands.
    let body = service.reserve("order-1", &[("prod-02", 2)]).await;
    assert_eq!(first_error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(service.stock("prod-02").await, 35);

    let id = first["id"].as_str().unwrap();
    assert_eq!(service.reservation(id).await, first);
}

#[tokio::test]
async fn invalid_input_is_bad_user_input() {
    let service = Service::seeded().await;
    for items in [
        vec![("prod-01", 0)],
        vec![("prod-01", -2)],
        vec![("prod-01", 1), ("prod-02", 0)],
        vec![],
    ] {
        let body = service.reserve("order-bad", &items).await;
        assert_eq!(
            first_error_code(&body),
            Some("BAD_USER_INPUT"),
            "{items:?}: {body}"
        );
    }
    let body = service.reserve("", &[("prod-01", 1)]).await;
    assert_eq!(first_error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    assert_eq!(service.stock("prod-01").await, 25);

    for quantity in [0, -5] {
        let body = service.restock("prod-01", quantity).await;
        assert_eq!(first_error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    assert!(service.reservation("missing").await.is_null());
    for body in [
        service.release("missing").await,
        service.commit("missing").await,
    ] {
        assert_eq!(first_error_code(&body), Some("NOT_FOUND"), "{body}");
    }
}

#[tokio::test]
async fn release_returns_the_units_once() {
    let service = Service::seeded().await;
    let body = service.reserve("order-r", &[("prod-03", 5)]).await;
    let id = reserved(&body)["id"].as_str().unwrap().to_owned();
    assert_eq!(service.stock("prod-03").await, 7);

    let body = service.release(&id).await;
    assert_eq!(body["data"]["releaseStock"]["status"], "RELEASED", "{body}");
    assert_eq!(service.stock("prod-03").await, 12);

    let body = service.release(&id).await;
    assert_eq!(body["data"]["releaseStock"]["status"], "RELEASED", "{body}");
    assert_eq!(service.stock("prod-03").await, 12, "released only once");

    let body = service.commit(&id).await;
    assert_eq!(first_error_code(&body), Some("CONFLICT"), "{body}");
}

#[tokio::test]
async fn commit_sells_the_units_for_good() {
    let service = Service::seeded().await;
    let body = service.reserve("order-c", &[("prod-09", 4)]).await;
    let id = reserved(&body)["id"].as_str().unwrap().to_owned();
    let body = service.commit(&id).await;
    assert_eq!(
        body["data"]["commitReservation"]["status"], "COMMITTED",
        "{body}"
    );
    let body = service.commit(&id).await;
    assert_eq!(
        body["data"]["commitReservation"]["status"], "COMMITTED",
        "{body}"
    );
    assert_eq!(service.stock("prod-09").await, 5);

    let body = service.release(&id).await;
    assert_eq!(first_error_code(&body), Some("CONFLICT"), "{body}");
    assert_eq!(service.stock("prod-09").await, 5);
    assert_eq!(service.reservation(&id).await["status"], "COMMITTED");
}

#[tokio::test]
async fn restock_adds_units_and_creates_unknown_products() {
    let service = Service::seeded().await;
    let body = service.restock("prod-04", 6).await;
    assert_eq!(body["data"]["restock"], 6, "{body}");
    let body = service.restock("prod-04", 4).await;
    assert_eq!(body["data"]["restock"], 10, "{body}");
    assert_eq!(service.stock("prod-04").await, 10);

    let body = service.restock("brand-new", 3).await;
    assert_eq!(body["data"]["restock"], 3, "{body}");
    let body = service.reserve("order-new", &[("brand-new", 3)]).await;
    assert_eq!(reserved(&body)["status"], "ACTIVE");
    assert_eq!(service.stock("brand-new").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_of_one_order_hold_stock_once() {
    let service = Service::seeded().await;
    let calls = (0..10).map(|_| service.reserve("order-retried", &[("prod-21", 2)]));
    let results = futures::future::join_all(calls).await;
    let first_id = reserved(&results[0])["id"].clone();
    for body in &results {
        assert_eq!(reserved(body)["id"], first_id);
    }
    assert_eq!(service.stock("prod-21").await, 48);
}

#[tokio::test]
async fn restarting_with_seed_keeps_the_stock_as_it_is() {
    let service = Service::seeded().await;
    let body = service
        .reserve("order-before-restart", &[("prod-01", 5)])
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let url = service.db.url.clone();
    drop(service.server);
    let mut config = shop_inventory::Config::new(url);
    config.seed = true;
    let app = shop_inventory::build_app(config).await.expect("restarts");
    let server = shop_common::testing::spawn(app).await;
    let restarted = Service {
        server,
        client: shop_common::testing::client(),
        db: service.db,
        issuer: service.issuer,
    };
    assert_eq!(restarted.stock("prod-01").await, 20);
}
