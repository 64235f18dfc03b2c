//! Reads: `payment(id)` for its owner, and the router's entity fetches of `Payment`
//! and `Order.payment`.

mod support;

use serde_json::json;
use shop_common::auth::scopes;
use shop_common::testing::first_error_code;
use support::{DECLINE, PAYMENT_FIELDS, Shop, charged};

const ORDER_PAYMENT: &str = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id payment { id status declineReason } } } }";

#[tokio::test]
async fn order_payment_is_the_payer_s_alone() {
    let shop = Shop::start().await;
    let approved = shop.pay("alice", "order-a", 500, json!({})).await;
    let approved = charged(&approved)["id"].as_str().unwrap().to_owned();
    let declined = shop
        .pay("bob", "order-b", 500, json!({ "number": DECLINE }))
        .await;
    let declined = charged(&declined)["id"].as_str().unwrap().to_owned();
    let representations = json!({ "r": [
        { "__typename": "Order", "id": "order-a" },
        { "__typename": "Order", "id": "order-b" },
        { "__typename": "Order", "id": "order-c" },
    ]});
    let a = json!({ "id": "order-a", "payment": { "id": approved, "status": "SUCCEEDED", "declineReason": null } });
    let b = json!({ "id": "order-b", "payment": { "id": declined, "status": "DECLINED", "declineReason": "card_declined" } });
    let hidden = |id: &str| json!({ "id": id, "payment": null });
    let alice = shop.issuer.customer("alice");
    let admin = shop.issuer.admin("staff-1");
    let reader = shop.checkout(scopes::PAYMENTS_READ);
    let charger = shop.checkout(scopes::PAYMENTS_CHARGE);
    for (who, token, expected) in [
        (
            "alice",
            Some(alice.as_str()),
            json!([a, hidden("order-b"), hidden("order-c")]),
        ),
        (
            "anonymous",
            None,
            json!([hidden("order-a"), hidden("order-b"), hidden("order-c")]),
        ),
        (
            "an admin",
            Some(admin.as_str()),
            json!([a, b, hidden("order-c")]),
        ),
        (
            "the checkout reading",
            Some(reader.as_str()),
            json!([a, b, hidden("order-c")]),
        ),
        (
            "a scope for charging only",
            Some(charger.as_str()),
            json!([hidden("order-a"), hidden("order-b"), hidden("order-c")]),
        ),
    ] {
        let body = shop
            .query(ORDER_PAYMENT, representations.clone(), token)
            .await;
        assert_eq!(body["data"]["_entities"], expected, "{who}: {body}");
    }
}

#[tokio::test]
async fn payments_resolve_for_their_owner_and_admins_only() {
    let shop = Shop::start().await;
    let paid = shop.pay("alice", "order-1", 750, json!({})).await;
    let payment = charged(&paid).clone();
    let id = payment["id"].as_str().unwrap();
    let alice = shop.issuer.customer("alice");

    let query = format!("query($id: ID!) {{ payment(id: $id) {{ {PAYMENT_FIELDS} }} }}");
    for token in [alice.clone(), shop.issuer.admin("staff-1")] {
        let own = shop.query(&query, json!({ "id": id }), Some(&token)).await;
        assert_eq!(own["data"]["payment"], payment, "{own}");
    }

    let bob = shop.issuer.customer("bob");
    for (token, code) in [(Some(bob.as_str()), "NOT_FOUND"), (None, "UNAUTHENTICATED")] {
        let hidden = shop.query(&query, json!({ "id": id }), token).await;
        assert_eq!(hidden["data"]["payment"], json!(null), "{hidden}");
        assert_eq!(first_error_code(&hidden), Some(code), "{hidden}");
    }
    let missing = shop
        .query(&query, json!({ "id": "nope" }), Some(&alice))
        .await;
    assert_eq!(first_error_code(&missing), Some("NOT_FOUND"), "{missing}");

    let entities = format!(
        "query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on Payment {{ {PAYMENT_FIELDS} }} }} }}"
    );
    let representations = json!({ "r": [
        { "__typename": "Payment", "id": id },
        { "__typename": "Payment", "id": "nope" },
    ]});
    let own = shop
        .query(&entities, representations.clone(), Some(&alice))
        .await;
    assert_eq!(own["data"]["_entities"], json!([payment, null]), "{own}");
    for token in [None, Some(bob.as_str())] {
        let body = shop.query(&entities, representations.clone(), token).await;
        assert_eq!(body["data"]["_entities"], json!([null, null]), "{body}");
    }
}
