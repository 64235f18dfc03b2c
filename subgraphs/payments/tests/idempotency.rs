//! Retries never charge twice: one idempotency key, one payment, also under
//! concurrency; refunds are idempotent too.

mod support;

use serde_json::json;
use shop_common::testing::first_error_code;
use support::{DECLINE, Shop};

#[tokio::test]
async fn a_retried_charge_returns_the_first_payment() {
    let shop = Shop::start().await;
    let token = shop.sign_up("alice").await;
    let first = shop
        .pay(Some(&token), "order-1", 1500, json!({}), "retry-me")
        .await;
    let again = shop
        .pay(Some(&token), "order-1", 1500, json!({}), "retry-me")
        .await;
    assert_eq!(again["data"], first["data"], "{again}");
    assert_eq!(shop.payment_rows().await, 1);

    let other_card = json!({ "number": "5555 5555 5555 4444" });
    for (order, amount, card) in [
        ("order-1", 1600, json!({})),
        ("order-2", 1500, json!({})),
        ("order-1", 1500, other_card),
    ] {
        let reused = shop
            .pay(Some(&token), order, amount, card, "retry-me")
            .await;
        assert_eq!(first_error_code(&reused), Some("CONFLICT"), "{reused}");
    }
    // Another user cannot pick up (or learn about) Alice's payment by guessing her key.
    let mallory = shop.sign_up("mallory").await;
    let stolen = shop
        .pay(Some(&mallory), "order-1", 1500, json!({}), "retry-me")
        .await;
    assert_eq!(first_error_code(&stolen), Some("CONFLICT"), "{stolen}");
    assert_eq!(shop.payment_rows().await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_retries_make_one_payment() {
    let shop = Shop::start().await;
    let token = shop.sign_up("alice").await;
    let calls = (0..10).map(|_| shop.pay(Some(&token), "order-1", 4200, json!({}), "concurrent"));
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
async fn refunds_are_idempotent_and_only_for_succeeded_payments() {
    let shop = Shop::start().await;
    let token = shop.sign_up("alice").await;
    let paid = shop
        .pay(Some(&token), "order-1", 999, json!({}), "pay-1")
        .await;
    let payment_id = paid["data"]["processPayment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let refunded = shop.refund(Some(&token), &payment_id, "refund-1").await;
    assert_eq!(
        refunded["data"]["refundPayment"]["status"], "REFUNDED",
        "{refunded}"
    );
    assert_eq!(refunded["data"]["refundPayment"]["id"], payment_id.as_str());
    let again = shop.refund(Some(&token), &payment_id, "refund-1").await;
    assert_eq!(again["data"], refunded["data"], "{again}");
    let other_key = shop.refund(Some(&token), &payment_id, "refund-2").await;
    assert_eq!(
        other_key["data"], refunded["data"],
        "a second refund pays nothing out: {other_key}"
    );

    let declined = shop
        .pay(
            Some(&token),
            "order-2",
            999,
            json!({ "number": DECLINE }),
            "pay-2",
        )
        .await;
    let declined_id = declined["data"]["processPayment"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let not_refundable = shop.refund(Some(&token), &declined_id, "refund-3").await;
    assert_eq!(
        first_error_code(&not_refundable),
        Some("BAD_USER_INPUT"),
        "{not_refundable}"
    );
    let reused = shop.refund(Some(&token), &declined_id, "refund-1").await;
    assert_eq!(first_error_code(&reused), Some("CONFLICT"), "{reused}");

    let missing = shop
        .refund(Some(&token), "no-such-payment", "refund-4")
        .await;
    assert_eq!(first_error_code(&missing), Some("NOT_FOUND"), "{missing}");
    let mallory = shop.sign_up("mallory").await;
    let foreign = shop.refund(Some(&mallory), &payment_id, "refund-5").await;
    assert_eq!(first_error_code(&foreign), Some("NOT_FOUND"), "{foreign}");
    let anonymous = shop.refund(None, &payment_id, "refund-6").await;
    assert_eq!(
        first_error_code(&anonymous),
        Some("UNAUTHENTICATED"),
        "{anonymous}"
    );
}
