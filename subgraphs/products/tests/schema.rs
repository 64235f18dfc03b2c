//! The committed SDL (`schema/products.graphql`) is what the service emits, both
//! from `sdl()` and live over `_service { sdl }`.

mod support;

use serde_json::json;

const SCHEMA_FILE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema/products.graphql");

#[tokio::test]
async fn committed_schema_matches_the_service() {
    let sdl = shop_products::sdl();
    let service = support::Service::seeded().await;
    let body = service.query("{ _service { sdl } }", json!({})).await;
    let live = body["data"]["_service"]["sdl"]
        .as_str()
        .expect("sdl")
        .to_owned();
    assert_eq!(sdl, live, "sdl() differs from the live _service {{ sdl }}");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(SCHEMA_FILE, &sdl).expect("write schema file");
        return;
    }
    let committed = std::fs::read_to_string(SCHEMA_FILE).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema/products.graphql is out of date: run UPDATE_SCHEMA=1 cargo test -p shop-products --test schema to update\n--- emitted ---\n{sdl}"
    );
}

#[test]
fn schema_declares_the_federated_product() {
    let sdl = shop_products::sdl();
    assert!(sdl.contains("type Product @key(fields: \"id\")"), "{sdl}");
    assert!(sdl.contains("type Money @shareable"), "{sdl}");
}
