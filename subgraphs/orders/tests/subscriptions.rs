//! `orderStatusChanged` over real sockets (WebSocket and SSE), on the in-process
//! bus or NATS JetStream (`SHOP_TEST_NATS`): every status once and in order for
//! the owner and admins, nobody else, and an error (not silence) when the
//! service stops. The statuses here are moved straight in the database, back to
//! back, as another instance of the service would; the checkout's own
//! transitions are tested with the whole shop (`tests/subscriptions.rs` at the
//! repository root).

mod support;

use sea_orm::TransactionTrait;
use serde_json::{Value, json};
use shop_common::testing::live::{SseClient, WsClient};
use shop_orders::repository::transition;
use shop_orders::status::OrderStatus;
use support::{Customer, Shop};

const SUBSCRIPTION: &str = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { \
    id status statusReason statusHistory { status } total { amountCents currency } } }";

fn bearer(customer: &Customer) -> String {
    format!("Bearer {}", customer.token)
}

/// Moves `order_id` from `from` to `to` in one transaction, as the service does.
async fn change(
    shop: &Shop,
    order_id: &str,
    from: OrderStatus,
    to: OrderStatus,
    reason: Option<&str>,
) {
    let txn = shop.db.begin().await.unwrap();
    assert!(
        transition(&txn, order_id, &[from], to, reason)
            .await
            .unwrap(),
        "{order_id} was not {from:?}"
    );
    txn.commit().await.unwrap();
}

/// The payloads of operation `id` until its `complete`.
async fn ws_until_complete(ws: &mut WsClient, id: &str) -> Vec<Value> {
    let mut payloads = Vec::new();
    loop {
        let message = ws.next_of(id).await;
        match message["type"].as_str() {
            Some("next") => payloads.push(message["payload"].clone()),
            Some("complete") => return payloads,
            _ => panic!("unexpected {message} after {payloads:?}"),
        }
    }
}

/// The payloads until `complete`, and the end of the response after it.
async fn sse_until_complete(sse: &mut SseClient) -> Vec<Value> {
    let mut payloads = Vec::new();
    loop {
        let event = sse
            .next_event()
            .await
            .expect("the stream goes on until complete");
        match event.event.as_str() {
            "next" => payloads.push(event.data),
            "complete" => {
                assert_eq!(
                    sse.next_event().await,
                    None,
                    "the response ends after complete"
                );
                return payloads;
            }
            other => panic!("unexpected event {other}: {event:?}"),
        }
    }
}

fn statuses(payloads: &[Value]) -> Vec<&str> {
    payloads
        .iter()
        .map(|p| {
            p["data"]["orderStatusChanged"]["status"]
                .as_str()
                .unwrap_or_else(|| panic!("no status in {p}"))
        })
        .collect()
}

#[tokio::test]
async fn the_owner_and_admins_get_every_status_once_and_in_order() {
    let shop = Shop::start().await;
    let alice = shop.sign_up("alice").await;
    let admin = shop.admin("root").await;
    let order = shop.order(&alice.id, &[("prod-01", 2, 500)]).await;
    let id = order.order.id.as_str();
    let url = shop.orders.graphql_url.clone();

    let mut owner_ws =
        WsClient::connect_and_init(&url, json!({ "authorization": bearer(&alice) })).await;
    owner_ws
        .subscribe("o", SUBSCRIPTION, json!({ "id": id }))
        .await;
    let first = owner_ws.next_payload("o").await;
    assert_eq!(
        first,
        json!({ "data": { "orderStatusChanged": {
            "id": id, "status": "PENDING", "statusReason": null,
            "statusHistory": [{ "status": "PENDING" }],
            "total": { "amountCents": 1000, "currency": "EUR" },
        }}}),
        "the order as it is comes first"
    );
    let mut owner_sse =
        SseClient::subscribe(&url, SUBSCRIPTION, json!({ "id": id }), Some(&alice.token)).await;
    assert_eq!(statuses(&[owner_sse.next_payload().await]), ["PENDING"]);
    // An admin, authenticated by the upgrade request's header this time.
    let mut admin_ws = WsClient::connect(&url, Some(&bearer(&admin))).await;
    admin_ws.init(json!({})).await;
    admin_ws
        .subscribe("a", SUBSCRIPTION, json!({ "id": id }))
        .await;
    assert_eq!(statuses(&[admin_ws.next_payload("a").await]), ["PENDING"]);

    // Back to back: the subscribers are woken once or three times, and must
    // see each status either way.
    change(&shop, id, OrderStatus::Pending, OrderStatus::Reserved, None).await;
    change(
        &shop,
        id,
        OrderStatus::Reserved,
        OrderStatus::Confirmed,
        None,
    )
    .await;
    change(
        &shop,
        id,
        OrderStatus::Confirmed,
        OrderStatus::Cancelled,
        Some("cancelled by the customer"),
    )
    .await;

    let expected = ["RESERVED", "CONFIRMED", "CANCELLED"];
    let seen = ws_until_complete(&mut owner_ws, "o").await;
    assert_eq!(statuses(&seen), expected, "{seen:#?}");
    let confirmed = &seen[1]["data"]["orderStatusChanged"];
    assert_eq!(
        confirmed["statusHistory"],
        json!([{ "status": "PENDING" }, { "status": "RESERVED" }, { "status": "CONFIRMED" }]),
        "each event is the order as of its change"
    );
    let cancelled = &seen[2]["data"]["orderStatusChanged"];
    assert_eq!(cancelled["statusReason"], "cancelled by the customer");
    assert_eq!(
        statuses(&sse_until_complete(&mut owner_sse).await),
        expected
    );
    assert_eq!(
        statuses(&ws_until_complete(&mut admin_ws, "a").await),
        expected
    );

    // A final status completes at once for a new subscriber.
    let mut late = WsClient::connect_and_init(&url, json!({ "token": alice.token })).await;
    late.subscribe("l", SUBSCRIPTION, json!({ "id": id })).await;
    assert_eq!(
        statuses(&ws_until_complete(&mut late, "l").await),
        ["CANCELLED"]
    );
    shop.stop().await;
}

#[tokio::test]
async fn anyone_elses_subscription_is_refused_like_a_missing_order() {
    let shop = Shop::start().await;
    let alice = shop.sign_up("alice").await;
    let bob = shop.sign_up("bob").await;
    let order = shop.order(&alice.id, &[("prod-01", 1, 500)]).await;
    let url = shop.orders.graphql_url.clone();
    let missing = "0190f0c4-0000-7000-8000-000000000000";

    // Over WebSocket: one `next` with the error, then `complete`.
    let refusal = |id: &str, who: Option<&Customer>| {
        let url = url.clone();
        let id = id.to_owned();
        let token = who.map(bearer);
        async move {
            let mut ws = WsClient::connect_and_init(
                &url,
                token.map_or(json!({}), |t| json!({ "authorization": t })),
            )
            .await;
            ws.subscribe("x", SUBSCRIPTION, json!({ "id": id })).await;
            let payloads = ws_until_complete(&mut ws, "x").await;
            assert_eq!(payloads.len(), 1, "{payloads:?}");
            payloads[0].clone()
        }
    };
    let for_bob = refusal(&order.order.id, Some(&bob)).await;
    let for_nobody = refusal(missing, Some(&bob)).await;
    assert_eq!(for_bob["data"], json!(null), "{for_bob}");
    assert_eq!(for_bob["errors"][0]["extensions"]["code"], "NOT_FOUND");
    assert_eq!(
        for_bob["errors"][0]["message"],
        format!("no order with id {}", order.order.id)
    );
    // The same answer as for an order that does not exist, but for the id.
    let mut masked = for_nobody.clone();
    masked["errors"][0]["message"] = json!(format!("no order with id {}", order.order.id));
    assert_eq!(for_bob, masked);

    let anonymous = refusal(&order.order.id, None).await;
    assert_eq!(
        anonymous["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{anonymous}"
    );

    // Over SSE, the same.
    let mut sse = SseClient::subscribe(
        &url,
        SUBSCRIPTION,
        json!({ "id": order.order.id }),
        Some(&bob.token),
    )
    .await;
    let payloads = sse_until_complete(&mut sse).await;
    assert_eq!(payloads.len(), 1);
    assert_eq!(payloads[0]["errors"][0]["extensions"]["code"], "NOT_FOUND");
    let mut sse =
        SseClient::subscribe(&url, SUBSCRIPTION, json!({ "id": order.order.id }), None).await;
    let payloads = sse_until_complete(&mut sse).await;
    assert_eq!(
        payloads[0]["errors"][0]["extensions"]["code"],
        "UNAUTHENTICATED"
    );

    // A service may read orders through `_entities`, but does not subscribe.
    let reader = shop.issuer.service("payments", "orders", &["orders:read"]);
    let mut sse = SseClient::subscribe(
        &url,
        SUBSCRIPTION,
        json!({ "id": order.order.id }),
        Some(&reader),
    )
    .await;
    let payloads = sse_until_complete(&mut sse).await;
    assert_eq!(payloads[0]["errors"][0]["extensions"]["code"], "FORBIDDEN");
    shop.stop().await;
}

#[tokio::test]
async fn stopping_the_service_ends_subscriptions_with_an_error() {
    let shop = Shop::start().await;
    let alice = shop.sign_up("alice").await;
    let order = shop.order(&alice.id, &[("prod-01", 1, 500)]).await;
    let url = shop.orders.graphql_url.clone();
    let variables = json!({ "id": order.order.id });

    let mut ws = WsClient::connect_and_init(&url, json!({ "token": alice.token })).await;
    ws.subscribe("o", SUBSCRIPTION, variables.clone()).await;
    assert_eq!(statuses(&[ws.next_payload("o").await]), ["PENDING"]);
    let mut sse = SseClient::subscribe(&url, SUBSCRIPTION, variables, Some(&alice.token)).await;
    assert_eq!(statuses(&[sse.next_payload().await]), ["PENDING"]);

    drop(shop.orders);

    let error = ws.next().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["id"], "o");
    assert_eq!(error["payload"][0]["extensions"]["code"], "SHUTTING_DOWN");
    let closed = ws.next().await;
    assert_eq!(closed["close"]["code"], 1001, "{closed}");

    let error = sse.next_payload().await;
    assert_eq!(
        error["errors"][0]["extensions"]["code"], "SHUTTING_DOWN",
        "{error}"
    );
    assert_eq!(sse_until_complete(&mut sse).await, Vec::<Value>::new());
    let _ = shop.bus.destroy().await;
}
