//! `schema/payments.graphql` is the SDL this subgraph publishes: both `sdl()` and the
//! live `_service { sdl }` must match it, so a schema change shows up in review.

use shop_common::testing::{TestDb, assert_live_sdl, assert_schema_file, spawn};
use shop_payments::{Config, build_app, sdl};

#[tokio::test]
async fn sdl_matches_committed_schema() {
    assert_schema_file("payments", &sdl());
}

#[tokio::test]
async fn service_sdl_over_http_matches_committed_schema() {
    let db = TestDb::new("payments").await;
    let server = spawn(build_app(Config::new(&db.url)).await.unwrap()).await;
    let live = assert_live_sdl(&server.graphql_url, &sdl()).await;
    assert_schema_file("payments", &live);
}

#[test]
fn schema_declares_the_federation_contract() {
    let sdl = sdl();
    for expected in [
        r#"type Payment @key(fields: "id")"#,
        r#"type Order @key(fields: "id")"#,
        "payment: Payment\n",
        "type Money @shareable",
        "enum PaymentStatus",
        "declineReason: String\n",
        "processPayment(orderId: ID!, customerId: ID!, amount: MoneyInput!, card: ChargeCardInput!): Payment! @inaccessible",
        "input ChargeCardInput @inaccessible",
        "payment(id: ID!): Payment",
    ] {
        assert!(sdl.contains(expected), "SDL lacks {expected:?}:\n{sdl}");
    }
}
