//! `Product` through `_entities`: stock, and the shipping estimate computed from
//! the price and weight the router passes as required fields.

mod support;

use serde_json::json;

const ENTITIES: &str = r#"query($r: [_Any!]!) {
  _entities(representations: $r) {
    __typename
    ... on Product { id stock inStock shippingEstimate { amountCents currency } }
  }
}"#;

#[tokio::test]
async fn shipping_estimate_uses_the_required_fields() {
    let service = support::Service::seeded().await;
    let body = service
        .query(
            ENTITIES,
            json!({ "r": [
                // prod-07: 54.99 USD, 900 g -> 4.99 + 90 cents.
                { "__typename": "Product", "id": "prod-07",
                  "price": { "amountCents": 5499, "currency": "USD" }, "weightGrams": 900 },
                // 100.00 or more ships free, in the product's currency.
                { "__typename": "Product", "id": "prod-13",
                  "price": { "__typename": "Money", "amountCents": 27999, "currency": "EUR" },
                  "weightGrams": 1600 },
                // Unknown to inventory: no stock, but still an estimate (round up).
                { "__typename": "Product", "id": "never-stocked",
                  "price": { "amountCents": 100, "currency": "GBP" }, "weightGrams": 1 },
            ]}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let entities = body["data"]["_entities"].as_array().unwrap();
    assert_eq!(entities[0]["__typename"], "Product");
    assert_eq!(entities[0]["id"], "prod-07");
    assert_eq!(entities[0]["stock"], 30);
    assert_eq!(entities[0]["inStock"], true);
    assert_eq!(
        entities[0]["shippingEstimate"],
        json!({ "amountCents": 589, "currency": "USD" })
    );
    assert_eq!(
        entities[1]["shippingEstimate"],
        json!({ "amountCents": 0, "currency": "EUR" })
    );
    assert_eq!(entities[2]["stock"], 0);
    assert_eq!(entities[2]["inStock"], false);
    assert_eq!(
        entities[2]["shippingEstimate"],
        json!({ "amountCents": 500, "currency": "GBP" })
    );
}

#[tokio::test]
async fn stock_without_required_fields_and_sold_out_products() {
    let service = support::Service::seeded().await;
    let body = service
        .query(
            r#"query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id stock inStock } } }"#,
            json!({ "r": [
                { "__typename": "Product", "id": "prod-04" },
                { "__typename": "Product", "id": "prod-36" },
            ]}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(
        body["data"]["_entities"][0],
        json!({ "id": "prod-04", "stock": 0, "inStock": false })
    );
    assert_eq!(
        body["data"]["_entities"][1],
        json!({ "id": "prod-36", "stock": 45, "inStock": true })
    );

    // Asking for the estimate without the fields it requires is an error on that
    // entity, not a made-up number.
    let body = service
        .query(
            ENTITIES,
            json!({ "r": [{ "__typename": "Product", "id": "prod-04" }] }),
        )
        .await;
    assert_eq!(
        shop_common::testing::first_error_code(&body),
        Some("BAD_USER_INPUT"),
        "{body}"
    );
}
