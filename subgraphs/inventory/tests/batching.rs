//! The DataLoader batches: the router asks for the stock of many products in one
//! `_entities` request, async-graphql resolves each representation on its own,
//! and the database sees one `SELECT` on `stock` for all of them (not one per
//! product).

mod support;

use serde_json::{Value, json};
use shop_common::testing;

#[tokio::test]
async fn twenty_entity_lookups_are_one_select_on_stock() {
    let (service, sql) = support::Service::seeded_with_sql_log().await;

    let mut ids: Vec<String> = shop_inventory::seed_product_ids().take(20).collect();
    // And one id the service does not know.
    ids.push("never-stocked".to_owned());
    let representations: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "__typename": "Product", "id": id }))
        .collect();
    let body = service
        .query(
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id stock inStock } } }",
            json!({ "r": representations }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let entities = testing::entities_in_order(&body, &ids);
    // prod-01 has 25 units, prod-04 none (the seed's stock).
    assert_eq!(entities[0]["stock"], 25, "{body}");
    assert_eq!(entities[3]["inStock"], false, "{body}");
    assert_eq!(
        entities[20],
        json!({ "id": "never-stocked", "stock": 0, "inStock": false })
    );
    // Only `stock` counts: the outbox relay and the expiry sweep poll their own
    // tables meanwhile.
    let selects = sql.selects_from("stock");
    assert_eq!(selects.len(), 1, "one SELECT for 21 lookups: {selects:#?}");
}
