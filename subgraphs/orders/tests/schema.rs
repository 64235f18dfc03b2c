//! `schema/orders.graphql` is the SDL this subgraph publishes: both `sdl()` and the
//! live `_service { sdl }` must match it, so a schema change shows up in review.

use shop_common::testing::{TestDb, assert_live_sdl, assert_schema_file, spawn};
use shop_orders::{Config, build_app, sdl};

#[tokio::test]
async fn sdl_matches_committed_schema() {
    assert_schema_file("orders", &sdl());
}

#[tokio::test]
async fn service_sdl_over_http_matches_committed_schema() {
    let db = TestDb::new("orders").await;
    let server = spawn(build_app(Config::new(&db.url)).await.unwrap()).await;
    let live = assert_live_sdl(&server.graphql_url, &sdl()).await;
    assert_schema_file("orders", &live);
}

#[test]
fn schema_declares_the_federation_contract() {
    let sdl = sdl();
    for expected in [
        r#"type Order @key(fields: "id")"#,
        r#"type User @key(fields: "id")"#,
        r#"type Product @key(fields: "id", resolvable: false)"#,
        "type Money @shareable",
        "enum OrderStatus",
        "PAYMENT_FAILED",
        "myOrders: [Order!]!",
        "order(id: ID!): Order",
    ] {
        assert!(sdl.contains(expected), "SDL lacks {expected:?}:\n{sdl}");
    }
}
