//! Checkout end to end, through the router: five real services sharing an event bus
//! (in-process by default; NATS JetStream and PostgreSQL when `SHOP_TEST_NATS` and
//! `SHOP_TEST_POSTGRES` are set).

mod checkout_support;

use checkout_support::{DECLINED, TestShop, VISA, count};
use serde_json::json;
use shop_events::event_types::*;

#[tokio::test]
async fn a_happy_checkout_reserves_charges_confirms_and_announces_each_step_once() {
    let shop = TestShop::start().await;
    let ada = shop.sign_up("ada").await;
    shop.restock("prod-01", 10).await;
    shop.restock("prod-02", 10).await;

    let body = shop
        .place(&ada, &[("prod-01", 2), ("prod-02", 1)], VISA, "happy-1")
        .await;
    let order = &body["data"]["placeOrder"];
    assert_eq!(order["status"], "CONFIRMED", "{body}");
    // Prices come from products at ordering time: 2 × 29.99 + 44.99.
    assert_eq!(
        order["total"],
        json!({ "amountCents": 2 * 2999 + 4499, "currency": "USD" })
    );
    assert_eq!(order["items"][0]["unitPrice"]["amountCents"], 2999);
    let history: Vec<&str> = order["statusHistory"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["PENDING", "RESERVED", "CONFIRMED"]);
    let id = order["id"].as_str().unwrap().to_owned();

    assert_eq!(shop.stock("prod-01").await, 8);
    assert_eq!(shop.stock("prod-02").await, 9);
    let payment = shop.payment_of(&ada, &id).await;
    assert_eq!(payment["status"], "SUCCEEDED");
    assert_eq!(payment["amount"]["amountCents"], 2 * 2999 + 4499);

    // The client sees the payment on the order through the router too.
    let body = shop
        .query(
            "orders",
            "query($id: ID!) { order(id: $id) { status payment { status card { brand last4 } } } }",
            json!({ "id": id }),
            Some(&ada.token),
        )
        .await;
    assert_eq!(
        body["data"]["order"]["payment"]["status"], "SUCCEEDED",
        "{body}"
    );
    // The receipt's card: brand and last four digits, never more.
    assert_eq!(
        body["data"]["order"]["payment"]["card"],
        json!({ "brand": "visa", "last4": "4242" }),
        "{body}"
    );

    shop.eventually("the checkout's events", || async {
        let events = shop.events_about(&id);
        count(&events, ORDER_CONFIRMED) == 1
            && count(&events, PAYMENT_SUCCEEDED) == 1
            && count(&events, STOCK_RESERVED) == 1
    })
    .await;
    // Give a duplicate the time to show up, then check each came exactly once.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let events = shop.events_about(&id);
    for (event_type, expected) in [
        (ORDER_PLACED, 1),
        (STOCK_RESERVED, 1),
        (PAYMENT_SUCCEEDED, 1),
        (ORDER_CONFIRMED, 1),
        (STOCK_RELEASED, 0),
        (ORDER_CANCELLED, 0),
    ] {
        assert_eq!(
            count(&events, event_type),
            expected,
            "{event_type}: {events:#?}"
        );
    }
    let placed = events
        .iter()
        .find(|e| e.event_type == ORDER_PLACED)
        .unwrap();
    assert_eq!(placed.payload["userId"], ada.id.as_str());
    assert_eq!(placed.payload["totalCents"], 2 * 2999 + 4499);
    shop.stop().await;
}

#[tokio::test]
async fn out_of_stock_rejects_the_order_naming_the_product_and_charges_nothing() {
    let shop = TestShop::start().await;
    let bob = shop.sign_up("bob").await;
    shop.restock("prod-01", 5).await;
    shop.restock("prod-03", 1).await;

    let body = shop
        .place(&bob, &[("prod-01", 1), ("prod-03", 2)], VISA, "short-1")
        .await;
    let order = &body["data"]["placeOrder"];
    assert_eq!(order["status"], "REJECTED", "{body}");
    assert!(
        order["statusReason"].as_str().unwrap().contains("prod-03"),
        "{body}"
    );
    let id = order["id"].as_str().unwrap();
    assert!(shop.payment_of(&bob, id).await.is_null(), "nothing charged");
    assert_eq!(shop.stock("prod-01").await, 5, "all or nothing");
    assert_eq!(shop.stock("prod-03").await, 1);
    shop.stop().await;
}

#[tokio::test]
async fn a_declined_card_fails_the_payment_and_returns_the_stock() {
    let shop = TestShop::start().await;
    let cy = shop.sign_up("cy").await;
    shop.restock("prod-04", 3).await;

    let body = shop
        .place(&cy, &[("prod-04", 2)], DECLINED, "declined-1")
        .await;
    let order = &body["data"]["placeOrder"];
    assert_eq!(order["status"], "PAYMENT_FAILED", "{body}");
    assert_eq!(order["statusReason"], "card_declined");
    let id = order["id"].as_str().unwrap().to_owned();
    assert_eq!(shop.stock("prod-04").await, 3, "reservation released");
    assert_eq!(shop.payment_of(&cy, &id).await["status"], "DECLINED");
    shop.eventually("stock.released and payment.failed", || async {
        let events = shop.events_about(&id);
        count(&events, STOCK_RELEASED) == 1 && count(&events, PAYMENT_FAILED) == 1
    })
    .await;
    shop.stop().await;
}

#[tokio::test]
async fn a_retry_with_the_same_key_returns_the_first_order_without_charging_again() {
    let shop = TestShop::start().await;
    let di = shop.sign_up("di").await;
    shop.restock("prod-05", 10).await;

    let first = shop.place(&di, &[("prod-05", 1)], VISA, "retry-1").await;
    let again = shop.place(&di, &[("prod-05", 1)], VISA, "retry-1").await;
    let first = &first["data"]["placeOrder"];
    assert_eq!(first["status"], "CONFIRMED", "{first}");
    assert_eq!(again["data"]["placeOrder"]["id"], first["id"], "{again}");
    assert_eq!(shop.stock("prod-05").await, 9, "reserved once");

    // Concurrent retries of a new key also end in one order.
    let (a, b) = tokio::join!(
        shop.place(&di, &[("prod-05", 1)], VISA, "retry-2"),
        shop.place(&di, &[("prod-05", 1)], VISA, "retry-2"),
    );
    assert_eq!(
        a["data"]["placeOrder"]["id"], b["data"]["placeOrder"]["id"],
        "{a} {b}"
    );
    let body = shop
        .query(
            "orders",
            "{ myOrders { id status } }",
            json!({}),
            Some(&di.token),
        )
        .await;
    assert_eq!(
        body["data"]["myOrders"].as_array().unwrap().len(),
        2,
        "{body}"
    );
    let id = a["data"]["placeOrder"]["id"].as_str().unwrap().to_owned();
    shop.eventually("the retried order to settle", || async {
        shop.order(&di, &id).await["status"] == "CONFIRMED"
    })
    .await;
    assert_eq!(shop.stock("prod-05").await, 8);
    shop.stop().await;
}

#[tokio::test]
async fn twenty_concurrent_checkouts_for_five_units_confirm_exactly_five() {
    let shop = TestShop::start().await;
    let customers = [shop.sign_up("eve").await, shop.sign_up("fay").await];
    shop.restock("prod-06", 5).await;

    let keys: Vec<String> = (0..20).map(|n| format!("rush-{n}")).collect();
    let results = futures::future::join_all(
        keys.iter()
            .enumerate()
            .map(|(n, key)| shop.place(&customers[n % 2], &[("prod-06", 1)], VISA, key)),
    )
    .await;
    let statuses: Vec<&str> = results
        .iter()
        .map(|body| {
            body["data"]["placeOrder"]["status"]
                .as_str()
                .unwrap_or_else(|| panic!("{body}"))
        })
        .collect();
    let confirmed = statuses.iter().filter(|s| **s == "CONFIRMED").count();
    let rejected = statuses.iter().filter(|s| **s == "REJECTED").count();
    assert_eq!((confirmed, rejected), (5, 15), "{statuses:?}");
    assert_eq!(shop.stock("prod-06").await, 0);
    for (n, body) in results.iter().enumerate() {
        let order = &body["data"]["placeOrder"];
        let payment = shop
            .payment_of(&customers[n % 2], order["id"].as_str().unwrap())
            .await;
        if order["status"] == "CONFIRMED" {
            assert_eq!(payment["status"], "SUCCEEDED");
        } else {
            assert!(payment.is_null(), "a rejected order is never charged");
        }
    }
    shop.stop().await;
}

#[tokio::test]
async fn cancelling_a_confirmed_order_refunds_it_and_returns_the_stock() {
    let shop = TestShop::start().await;
    let gus = shop.sign_up("gus").await;
    let other = shop.sign_up("hal").await;
    shop.restock("prod-07", 4).await;

    let body = shop.place(&gus, &[("prod-07", 3)], VISA, "cancel-1").await;
    let id = body["data"]["placeOrder"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(shop.stock("prod-07").await, 1);

    let cancel = "mutation($id: ID!) { cancelOrder(id: $id) { id status statusReason statusHistory { status } } }";
    let body = shop
        .query("orders", cancel, json!({ "id": id }), Some(&other.token))
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "NOT_FOUND",
        "{body}"
    );

    let body = shop
        .query("orders", cancel, json!({ "id": id }), Some(&gus.token))
        .await;
    let order = &body["data"]["cancelOrder"];
    assert_eq!(order["status"], "CANCELLED", "{body}");
    assert_eq!(order["statusHistory"].as_array().unwrap().len(), 4);

    shop.eventually("the refund", || async {
        shop.payment_of(&gus, &id).await["status"] == "REFUNDED"
    })
    .await;
    shop.eventually("the stock to come back", || async {
        shop.stock("prod-07").await == 4
    })
    .await;
    // Cancelling again changes nothing; a rejected order cannot be cancelled.
    let body = shop
        .query("orders", cancel, json!({ "id": id }), Some(&gus.token))
        .await;
    assert_eq!(body["data"]["cancelOrder"]["status"], "CANCELLED", "{body}");
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    assert_eq!(shop.stock("prod-07").await, 4, "returned once");
    let events = shop.events_about(&id);
    assert_eq!(count(&events, ORDER_CANCELLED), 1, "{events:#?}");
    assert_eq!(count(&events, PAYMENT_REFUNDED), 1, "{events:#?}");

    let body = shop.place(&gus, &[("prod-07", 99)], VISA, "cancel-2").await;
    let rejected = body["data"]["placeOrder"]["id"].as_str().unwrap();
    let body = shop
        .query(
            "orders",
            cancel,
            json!({ "id": rejected }),
            Some(&gus.token),
        )
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    shop.stop().await;
}

#[tokio::test]
async fn checkout_needs_a_signed_in_user_and_known_products() {
    let shop = TestShop::start().await;
    let ivy = shop.sign_up("ivy").await;
    let body = shop
        .query(
            "orders",
            "mutation { placeOrder(input: { items: [{ productId: \"prod-01\", quantity: 1 }], card: { number: \"4242424242424242\", expiryMonth: 1, expiryYear: 2035, cvc: \"123\" }, idempotencyKey: \"k\" }) { id } }",
            json!({}),
            None,
        )
        .await;
    // Through the router, `placeOrder`'s `@authenticated` refuses it before
    // orders is asked; straight at orders, orders refuses it itself.
    let expected = if shop.router_url.is_some() {
        "UNAUTHORIZED"
    } else {
        "UNAUTHENTICATED"
    };
    assert_eq!(body["errors"][0]["extensions"]["code"], expected, "{body}");
    let body = shop.place(&ivy, &[("prod-99", 1)], VISA, "unknown-1").await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("prod-99")
    );
    let body = shop.place(&ivy, &[("prod-01", 0)], VISA, "zero-1").await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    shop.stop().await;
}

#[tokio::test]
async fn a_key_reused_for_another_cart_is_a_conflict_and_changes_nothing() {
    let shop = TestShop::start().await;
    let jan = shop.sign_up("jan").await;
    shop.restock("prod-10", 10).await;
    let first = shop.place(&jan, &[("prod-10", 1)], VISA, "cart-1").await;
    assert_eq!(
        first["data"]["placeOrder"]["status"], "CONFIRMED",
        "{first}"
    );
    for other_cart in [
        &[("prod-10", 5)][..],
        &[("prod-11", 1)][..],
        &[("prod-10", 1), ("prod-11", 1)][..],
    ] {
        let body = shop.place(&jan, other_cart, VISA, "cart-1").await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "CONFLICT",
            "{body}"
        );
        assert!(body["data"].is_null(), "{body}");
    }
    assert_eq!(shop.stock("prod-10").await, 9);
    let body = shop
        .query("orders", "{ myOrders { id } }", json!({}), Some(&jan.token))
        .await;
    assert_eq!(
        body["data"]["myOrders"].as_array().unwrap().len(),
        1,
        "{body}"
    );
    shop.stop().await;
}

#[tokio::test]
async fn an_invalid_card_is_bad_input_and_creates_nothing() {
    let shop = TestShop::start().await;
    let kai = shop.sign_up("kai").await;
    shop.restock("prod-12", 3).await;
    for (number, key) in [
        ("4242 4242 4242 4241", "luhn"),
        ("4242", "short"),
        ("not a card", "letters"),
    ] {
        let body = shop.place(&kai, &[("prod-12", 1)], number, key).await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{number}: {body}"
        );
        assert_eq!(body["errors"][0]["message"], "card number is invalid");
        assert!(
            !body.to_string().contains("4242 4242"),
            "the number is echoed: {body}"
        );
    }
    let body = shop
        .query("orders", "{ myOrders { id } }", json!({}), Some(&kai.token))
        .await;
    assert_eq!(body["data"]["myOrders"], json!([]), "{body}");
    assert_eq!(shop.stock("prod-12").await, 3);
    shop.stop().await;
}

#[tokio::test]
async fn card_testing_is_rate_limited_per_customer() {
    let shop = TestShop::start().await;
    let tester = shop.sign_up("tester").await;
    let honest = shop.sign_up("honest").await;
    shop.restock("prod-13", 20).await;
    for n in 0..5 {
        let body = shop
            .place(&tester, &[("prod-13", 1)], DECLINED, &format!("test-{n}"))
            .await;
        assert_eq!(
            body["data"]["placeOrder"]["status"], "PAYMENT_FAILED",
            "{body}"
        );
    }
    // Even with a good card: the customer waits.
    let body = shop.place(&tester, &[("prod-13", 1)], VISA, "test-5").await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body}"
    );
    assert!(
        body["errors"][0]["extensions"]["retryAfterSeconds"]
            .as_u64()
            .unwrap()
            >= 1
    );
    let body = shop
        .query(
            "orders",
            "{ myOrders { id } }",
            json!({}),
            Some(&tester.token),
        )
        .await;
    assert_eq!(
        body["data"]["myOrders"].as_array().unwrap().len(),
        5,
        "nothing placed"
    );
    // Others are not affected.
    let body = shop
        .place(&honest, &[("prod-13", 1)], VISA, "honest-1")
        .await;
    assert_eq!(body["data"]["placeOrder"]["status"], "CONFIRMED", "{body}");
    shop.stop().await;
}

#[tokio::test]
async fn an_admin_may_cancel_any_order_and_the_customer_is_refunded() {
    let shop = TestShop::start().await;
    let kim = shop.sign_up("kim").await;
    shop.restock("prod-14", 2).await;
    let body = shop.place(&kim, &[("prod-14", 2)], VISA, "staff-1").await;
    let id = body["data"]["placeOrder"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = shop.admin_token().await;
    let body = shop
        .query(
            "orders",
            "mutation($id: ID!) { cancelOrder(id: $id) { status statusReason } }",
            json!({ "id": id }),
            Some(&admin),
        )
        .await;
    assert_eq!(body["data"]["cancelOrder"]["status"], "CANCELLED", "{body}");
    assert_eq!(
        body["data"]["cancelOrder"]["statusReason"],
        "cancelled by an admin"
    );
    shop.eventually("the refund and the stock", || async {
        shop.payment_of(&kim, &id).await["status"] == "REFUNDED" && shop.stock("prod-14").await == 2
    })
    .await;
    shop.stop().await;
}
