//! The committed SDL (`schema/products.graphql`) is what the service emits, both
//! from `sdl()` and live over `_service { sdl }`.

mod support;

use shop_common::testing::{assert_live_sdl, assert_schema_file};

#[tokio::test]
async fn committed_schema_matches_the_service() {
    let sdl = shop_products::sdl();
    let service = support::Service::seeded().await;
    assert_live_sdl(&service.server.graphql_url, &sdl).await;
    assert_schema_file("products", &sdl);
}

#[test]
fn schema_declares_the_federated_product() {
    let sdl = shop_products::sdl();
    assert!(sdl.contains("type Product @key(fields: \"id\")"), "{sdl}");
    assert!(sdl.contains("type Money @shareable"), "{sdl}");
}
