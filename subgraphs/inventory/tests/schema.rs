//! The committed SDL (`schema/inventory.graphql`) is what the service emits, both
//! from `sdl()` and live over `_service { sdl }`.

mod support;

use serde_json::json;

const SCHEMA_FILE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../schema/inventory.graphql"
);

#[tokio::test]
async fn committed_schema_matches_the_service() {
    let sdl = shop_inventory::sdl();
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
        "schema/inventory.graphql is out of date: run UPDATE_SCHEMA=1 cargo test -p shop-inventory --test schema to update\n--- emitted ---\n{sdl}"
    );
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
