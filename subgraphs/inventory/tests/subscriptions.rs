//! `stockChanged` over real sockets: the level when subscribing, then each new
//! level after a reservation, a release and a restock; a commit changes nothing
//! available, so the next level seen is the restock's. Public, and bad input is
//! a GraphQL error.

mod support;

use serde_json::{Value, json};
use shop_common::testing::live::{SseClient, WsClient};
use support::Service;

const STOCK: &str = "subscription($p: ID!) { stockChanged(productId: $p) { id stock inStock } }";

fn level(payload: &Value) -> (i64, bool) {
    let product = &payload["data"]["stockChanged"];
    (
        product["stock"]
            .as_i64()
            .unwrap_or_else(|| panic!("no stock in {payload}")),
        product["inStock"].as_bool().expect("inStock"),
    )
}

#[tokio::test]
async fn every_move_of_the_available_units_reaches_the_subscribers() {
    let service = Service::seeded().await;
    assert_eq!(service.restock("gadget", 2).await["data"]["restock"], 2);
    let url = service.server.graphql_url.clone();
    let variables = json!({ "p": "gadget" });

    let mut ws = WsClient::connect_and_init(&url, json!({})).await;
    ws.subscribe("s", STOCK, variables.clone()).await;
    let mut sse = SseClient::subscribe(&url, STOCK, variables, None).await;
    assert_eq!(level(&ws.next_payload("s").await), (2, true));
    assert_eq!(level(&sse.next_payload().await), (2, true));

    let reserved = service.reserve("order-1", &[("gadget", 2)]).await;
    let reservation = reserved["data"]["reserveStock"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{reserved}"))
        .to_owned();
    assert_eq!(level(&ws.next_payload("s").await), (0, false));
    assert_eq!(level(&sse.next_payload().await), (0, false));

    let released = service.release(&reservation).await;
    assert_eq!(
        released["data"]["releaseStock"]["status"], "RELEASED",
        "{released}"
    );
    assert_eq!(level(&ws.next_payload("s").await), (2, true));
    assert_eq!(level(&sse.next_payload().await), (2, true));

    let again = service.reserve("order-2", &[("gadget", 1)]).await;
    let reservation = again["data"]["reserveStock"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    assert_eq!(level(&ws.next_payload("s").await), (1, true));
    assert_eq!(level(&sse.next_payload().await), (1, true));
    let committed = service.commit(&reservation).await;
    assert_eq!(
        committed["data"]["commitReservation"]["status"],
        "COMMITTED"
    );
    service.restock("gadget", 4).await;
    // Nothing came between: the commit moved no available unit.
    assert_eq!(level(&ws.next_payload("s").await), (5, true));
    assert_eq!(level(&sse.next_payload().await), (5, true));
}

#[tokio::test]
async fn a_bad_product_id_is_a_graphql_error() {
    let service = Service::seeded().await;
    let url = service.server.graphql_url.clone();
    let mut ws = WsClient::connect_and_init(&url, json!({})).await;
    for (id, product) in [("empty", json!(" ")), ("huge", json!("x".repeat(300)))] {
        ws.subscribe(id, STOCK, json!({ "p": product })).await;
        let answer = ws.next_payload(id).await;
        assert_eq!(answer["data"], json!(null), "{answer}");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{answer}"
        );
        assert_eq!(ws.next_of(id).await["type"], "complete");
    }
}
