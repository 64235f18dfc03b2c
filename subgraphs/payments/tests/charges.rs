//! Charging cards through HTTP: approvals, declines with reasons, and invalid cards
//! that are refused before anything is recorded.

mod support;

use serde_json::json;
use shop_common::testing::first_error_code;
use support::{DECLINE, INSUFFICIENT_FUNDS, Shop};

#[tokio::test]
async fn approves_and_declines_by_test_card() {
    let shop = Shop::start().await;
    let token = shop.sign_up("alice").await;

    let approved = shop
        .pay(Some(&token), "order-1", 2599, json!({}), "k-approve")
        .await;
    let payment = &approved["data"]["processPayment"];
    assert_eq!(payment["status"], "SUCCEEDED", "{approved}");
    assert_eq!(
        payment["amount"],
        json!({ "amountCents": 2599, "currency": "EUR" })
    );
    assert_eq!(payment["order"]["id"], "order-1");
    assert_eq!(payment["declineReason"], json!(null));
    assert!(chrono::DateTime::parse_from_rfc3339(payment["createdAt"].as_str().unwrap()).is_ok());

    let other_valid = shop
        .pay(
            Some(&token),
            "order-1b",
            100,
            json!({ "number": "5555 5555 5555 4444" }),
            "k-mc",
        )
        .await;
    assert_eq!(
        other_valid["data"]["processPayment"]["status"], "SUCCEEDED",
        "{other_valid}"
    );

    let declined = shop
        .pay(
            Some(&token),
            "order-2",
            1000,
            json!({ "number": DECLINE }),
            "k-decline",
        )
        .await;
    assert_eq!(
        declined["errors"],
        json!(null),
        "a decline is an outcome, not an error: {declined}"
    );
    assert_eq!(declined["data"]["processPayment"]["status"], "DECLINED");
    assert_eq!(
        declined["data"]["processPayment"]["declineReason"],
        "card_declined"
    );

    let broke = shop
        .pay(
            Some(&token),
            "order-3",
            1000,
            json!({ "number": INSUFFICIENT_FUNDS }),
            "k-funds",
        )
        .await;
    assert_eq!(
        broke["data"]["processPayment"]["status"], "DECLINED",
        "{broke}"
    );
    assert_eq!(
        broke["data"]["processPayment"]["declineReason"],
        "insufficient_funds"
    );
    assert_eq!(shop.payment_rows().await, 4);

    // Only brand and last four digits are kept.
    let rows = {
        use sea_orm::EntityTrait;
        shop_payments::entity::payment::Entity::find()
            .all(&shop.db)
            .await
            .unwrap()
    };
    let approved_row = rows
        .iter()
        .find(|r| r.idempotency_key == "k-approve")
        .unwrap();
    assert_eq!(
        (
            approved_row.card_brand.as_str(),
            approved_row.card_last4.as_str()
        ),
        ("visa", "4242")
    );
    assert!(
        !format!("{rows:?}").contains("424242424242"),
        "a full card number was stored"
    );
}

#[tokio::test]
async fn invalid_cards_and_amounts_are_refused_without_a_trace() {
    let shop = Shop::start().await;
    let token = shop.sign_up("alice").await;
    let cases = [
        (
            json!({ "number": "4242 4242 4242 4241" }),
            100,
            "card number is invalid",
        ),
        (json!({ "number": "4242" }), 100, "card number is invalid"),
        (
            json!({ "expiryMonth": 1, "expiryYear": 2020 }),
            100,
            "card has expired",
        ),
        (json!({ "expiryMonth": 13 }), 100, "expiry month"),
        (json!({ "cvc": "12" }), 100, "cvc"),
        (json!({ "cvc": "12345" }), 100, "cvc"),
        (json!({}), 0, "amount must be positive"),
        (json!({}), -5, "amount must be positive"),
    ];
    for (i, (card, amount, message)) in cases.into_iter().enumerate() {
        let body = shop
            .pay(
                Some(&token),
                "order-1",
                amount,
                card.clone(),
                &format!("k-{i}"),
            )
            .await;
        assert_eq!(
            first_error_code(&body),
            Some("BAD_USER_INPUT"),
            "{card} {amount}: {body}"
        );
        let text = body["errors"][0]["message"].as_str().unwrap();
        assert!(
            text.contains(message),
            "{card}: expected {message:?} in {text:?}"
        );
        assert_eq!(body["data"], json!(null));
    }
    assert_eq!(
        shop.payment_rows().await,
        0,
        "an invalid request recorded a payment"
    );
}

#[tokio::test]
async fn charging_needs_a_signed_in_user() {
    let shop = Shop::start().await;
    let anonymous = shop.pay(None, "order-1", 100, json!({}), "k-anon").await;
    assert_eq!(
        first_error_code(&anonymous),
        Some("UNAUTHENTICATED"),
        "{anonymous}"
    );
    let forged = shop
        .pay(Some("not.a.token"), "order-1", 100, json!({}), "k-forged")
        .await;
    assert_eq!(
        first_error_code(&forged),
        Some("UNAUTHENTICATED"),
        "{forged}"
    );
    assert_eq!(shop.payment_rows().await, 0);
}
