//! Subgraph errors and failures: paths rewritten to the client's, partial data, and
//! no panic whatever a subgraph answers.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use switchyard_executor::{FetchError, SubgraphResponse};

const PRODUCT_REVIEWS: &str = "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { reviews { body } } } }";

fn top_products() -> MockFetcher {
    MockFetcher::new().canned(
        "products",
        json!({ "data": { "topProducts": [
            { "__typename": "Product", "upc": "1", "name": "Table" },
            { "__typename": "Product", "upc": "2", "name": "Couch" },
            { "__typename": "Product", "upc": "1", "name": "Table" }
        ] } }),
    )
}

fn reviews_plan() -> switchyard_planner::plan::PlanNode {
    sequence(vec![
        fetch("products", "{ topProducts { __typename upc name } }"),
        flatten(
            "topProducts.@",
            entity_fetch("reviews", "Product", &["upc"], PRODUCT_REVIEWS),
        ),
    ])
}

const REVIEWS_QUERY: &str = "{ topProducts { name reviews { body } } }";

#[tokio::test]
async fn entity_errors_map_to_every_object_their_representation_came_from() {
    let fetcher = top_products().canned(
        "reviews",
        json!({
            "data": { "_entities": [null, { "reviews": [{ "body": "Comfy" }] }] },
            "errors": [
                { "message": "Reviews of 1 are locked", "path": ["_entities", 0, "reviews"], "extensions": { "code": "LOCKED" } }
            ]
        }),
    );
    let result = run(REVIEWS_QUERY, json!({}), Some(reviews_plan()), fetcher).await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn root_fetch_errors_keep_their_paths_and_name_the_subgraph() {
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({
            "data": { "product": null, "me": null },
            "errors": [
                { "message": "Product exploded", "path": ["product"], "locations": [{ "line": 1, "column": 3 }] },
                { "message": "Rate limited" }
            ]
        }),
    );
    let plan = fetch("products", "{ product(upc: \"1\") { name } me { name } }");
    let result = run(
        "{ product(upc: \"1\") { name } me { name } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn failing_entity_fetch_returns_partial_data_and_an_error_per_object() {
    let fetcher = top_products().failing(
        "reviews",
        FetchError::Transport("connection refused".to_owned()),
    );
    let result = run(REVIEWS_QUERY, json!({}), Some(reviews_plan()), fetcher).await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn failing_root_fetch_keeps_the_other_root_fields() {
    let fetcher = MockFetcher::new()
        .canned("accounts", json!({ "data": { "me": { "name": "Ada" } } }))
        .failing("products", FetchError::HttpStatus { status: 503 });
    let plan = parallel(vec![
        fetch("accounts", "{ me { name } }"),
        fetch(
            "products",
            "{ product(upc: \"1\") { name } other: product(upc: \"2\") { name } }",
        ),
    ]);
    let result = run(
        "{ me { name } product(upc: \"1\") { name } other: product(upc: \"2\") { name } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn failing_root_fetch_of_a_non_null_field_nulls_data_with_a_single_error() {
    let fetcher =
        MockFetcher::new().failing("products", FetchError::Timeout(Duration::from_secs(2)));
    let plan = fetch("products", "{ topProducts { name } }");
    let result = run("{ topProducts { name } }", json!({}), Some(plan), fetcher).await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn garbage_bodies_are_invalid_responses() {
    for body in [
        &b"<html>502 Bad Gateway</html>"[..],
        b"[1, 2, 3]",
        b"{\"hello\": \"world\"}",
        b"{\"data\": [1]}",
        b"{\"data\": null, \"errors\": {\"message\": \"x\"}}",
        b"",
    ] {
        let error = SubgraphResponse::from_slice(body).unwrap_err();
        assert!(matches!(error, FetchError::InvalidResponse(_)), "{error:?}");
    }
    let parsed = SubgraphResponse::from_slice(
        br#"{"data": {"a": 1}, "errors": [{"message": "m", "path": ["a", 0, {"bad": 1}]}, 7, {"no": "message"}]}"#,
    )
    .unwrap();
    assert_eq!(parsed.errors.len(), 3);
    assert_eq!(parsed.errors[0].message, "m");
    assert!(parsed.errors[0].path.is_empty(), "malformed path dropped");
    assert_eq!(parsed.errors[1].message, "Malformed subgraph error: 7");

    let fetcher = top_products().raw("reviews", b"<html>502 Bad Gateway</html>");
    let result = run(REVIEWS_QUERY, json!({}), Some(reviews_plan()), fetcher).await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn wrong_number_of_entities_is_reported_not_merged() {
    let fetcher = top_products().canned(
        "reviews",
        json!({ "data": { "_entities": [{ "reviews": [] }] } }),
    );
    let result = run(REVIEWS_QUERY, json!({}), Some(reviews_plan()), fetcher).await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn entity_errors_without_path_go_to_every_object_of_the_fetch() {
    let fetcher = MockFetcher::new()
        .canned(
            "products",
            json!({ "data": { "product": { "__typename": "Product", "upc": "1", "name": "Table" } } }),
        )
        .canned(
            "reviews",
            json!({ "data": null, "errors": [{ "message": "database down" }] }),
        );
    let plan = sequence(vec![
        fetch(
            "products",
            "{ product(upc: \"1\") { __typename upc name } }",
        ),
        flatten(
            "product",
            entity_fetch("reviews", "Product", &["upc"], PRODUCT_REVIEWS),
        ),
    ]);
    let result = run(
        "{ product(upc: \"1\") { name reviews { body } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn pathless_errors_of_a_root_fetch_without_data_go_to_each_of_its_fields() {
    let fetcher = MockFetcher::new()
        .canned("accounts", json!({ "data": { "me": { "name": "Ada" } } }))
        .canned(
            "products",
            json!({ "data": null, "errors": [{ "message": "database down" }] }),
        );
    let plan = parallel(vec![
        fetch("products", "{ product(upc: \"1\") { name } }"),
        fetch("accounts", "{ me { name } }"),
    ]);
    let result = run(
        "{ product(upc: \"1\") { name } me { name } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

/// Odd shapes anywhere: lists where objects are expected, numbers where lists are,
/// `_entities` that is an object. Every case must answer with errors, not panic.
#[tokio::test]
async fn odd_shapes_give_graceful_errors() {
    let data = json!({ "data": {
        "topProducts": [[{ "__typename": "Product", "upc": "1", "name": "Nested" }], 7, "x", null],
        "me": [ { "name": "Ada" } ],
        "categories": [{ "name": "Home", "grid": 42 }, { "name": "Garden", "grid": [{ "__typename": "Product", "upc": "2" }] }],
        "search": { "__typename": "User", "id": "1" }
    } });
    let plan = sequence(vec![
        fetch(
            "products",
            "{ topProducts { __typename upc name } me { name } categories { name grid { __typename upc } } search(text: \"x\") { __typename } }",
        ),
        flatten(
            "topProducts.@",
            entity_fetch("reviews", "Product", &["upc"], PRODUCT_REVIEWS),
        ),
        flatten(
            "categories.@.grid.@.@",
            entity_fetch(
                "inventory",
                "Product",
                &["upc"],
                &entities_operation("... on Product { inStock }"),
            ),
        ),
    ]);
    let mut results = Vec::new();
    for query in [
        "{ me { name } }",
        "{ categories { name grid { inStock } } }",
        "{ search(text: \"x\") { __typename } }",
        "{ topProducts { name reviews { body } } }",
    ] {
        let fetcher = MockFetcher::new()
            .canned("products", data.clone())
            .canned("reviews", json!({ "data": { "_entities": { "0": {} } } }))
            .canned("inventory", json!({ "data": { "_entities": [7] } }));
        let result = run(query, json!({}), Some(plan.clone()), fetcher).await;
        results.push(json!({ "query": query, "result": result }));
    }
    insta::assert_json_snapshot!(results);
}

#[tokio::test]
async fn scalar_and_object_values_of_the_wrong_shape_become_errors() {
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({ "data": {
            "product": { "name": { "first": "Table" }, "price": "12", "weight": 3000000000u64, "inStock": "yes", "tags": ["a", 1], "color": 3 },
            "me": "Ada"
        } }),
    );
    let plan = fetch(
        "products",
        "{ product(upc: \"1\") { name price weight inStock tags color } me { name } }",
    );
    let result = run(
        "{ product(upc: \"1\") { price weight inStock tags color } me { name } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
    let second = run(
        "{ product(upc: \"1\") { name } }",
        json!({}),
        Some(fetch("products", "{ product(upc: \"1\") { name } }")),
        MockFetcher::new().canned(
            "products",
            json!({ "data": { "product": { "name": { "first": "Table" } } } }),
        ),
    )
    .await;
    assert_eq!(second["response"]["data"], json!({ "product": null }));
    assert_eq!(
        second["response"]["errors"][0]["message"],
        "Invalid value for field Product.name: expected String, got an object"
    );
}
