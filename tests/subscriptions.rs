//! Live data straight from the services, with the whole shop running (five
//! services on one bus: in-process, or NATS JetStream with `SHOP_TEST_NATS`;
//! SQLite, or PostgreSQL with `SHOP_TEST_POSTGRES`): a customer watching their
//! order over WebSocket and SSE sees every status the checkout and the
//! cancellation move it through, in order, once; anyone may watch a product's
//! stock move. Each is run twice: at the services' own `/graphql/ws` and
//! `/graphql/stream`, and through the router's `/graphql` (WebSocket and SSE
//! for clients; the router reaches orders over WebSocket and inventory over
//! SSE, and fetches each event's product names from products).

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

    let cancelled = shop.cancel(&ada, &order_id).await;
    assert_eq!(cancelled["status"], "CANCELLED", "{cancelled}");

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
    let cancelled = shop.cancel(&ada, order_id).await;
    assert_eq!(cancelled["status"], "CANCELLED", "{cancelled}");
    assert_eq!(stock(&ws.next_payload("stock").await), 15);
    assert_eq!(stock(&sse.next_payload().await), 15);
    shop.stop().await;
}

/// The order's status with its products' names, which products resolves:
/// through the router, every event is followed by an entity fetch.
const ORDER_WITH_PRODUCTS: &str = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { \
    id status items { quantity product { id name } } } }";

fn router_ws_url(shop: &TestShop) -> String {
    let router = shop.router_url.as_deref().expect("the shop runs a router");
    router.replacen("http://", "ws://", 1)
}

/// Statuses of operation `id` until its `complete`, each event's products
/// named.
async fn ws_statuses_with_products(ws: &mut WsClient, id: &str) -> Vec<String> {
    let mut seen = Vec::new();
    loop {
        let message = ws.next_of(id).await;
        match message["type"].as_str() {
            Some("next") => {
                let payload = &message["payload"];
                assert_named_products(payload);
                seen.push(status(payload).to_owned());
            }
            Some("complete") => return seen,
            _ => panic!("unexpected {message} after {seen:?}"),
        }
    }
}

fn assert_named_products(payload: &Value) {
    assert_eq!(payload.get("errors"), None, "{payload}");
    let items = &payload["data"]["orderStatusChanged"]["items"];
    assert_eq!(
        items,
        &json!([{ "quantity": 2, "product": { "id": "prod-01", "name": "The Pragmatic Gardener" } }]),
        "{payload}"
    );
}

#[tokio::test]
async fn through_the_router_a_customer_watches_their_order_and_no_one_else_can() {
    let shop = TestShop::start_gated().await;
    let gate = shop.inventory_gate.clone().expect("a gated shop");
    let ada = shop.sign_up("ada").await;
    let bob = shop.sign_up("bob").await;
    shop.restock("prod-01", 10).await;
    let router = shop.router_url.clone().expect("a router");
    let ws_url = router_ws_url(&shop);

    let (placed, (mut ws, mut sse, order_id)) = tokio::join!(
        shop.place(&ada, &[("prod-01", 2)], VISA, "live-router"),
        async {
            let held = gate.arrived(1).await;
            let order_id = held[0]["variables"]["orderId"]
                .as_str()
                .unwrap_or_else(|| panic!("the reservation names its order: {held:?}"))
                .to_owned();
            // Ada's token in connection_init's payload.
            let mut ws = WsClient::connect_url(&ws_url, None).await;
            ws.init(json!({ "authorization": format!("Bearer {}", ada.token) }))
                .await;
            ws.subscribe("order", ORDER_WITH_PRODUCTS, json!({ "id": order_id }))
                .await;
            let first = ws.next_payload("order").await;
            assert_eq!(status(&first), "PENDING", "{first}");
            assert_named_products(&first);
            let mut sse = SseClient::subscribe_url(
                &router,
                ORDER_STATUS,
                json!({ "id": order_id }),
                Some(&ada.token),
            )
            .await;
            assert_eq!(status(&sse.next_payload().await), "PENDING");

            // Bob, signed in, is told the order does not exist, on both
            // transports, and gets nothing of it.
            let mut bobs =
                WsClient::connect_url(&ws_url, Some(&format!("Bearer {}", bob.token))).await;
            bobs.init(json!({})).await;
            bobs.subscribe("spy", ORDER_STATUS, json!({ "id": order_id }))
                .await;
            let refused = bobs.next_of("spy").await;
            assert_eq!(refused["type"], "next", "{refused}");
            assert_eq!(refused["payload"]["data"], Value::Null, "{refused}");
            assert_eq!(
                refused["payload"]["errors"][0]["extensions"]["code"], "NOT_FOUND",
                "{refused}"
            );
            assert_eq!(bobs.next_of("spy").await["type"], "complete");
            let mut bobs_sse = SseClient::subscribe_url(
                &router,
                ORDER_STATUS,
                json!({ "id": order_id }),
                Some(&bob.token),
            )
            .await;
            let refused = bobs_sse.next_payload().await;
            assert_eq!(refused["data"], Value::Null, "{refused}");
            assert_eq!(
                refused["errors"][0]["extensions"]["code"], "NOT_FOUND",
                "{refused}"
            );
            assert_eq!(
                bobs_sse.next_event().await.map(|e| e.event),
                Some("complete".to_owned())
            );

            gate.open();
            (ws, sse, order_id)
        }
    );
    let placed = &placed["data"]["placeOrder"];
    assert_eq!(placed["status"], "CONFIRMED", "{placed}");

    let cancelled = shop.cancel(&ada, &order_id).await;
    assert_eq!(cancelled["status"], "CANCELLED", "{cancelled}");

    let expected = ["RESERVED", "CONFIRMED", "CANCELLED"];
    assert_eq!(ws_statuses_with_products(&mut ws, "order").await, expected);
    assert_eq!(sse_statuses_until_complete(&mut sse).await, expected);

    // An anonymous subscription is refused by the router itself: the field
    // needs a signed-in customer.
    let anonymous =
        SseClient::post_url(&router, ORDER_STATUS, json!({ "id": order_id }), None).await;
    let text = anonymous.text().await.expect("body");
    assert!(!text.contains("CANCELLED"), "{text}");
    assert!(text.contains("errors"), "{text}");
    shop.stop().await;
}

#[tokio::test]
async fn through_the_router_anyone_watches_stock_with_the_products_name() {
    let shop = TestShop::start().await;
    shop.restock("prod-02", 10).await;
    const STOCK_AND_NAME: &str =
        "subscription($p: ID!) { stockChanged(productId: $p) { id name stock } }";
    let mut ws = WsClient::connect_url(&router_ws_url(&shop), None).await;
    ws.init(json!({})).await;
    ws.subscribe("stock", STOCK_AND_NAME, json!({ "p": "prod-02" }))
        .await;
    let first = ws.next_payload("stock").await;
    let name = first["data"]["stockChanged"]["name"].clone();
    assert!(name.is_string(), "products names it: {first}");
    assert_eq!(first["data"]["stockChanged"]["stock"], 10, "{first}");

    shop.restock("prod-02", 5).await;
    let next = ws.next_payload("stock").await;
    assert_eq!(
        next,
        json!({ "data": { "stockChanged": { "id": "prod-02", "name": name, "stock": 15 } } })
    );
    shop.stop().await;
}
