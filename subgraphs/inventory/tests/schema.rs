//! The committed SDL (`schema/inventory.graphql`) is what the service emits, both
//! from `sdl()` and live over `_service { sdl }`.

mod support;

use shop_common::testing::{assert_live_sdl, assert_schema_file};

#[tokio::test]
async fn committed_schema_matches_the_service() {
    let sdl = shop_inventory::sdl();
    let service = support::Service::seeded().await;
    assert_live_sdl(&service.server.graphql_url, &sdl).await;
    assert_schema_file("inventory", &sdl);
}

#[test]
fn product_is_extended_with_external_and_required_fields() {
    let sdl = shop_inventory::sdl();
    assert!(sdl.contains("type Product @key(fields: \"id\")"), "{sdl}");
    assert!(sdl.contains("price: Money! @external"), "{sdl}");
    assert!(sdl.contains("weightGrams: Int! @external"), "{sdl}");
    assert!(
        sdl.contains(
            "shippingEstimate: Money! @requires(fields: \"price { amountCents currency } weightGrams\")"
        ),
        "{sdl}"
    );
    assert!(sdl.contains("type Money @shareable"), "{sdl}");
    // The input used to parse required fields from representations is internal.
    assert!(!sdl.contains("InventoryRequiredPrice"), "{sdl}");
}

#[test]
fn seeded_ids_match_the_products_catalog() {
    let ours: Vec<String> = shop_inventory::seed_product_ids().collect();
    let catalog: Vec<String> = shop_products::seed_product_ids()
        .map(String::from)
        .collect();
    assert_eq!(ours, catalog);
    assert_eq!(ours.len(), shop_inventory::SEED_PRODUCT_COUNT);
}
