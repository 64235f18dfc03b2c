//! Live data straight from the services, with the whole shop running (five
//! services on one bus: in-process, or NATS JetStream with `SHOP_TEST_NATS`;
//! SQLite, or PostgreSQL with `SHOP_TEST_POSTGRES`): a customer watching their
//! order over WebSocket and SSE sees every status the checkout and the
//! cancellation move it through, in order, once; anyone may watch a product's
//! stock move. The router does not carry subscriptions yet: these connect to
//! the services' own `/graphql/ws` and `/graphql/stream`.

mod checkout_support;

use checkout_support::{TestShop, VISA};
use serde_json::{Value, json};
use shop_common::testing::live::{SseClient, WsClient};

const ORDER_STATUS: &str = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { \
    id status statusReason statusHistory { status } } }";

const STOCK: &str = "subscription($p: ID!) { stockChanged(productId: $p) { id stock inStock } }";

fn status(payload: &Value) -> &str {
    payload["data"]["orderStatusChanged"]["status"]
        .as_str()
        .unwrap_or_else(|| panic!("no status in {payload}"))
}

fn stock(payload: &Value) -> i64 {
    payload["data"]["stockChanged"]["stock"]
        .as_i64()
        .unwrap_or_else(|| panic!("no stock in {payload}"))
}

/// Statuses of operation `id` until its `complete`.
async fn ws_statuses_until_complete(ws: &mut WsClient, id: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let message = ws.next_of(id).await;
        match message["type"].as_str() {
            Some("next") => seen.push(status(&message["payload"]).to_owned()),
            Some("complete") => return seen,
            _ => panic!("unexpected {message} after {seen:?}"),
        }
    }
}

/// Statuses until `complete`, then the end of the response.
async fn sse_statuses_until_complete(sse: &mut SseClient) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let event = sse
            .next_event()
            .await
            .expect("the stream goes on until complete");
        match event.event.as_str() {
            "next" => seen.push(status(&event.data).to_owned()),
            "complete" => {
                assert_eq!(
                    sse.next_event().await,
                    None,
                    "the response ends after complete"
                );
                return seen;
            }
            other => panic!("unexpected event {other}: {event:?}"),
        }
    }
}

#[tokio::test]
async fn a_customer_watches_their_checkout_and_cancellation_status_by_status() {
    let shop = TestShop::start_gated().await;
    let gate = shop.inventory_gate.clone().expect("a gated shop");
    let ada = shop.sign_up("ada").await;
    shop.restock("prod-01", 10).await;
    let orders = shop.urls["orders"].clone();

    // The checkout waits at the gate before reserving: the order exists, PENDING.
    // Ada subscribes then, over both transports, and lets the checkout go on.
    let (placed, (mut ws, mut sse, order_id)) =
        tokio::join!(shop.place(&ada, &[("prod-01", 2)], VISA, "live-1"), async {
            let held = gate.arrived(1).await;
            let order_id = held[0]["variables"]["orderId"]
                .as_str()
                .unwrap_or_else(|| panic!("the reservation names its order: {held:?}"))
                .to_owned();
            let mut ws = WsClient::connect_and_init(
                &orders,
                json!({ "authorization": format!("Bearer {}", ada.token) }),
            )
            .await;
            ws.subscribe("order", ORDER_STATUS, json!({ "id": order_id }))
                .await;
            let first = ws.next_payload("order").await;
            assert_eq!(status(&first), "PENDING", "{first}");
            let mut sse = SseClient::subscribe(
                &orders,
                ORDER_STATUS,
                json!({ "id": order_id }),
                Some(&ada.token),
            )
            .await;
            assert_eq!(status(&sse.next_payload().await), "PENDING");
            gate.open();
            (ws, sse, order_id)
        });
    let placed = &placed["data"]["placeOrder"];
    assert_eq!(placed["status"], "CONFIRMED", "{placed}");
    assert_eq!(placed["id"], order_id.as_str());

    let body = shop
        .query(
            "orders",
            "mutation($id: ID!) { cancelOrder(id: $id) { status } }",
            json!({ "id": order_id }),
            Some(&ada.token),
        )
        .await;
    assert_eq!(body["data"]["cancelOrder"]["status"], "CANCELLED", "{body}");

    let expected = ["RESERVED", "CONFIRMED", "CANCELLED"];
    assert_eq!(ws_statuses_until_complete(&mut ws, "order").await, expected);
    assert_eq!(sse_statuses_until_complete(&mut sse).await, expected);

    // What the subscribers saw is the order's history.
    let order = shop.order(&ada, &order_id).await;
    let history: Vec<&str> = order["statusHistory"]
        .as_array()
        .expect("history")
        .iter()
        .map(|change| change["status"].as_str().expect("status"))
        .collect();
    assert_eq!(history, ["PENDING", "RESERVED", "CONFIRMED", "CANCELLED"]);
    shop.stop().await;
}

#[tokio::test]
async fn anyone_watches_a_products_stock_move() {
    let shop = TestShop::start().await;
    shop.restock("prod-02", 10).await;
    let inventory = shop.urls["inventory"].clone();
    let variables = json!({ "p": "prod-02" });

    // Stock is public: no token on either transport.
    let mut ws = WsClient::connect_and_init(&inventory, json!({})).await;
    ws.subscribe("stock", STOCK, variables.clone()).await;
    let first = ws.next_payload("stock").await;
    assert_eq!(
        first,
        json!({ "data": { "stockChanged": { "id": "prod-02", "stock": 10, "inStock": true } } })
    );
    let mut sse = SseClient::subscribe(&inventory, STOCK, variables, None).await;
    assert_eq!(stock(&sse.next_payload().await), 10);

    // A checkout reserves 3 (and commits them, which changes nothing available).
    let ada = shop.sign_up("ada").await;
    let placed = shop.place(&ada, &[("prod-02", 3)], VISA, "stock-1").await;
    assert_eq!(
        placed["data"]["placeOrder"]["status"], "CONFIRMED",
        "{placed}"
    );
    assert_eq!(stock(&ws.next_payload("stock").await), 7);
    assert_eq!(stock(&sse.next_payload().await), 7);

    // Staff restock.
    shop.restock("prod-02", 5).await;
    assert_eq!(stock(&ws.next_payload("stock").await), 12);
    assert_eq!(stock(&sse.next_payload().await), 12);

    // The cancelled order's units come back to the shelf.
    let order_id = placed["data"]["placeOrder"]["id"].as_str().expect("id");
    let body = shop
        .query(
            "orders",
            "mutation($id: ID!) { cancelOrder(id: $id) { status } }",
            json!({ "id": order_id }),
            Some(&ada.token),
        )
        .await;
    assert_eq!(body["data"]["cancelOrder"]["status"], "CANCELLED", "{body}");
    assert_eq!(stock(&ws.next_payload("stock").await), 15);
    assert_eq!(stock(&sse.next_payload().await), 15);
    shop.stop().await;
}
