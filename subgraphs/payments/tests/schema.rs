//! `schema/payments.graphql` is the SDL this subgraph publishes: both `sdl()` and the
//! live `_service { sdl }` must match it, so a schema change shows up in review.

use serde_json::json;
use shop_common::testing::{TestDb, client, graphql, spawn};
use shop_payments::{Config, build_app, sdl};

const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/payments.graphql");

fn check(label: &str, actual: &str) {
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_FILE, actual).expect("write schema file");
        return;
    }
    let committed = std::fs::read_to_string(SCHEMA_FILE).unwrap_or_default();
    assert!(
        committed == actual,
        "{label} differs from schema/payments.graphql; \
         run UPDATE_SCHEMA=1 cargo test -p shop-payments --test schema to update\n\n{actual}"
    );
}

#[tokio::test]
async fn sdl_matches_committed_schema() {
    check("sdl()", &sdl());
}

#[tokio::test]
async fn service_sdl_over_http_matches_committed_schema() {
    let db = TestDb::new("payments").await;
    let server = spawn(build_app(Config::new(&db.url)).await.unwrap()).await;
    let body = graphql(
        &client(),
        &server.graphql_url,
        "{ _service { sdl } }",
        json!({}),
        None,
    )
    .await;
    let live = body["data"]["_service"]["sdl"]
        .as_str()
        .unwrap_or_else(|| panic!("no sdl in {body}"));
    assert_eq!(live, sdl(), "_service {{ sdl }} and sdl() disagree");
    check("_service { sdl }", live);
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
        "processPayment(orderId: ID!, amount: MoneyInput!, card: CardInput!, idempotencyKey: String!): Payment!",
        "refundPayment(paymentId: ID!, idempotencyKey: String!): Payment!",
        "input CardInput",
        "payment(id: ID!): Payment",
    ] {
        assert!(sdl.contains(expected), "SDL lacks {expected:?}:\n{sdl}");
    }
}
