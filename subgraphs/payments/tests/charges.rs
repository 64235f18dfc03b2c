//! Charging cards through HTTP as the checkout does: approvals, declines with
//! reasons, invalid cards refused before anything is recorded, and nobody but the
//! checkout able to charge at all.

mod support;

use serde_json::json;
use shop_common::auth::scopes;
use shop_common::testing::first_error_code;
use support::{DECLINE, INSUFFICIENT_FUNDS, Shop, charged};

#[tokio::test]
async fn approves_and_declines_by_test_card() {
    let shop = Shop::start().await;

    let approved = shop.pay("alice", "order-1", 2599, json!({})).await;
    let payment = charged(&approved);
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
            "alice",
            "order-1b",
            100,
            json!({ "number": "5555 5555 5555 4444" }),
        )
        .await;
    assert_eq!(charged(&other_valid)["status"], "SUCCEEDED");

    let declined = shop
        .pay("alice", "order-2", 1000, json!({ "number": DECLINE }))
        .await;
    assert_eq!(
        declined["errors"],
        json!(null),
        "a decline is an outcome, not an error: {declined}"
    );
    assert_eq!(charged(&declined)["status"], "DECLINED");
    assert_eq!(charged(&declined)["declineReason"], "card_declined");

    let broke = shop
        .pay(
            "alice",
            "order-3",
            1000,
            json!({ "number": INSUFFICIENT_FUNDS }),
        )
        .await;
    assert_eq!(charged(&broke)["status"], "DECLINED", "{broke}");
    assert_eq!(charged(&broke)["declineReason"], "insufficient_funds");
    assert_eq!(shop.payment_rows().await, 4);

    // Only brand and last four digits are kept; the key is derived from the order.
    let rows = {
        use sea_orm::EntityTrait;
        shop_payments::entity::payment::Entity::find()
            .all(&shop.db)
            .await
            .unwrap()
    };
    let approved_row = rows.iter().find(|r| r.order_id == "order-1").unwrap();
    assert_eq!(approved_row.idempotency_key, "order-order-1");
    assert_eq!(approved_row.user_id, "alice");
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
    for (card, amount, message) in cases {
        let body = shop.pay("alice", "order-1", amount, card.clone()).await;
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
async fn only_the_checkout_charges() {
    let shop = Shop::start().await;
    let outsiders = [
        ("anonymous", None),
        ("garbage", Some("not.a.token".to_owned())),
        ("the customer", Some(shop.issuer.customer("alice"))),
        ("an admin", Some(shop.issuer.admin("staff-1"))),
        (
            "an untrusted service",
            Some(
                shop.issuer
                    .service("inventory", "payments", &[scopes::PAYMENTS_CHARGE]),
            ),
        ),
        (
            "the checkout, for another audience",
            Some(
                shop.issuer
                    .service("orders", "inventory", &[scopes::PAYMENTS_CHARGE]),
            ),
        ),
        (
            "the checkout, reading only",
            Some(shop.checkout(scopes::PAYMENTS_READ)),
        ),
    ];
    for (who, token) in outsiders {
        // The customer trying to pay their own order one cent, before the checkout.
        let body = shop
            .pay_as(token.as_deref(), "alice", "order-1", 1, json!({}))
            .await;
        let code = first_error_code(&body);
        assert!(
            matches!(code, Some("FORBIDDEN" | "UNAUTHENTICATED")),
            "{who}: {body}"
        );
        assert!(body["data"].is_null(), "{who}: {body}");
    }
    assert_eq!(shop.payment_rows().await, 0);
    // The checkout's real charge is not disturbed by any of it.
    let body = shop.pay("alice", "order-1", 2599, json!({})).await;
    assert_eq!(charged(&body)["amount"]["amountCents"], 2599);
}

#[tokio::test]
async fn the_charge_and_its_inputs_are_internal_and_there_is_no_refund_operation() {
    let sdl = shop_payments::sdl();
    for internal in [
        "processPayment(",
        "input MoneyInput ",
        "input ChargeCardInput ",
    ] {
        let line = sdl
            .lines()
            .find(|line| line.contains(internal))
            .unwrap_or_else(|| panic!("{internal} missing from {sdl}"));
        assert!(line.contains("@inaccessible"), "{line}");
    }
    assert!(!sdl.contains("refund"), "{sdl}");
}
