//! `product` and `products`: ids, pages, cursors, filters, limits.

mod support;

use serde_json::{Value, json};
use shop_common::testing::first_error_code;

const PAGE: &str = r#"query($first: Int, $after: String, $category: String) {
  products(first: $first, after: $after, category: $category) {
    totalCount
    edges { cursor node { id category } }
    pageInfo { hasNextPage endCursor }
  }
}"#;

fn ids(body: &Value) -> Vec<String> {
    body["data"]["products"]["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|edge| edge["node"]["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn pages_cover_the_catalog_once_in_stable_order() {
    let service = support::Service::seeded().await;
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let body = service
            .query(PAGE, json!({ "first": 10, "after": after }))
            .await;
        assert!(body["errors"].is_null(), "{body}");
        assert_eq!(body["data"]["products"]["totalCount"], 36);
        seen.extend(ids(&body));
        let info = &body["data"]["products"]["pageInfo"];
        if !info["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = Some(info["endCursor"].as_str().unwrap().to_owned());
    }
    let expected: Vec<String> = shop_products::seed_product_ids()
        .map(String::from)
        .collect();
    assert_eq!(seen, expected);

    // Default page size is 20.
    let body = service.query(PAGE, json!({})).await;
    assert_eq!(ids(&body).len(), 20);
    assert_eq!(body["data"]["products"]["pageInfo"]["hasNextPage"], true);
}

#[tokio::test]
async fn category_filter_pages_and_counts_within_the_category() {
    let service = support::Service::seeded().await;
    let body = service
        .query(PAGE, json!({ "first": 4, "category": "kitchen" }))
        .await;
    assert_eq!(body["data"]["products"]["totalCount"], 6, "{body}");
    assert_eq!(ids(&body), ["prod-07", "prod-08", "prod-09", "prod-10"]);
    let end = body["data"]["products"]["pageInfo"]["endCursor"].clone();
    let body = service
        .query(
            PAGE,
            json!({ "first": 4, "category": "kitchen", "after": end }),
        )
        .await;
    assert_eq!(ids(&body), ["prod-11", "prod-12"]);
    let info = &body["data"]["products"]["pageInfo"];
    assert_eq!(info["hasNextPage"], false);
    assert_eq!(body["data"]["products"]["totalCount"], 6);

    let body = service
        .query(PAGE, json!({ "category": "no-such-category" }))
        .await;
    assert_eq!(body["data"]["products"]["totalCount"], 0);
    assert!(ids(&body).is_empty());
    assert!(body["data"]["products"]["pageInfo"]["endCursor"].is_null());
}

#[tokio::test]
async fn bad_cursors_and_page_sizes_are_bad_user_input() {
    let service = support::Service::seeded().await;
    for after in ["garbage!", "cHJvZC0wMQ", ""] {
        let body = service.query(PAGE, json!({ "after": after })).await;
        assert_eq!(
            first_error_code(&body),
            Some("BAD_USER_INPUT"),
            "{after}: {body}"
        );
    }
    for first in [101, -1] {
        let body = service.query(PAGE, json!({ "first": first })).await;
        assert_eq!(first_error_code(&body), Some("BAD_USER_INPUT"), "{body}");
    }
    let body = service.query(PAGE, json!({ "first": 100 })).await;
    assert_eq!(ids(&body).len(), 36, "{body}");
}

#[tokio::test]
async fn product_by_id() {
    let service = support::Service::seeded().await;
    let query = "query($id: ID!) { product(id: $id) { id sku name description price { amountCents currency } weightGrams category } }";
    let body = service.query(query, json!({ "id": "prod-07" })).await;
    let product = &body["data"]["product"];
    assert_eq!(product["name"], "Gooseneck Kettle", "{body}");
    assert_eq!(product["sku"], "KT-2001");
    assert_eq!(
        product["price"],
        json!({ "amountCents": 5499, "currency": "USD" })
    );
    assert_eq!(product["weightGrams"], 900);
    assert_eq!(product["category"], "kitchen");

    let body = service.query(query, json!({ "id": "prod-99" })).await;
    assert!(body["data"]["product"].is_null(), "{body}");
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn restarting_with_seed_does_not_seed_twice() {
    let first = support::Service::seeded().await;
    let support::Service { server, db, .. } = first;
    drop(server);
    let again = support::Service::seeded_on(db).await;
    let body = again.query(PAGE, json!({ "first": 1 })).await;
    assert_eq!(body["data"]["products"]["totalCount"], 36, "{body}");
}
