//! Money moves once: an order is charged at most once (also under concurrency),
//! and refunded at most once, in full, only when it was cancelled or its checkout
//! failed.

mod support;

use serde_json::json;
use shop_common::testing::first_error_code;
use shop_events::Event;
use shop_events::event_types::{ORDER_CANCELLED, ORDER_PAYMENT_FAILED};
use support::{DECLINE, Shop, charged};

#[tokio::test]
async fn an_order_is_charged_once() {
    let shop = Shop::start().await;
    let first = shop.pay("alice", "order-1", 1500, json!({})).await;
    let again = shop.pay("alice", "order-1", 1500, json!({})).await;
    assert_eq!(again["data"], first["data"], "{again}");
    assert_eq!(shop.payment_rows().await, 1);

    let other_card = json!({ "number": "5555 5555 5555 4444" });
    for (customer, amount, card) in [
        ("alice", 1, json!({})),
        ("alice", 1600, json!({})),
        ("alice", 1500, other_card),
        ("mallory", 1500, json!({})),
    ] {
        let reused = shop.pay(customer, "order-1", amount, card).await;
        assert_eq!(first_error_code(&reused), Some("CONFLICT"), "{reused}");
        assert!(
            reused["data"].is_null(),
            "nothing about the first payment leaks"
        );
    }
    assert_eq!(shop.payment_rows().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_charges_of_one_order_make_one_payment() {
    let shop = Shop::start().await;
    let calls = (0..10).map(|_| shop.pay("alice", "order-1", 4200, json!({})));
    let bodies = futures::future::join_all(calls).await;
    let ids: Vec<&str> = bodies
        .iter()
        .map(|b| {
            b["data"]["processPayment"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("a concurrent call failed: {b}"))
        })
        .collect();
    assert!(
        ids.iter().all(|id| *id == ids[0]),
        "different payments: {ids:?}"
    );
    assert_eq!(shop.payment_rows().await, 1);
}

#[tokio::test]
async fn a_cancelled_order_is_refunded_once_in_full() {
    let shop = Shop::start().await;
    let paid = shop.pay("alice", "order-1", 999, json!({})).await;
    let payment_id = charged(&paid)["id"].as_str().unwrap().to_owned();
    let declined = shop
        .pay("alice", "order-2", 999, json!({ "number": DECLINE }))
        .await;
    let declined_id = charged(&declined)["id"].as_str().unwrap().to_owned();

    let cancelled = Event::new(ORDER_CANCELLED, "order-1", json!({ "reason": "test" }));
    // Delivered twice (at least once is all a bus promises), plus another event
    // about the same order.
    shop.bus.publish(&cancelled).await.unwrap();
    shop.bus.publish(&cancelled).await.unwrap();
    shop.bus
        .publish(&Event::new(ORDER_PAYMENT_FAILED, "order-1", json!({})))
        .await
        .unwrap();
    shop.bus
        .publish(&Event::new(ORDER_CANCELLED, "order-2", json!({})))
        .await
        .unwrap();
    shop.eventually("the refund", || async {
        shop.status_of(&payment_id).await == "REFUNDED"
    })
    .await;
    // Give the duplicates time to be (not) applied.
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(
        shop.refund_rows().await,
        1,
        "one refund, for the charged order"
    );
    assert_eq!(shop.status_of(&declined_id).await, "DECLINED");
    let refunds = {
        use sea_orm::EntityTrait;
        shop_payments::entity::refund::Entity::find()
            .all(&shop.db)
            .await
            .unwrap()
    };
    assert_eq!(refunds[0].payment_id, payment_id);
    assert_eq!(refunds[0].amount_cents, 999, "in full, never more");
}
