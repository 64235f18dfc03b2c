//! The router resolves `Product` here through `_entities`.

mod support;

use serde_json::json;

#[tokio::test]
async fn entities_resolve_products_by_id_in_order() {
    let service = support::Service::seeded().await;
    let query = r#"query($r: [_Any!]!) {
      _entities(representations: $r) {
        __typename
        ... on Product { id name price { amountCents currency } weightGrams }
      }
    }"#;
    let body = service
        .query(
            query,
            json!({ "r": [
                { "__typename": "Product", "id": "prod-36" },
                { "__typename": "Product", "id": "missing" },
                { "__typename": "Product", "id": "prod-01" },
            ]}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let entities = body["data"]["_entities"].as_array().unwrap();
    assert_eq!(entities.len(), 3);
    assert_eq!(entities[0]["id"], "prod-36");
    assert_eq!(entities[0]["__typename"], "Product");
    assert_eq!(entities[0]["weightGrams"], 1600);
    assert!(entities[1].is_null());
    assert_eq!(entities[2]["name"], "The Pragmatic Gardener");
    assert_eq!(
        entities[2]["price"],
        json!({ "amountCents": 2999, "currency": "USD" })
    );
}
