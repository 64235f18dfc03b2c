//! Reads: `payment(id)` for its owner, and the router's entity fetches of `Payment`
//! and `Order.payment`.

mod support;

use serde_json::json;
use shop_common::testing::first_error_code;
use support::{DECLINE, PAYMENT_FIELDS, Shop};

const ORDER_PAYMENT: &str = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment { id status declineReason } } } }";

#[tokio::test]
async fn order_payment_prefers_the_latest_payment_that_went_through() {
    let shop = Shop::start().await;
    let token = shop.sign_up("alice").await;
    let pay = |order: &'static str, card: serde_json::Value, key: &'static str| {
        let token = token.clone();
        let shop = &shop;
        async move {
            let body = shop.pay(Some(&token), order, 500, card, key).await;
            body["data"]["processPayment"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
                .to_owned()
        }
    };
    // order-a: declined, then approved, then declined again: the approval stands.
    pay("order-a", json!({ "number": DECLINE }), "a1").await;
    let approved = pay("order-a", json!({}), "a2").await;
    pay("order-a", json!({ "number": DECLINE }), "a3").await;
    // order-b: two declines: the latest one stands.
    pay("order-b", json!({ "number": DECLINE }), "b1").await;
    let latest_decline = pay("order-b", json!({ "number": DECLINE }), "b2").await;

    let body = shop
        .query(
            ORDER_PAYMENT,
            json!({ "r": [
                { "__typename": "Order", "id": "order-a" },
                { "__typename": "Order", "id": "order-b" },
                { "__typename": "Order", "id": "order-c" },
            ]}),
            None,
        )
        .await;
    assert_eq!(
        body["data"]["_entities"],
        json!([
            { "id": "order-a", "payment": { "id": approved, "status": "SUCCEEDED", "declineReason": null } },
            { "id": "order-b", "payment": { "id": latest_decline, "status": "DECLINED", "declineReason": "card_declined" } },
            { "id": "order-c", "payment": null },
        ]),
        "{body}"
    );
}

#[tokio::test]
async fn payments_resolve_for_their_owner_and_the_router() {
    let shop = Shop::start().await;
    let alice = shop.sign_up("alice").await;
    let paid = shop
        .pay(Some(&alice), "order-1", 750, json!({}), "p1")
        .await;
    let payment = paid["data"]["processPayment"].clone();
    let id = payment["id"].as_str().unwrap();

    let query = format!("query($id: ID!) {{ payment(id: $id) {{ {PAYMENT_FIELDS} }} }}");
    let own = shop.query(&query, json!({ "id": id }), Some(&alice)).await;
    assert_eq!(own["data"]["payment"], payment, "{own}");

    let bob = shop.sign_up("bob").await;
    for (token, code) in [(Some(bob.as_str()), "NOT_FOUND"), (None, "UNAUTHENTICATED")] {
        let hidden = shop.query(&query, json!({ "id": id }), token).await;
        assert_eq!(hidden["data"]["payment"], json!(null), "{hidden}");
        assert_eq!(first_error_code(&hidden), Some(code), "{hidden}");
    }
    let missing = shop
        .query(&query, json!({ "id": "nope" }), Some(&alice))
        .await;
    assert_eq!(first_error_code(&missing), Some("NOT_FOUND"), "{missing}");

    let entities = shop
        .query(
            &format!("query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on Payment {{ {PAYMENT_FIELDS} }} }} }}"),
            json!({ "r": [
                { "__typename": "Payment", "id": id },
                { "__typename": "Payment", "id": "nope" },
            ]}),
            None,
        )
        .await;
    assert_eq!(
        entities["data"]["_entities"],
        json!([payment, null]),
        "{entities}"
    );
}
