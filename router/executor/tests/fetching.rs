//! Running plans: root and entity fetches, flatten paths, deduplication, plan node
//! kinds and what each subgraph receives.

mod common;

use std::sync::atomic::Ordering;
use std::time::Duration;

use common::*;
use serde_json::json;
use switchyard_executor::ExecutionOptions;
use switchyard_planner::plan::{OperationKind, PlanNode};

const REVIEWS_OF_TOP_PRODUCTS: &str = "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { reviews { body } } } }";

#[tokio::test]
async fn root_fetch_only_keeps_selected_fields_in_client_order() {
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({ "data": { "topProducts": [
            { "price": 12, "name": "Table", "upc": "1", "__typename": "Product" },
            { "price": 40, "name": "Couch", "upc": "2", "__typename": "Product" }
        ] } }),
    );
    let plan = fetch("products", "{ topProducts { __typename upc name price } }");
    let result = run(
        "{ topProducts { name price } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn entity_fetch_merges_into_each_list_element() {
    let fetcher = MockFetcher::new()
        .canned(
            "products",
            json!({ "data": { "topProducts": [
                { "__typename": "Product", "upc": "1", "name": "Table" },
                { "__typename": "Product", "upc": "2", "name": "Couch" }
            ] } }),
        )
        .entities("reviews", |representation| {
            json!({ "reviews": [{ "body": format!("Love {}", representation["upc"].as_str().unwrap()) }] })
        });
    let plan = sequence(vec![
        fetch("products", "{ topProducts { __typename upc name } }"),
        flatten(
            "topProducts.@",
            entity_fetch("reviews", "Product", &["upc"], REVIEWS_OF_TOP_PRODUCTS),
        ),
    ]);
    let result = run(
        "{ topProducts { name reviews { body } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn nested_flatten_through_lists_of_lists() {
    let fetcher = MockFetcher::new()
        .canned(
            "catalog",
            json!({ "data": { "categories": [
                { "name": "Home", "grid": [
                    [{ "__typename": "Product", "upc": "1" }, null],
                    [{ "__typename": "Product", "upc": "2" }]
                ] },
                { "name": "Empty", "grid": [] }
            ] } }),
        )
        .entities("products", |representation| {
            json!({ "name": format!("Product {}", representation["upc"].as_str().unwrap()) })
        });
    let plan = sequence(vec![
        fetch("catalog", "{ categories { name grid { __typename upc } } }"),
        flatten(
            "categories.@.grid.@.@",
            entity_fetch(
                "products",
                "Product",
                &["upc"],
                &entities_operation("... on Product { name }"),
            ),
        ),
    ]);
    let result = run(
        "{ categories { name grid { name } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn equal_representations_are_sent_once_and_merged_everywhere() {
    let fetcher = MockFetcher::new()
        .canned(
            "reviews",
            json!({ "data": { "me": { "reviews": [
                { "body": "A", "product": { "__typename": "Product", "upc": "1" } },
                { "body": "B", "product": { "__typename": "Product", "upc": "2" } },
                { "body": "C", "product": { "__typename": "Product", "upc": "1" } }
            ] } } }),
        )
        .entities("products", |representation| {
            json!({ "name": format!("Product {}", representation["upc"].as_str().unwrap()) })
        });
    let plan = sequence(vec![
        fetch(
            "reviews",
            "{ me { reviews { body product { __typename upc } } } }",
        ),
        flatten(
            "me.reviews.@.product",
            entity_fetch(
                "products",
                "Product",
                &["upc"],
                &entities_operation("... on Product { name }"),
            ),
        ),
    ]);
    let result = run(
        "{ me { reviews { body product { name } } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    let representations = &result["requests"][1]["variables"]["representations"];
    assert_eq!(representations.as_array().unwrap().len(), 2);
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn null_entities_leave_nullable_fields_null() {
    let fetcher = MockFetcher::new()
        .canned(
            "products",
            json!({ "data": { "topProducts": [
                { "__typename": "Product", "upc": "1", "name": "Table" },
                { "__typename": "Product", "upc": "2", "name": "Couch" }
            ] } }),
        )
        .canned(
            "inventory",
            json!({ "data": { "_entities": [null, { "inStock": true }] } }),
        );
    let plan = sequence(vec![
        fetch("products", "{ topProducts { __typename upc name } }"),
        flatten(
            "topProducts.@",
            entity_fetch(
                "inventory",
                "Product",
                &["upc"],
                &entities_operation("... on Product { inStock }"),
            ),
        ),
    ]);
    let result = run(
        "{ topProducts { name inStock } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn objects_with_null_or_missing_keys_are_not_sent() {
    let fetcher = MockFetcher::new()
        .canned(
            "reviews",
            json!({ "data": { "me": { "reviews": [
                { "body": "A", "product": { "__typename": "Product", "upc": null } },
                { "body": "B", "product": { "__typename": "Product" } },
                { "body": "C", "product": { "upc": "3" } },
                { "body": "D", "product": null },
                { "body": "E", "product": { "__typename": "Product", "upc": "5" } }
            ] } } }),
        )
        .entities("products", |_| json!({ "name": "Five" }));
    let plan = sequence(vec![
        fetch(
            "reviews",
            "{ me { reviews { body product { __typename upc } } } }",
        ),
        flatten(
            "me.reviews.@.product",
            entity_fetch(
                "products",
                "Product",
                &["upc"],
                &entities_operation("... on Product { name }"),
            ),
        ),
    ]);
    let result = run(
        "{ me { reviews { body product { name } } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(
        result["requests"][1]["variables"]["representations"],
        json!([{ "__typename": "Product", "upc": "5" }])
    );
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn no_representations_means_no_request() {
    let fetcher = MockFetcher::new().canned("products", json!({ "data": { "product": null } }));
    let plan = sequence(vec![
        fetch("products", "{ product(upc: \"9\") { __typename upc } }"),
        flatten(
            "product",
            entity_fetch("inventory", "Product", &["upc"], REVIEWS_OF_TOP_PRODUCTS),
        ),
    ]);
    let result = run(
        "{ product(upc: \"9\") { inStock } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(result["requests"].as_array().unwrap().len(), 1);
    assert_eq!(result["response"], json!({ "data": { "product": null } }));
}

#[tokio::test]
async fn type_conditions_in_flatten_paths_select_matching_objects() {
    let fetcher = MockFetcher::new()
        .canned(
            "search",
            json!({ "data": { "search": [
                { "__typename": "Product", "upc": "1" },
                { "__typename": "User", "id": "u1" }
            ] } }),
        )
        .entities("products", |_| json!({ "name": "Table" }))
        .entities("accounts", |_| json!({ "name": "Ada" }));
    let plan = sequence(vec![
        fetch(
            "search",
            "{ search(text: \"a\") { __typename ... on Product { upc } ... on User { id } } }",
        ),
        parallel(vec![
            flatten(
                "search.@.|[Product]",
                entity_fetch(
                    "products",
                    "Product",
                    &["upc"],
                    &entities_operation("... on Product { name }"),
                ),
            ),
            flatten(
                "search.@.|[User]",
                entity_fetch(
                    "accounts",
                    "User",
                    &["id"],
                    &entities_operation("... on User { name }"),
                ),
            ),
        ]),
    ]);
    let result = run(
        "{ search(text: \"a\") { ... on Product { name } ... on User { name } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn root_fetches_receive_only_the_variables_they_use() {
    let fetcher = MockFetcher::new()
        .canned(
            "products",
            json!({ "data": { "product": { "name": "Table" } } }),
        )
        .canned("accounts", json!({ "data": { "me": { "name": "Ada" } } }))
        .canned("catalog", json!({ "data": { "topProducts": [] } }));
    let plan = parallel(vec![
        with_variables(
            fetch(
                "products",
                "query($upc: String!) { product(upc: $upc) { name } }",
            ),
            &["upc"],
        ),
        fetch("accounts", "{ me { name } }"),
        with_variables(
            fetch(
                "catalog",
                "query($first: Int) { topProducts(first: $first) { name } }",
            ),
            &["first"],
        ),
    ]);
    let result = run(
        "query($upc: String!, $first: Int) { product(upc: $upc) { name } me { name } topProducts(first: $first) { name } }",
        json!({ "upc": "1", "first": 3 }),
        Some(plan),
        fetcher,
    )
    .await;
    let requests = result["requests"].as_array().unwrap();
    let products = requests
        .iter()
        .find(|r| r["subgraph"] == "products")
        .unwrap();
    let accounts = requests
        .iter()
        .find(|r| r["subgraph"] == "accounts")
        .unwrap();
    let catalog = requests
        .iter()
        .find(|r| r["subgraph"] == "catalog")
        .unwrap();
    assert_eq!(products["variables"], json!({ "upc": "1" }));
    assert!(accounts.get("variables").is_none());
    assert_eq!(catalog["variables"], json!({ "first": 3 }));
    assert_eq!(
        result["response"],
        json!({ "data": { "product": { "name": "Table" }, "me": { "name": "Ada" }, "topProducts": [] } })
    );
}

#[tokio::test]
async fn parallel_children_are_in_flight_together_and_sequences_are_not() {
    let parallel_fetcher = MockFetcher::new()
        .canned(
            "products",
            json!({ "data": { "product": { "name": "Table" } } }),
        )
        .canned("accounts", json!({ "data": { "me": { "name": "Ada" } } }))
        .delay("products", Duration::from_millis(30))
        .delay("accounts", Duration::from_millis(30));
    let nodes = || {
        vec![
            fetch("products", "{ product(upc: \"1\") { name } }"),
            fetch("accounts", "{ me { name } }"),
        ]
    };
    let query = "{ product(upc: \"1\") { name } me { name } }";
    execute(query, json!({}), Some(parallel(nodes())), &parallel_fetcher).await;
    assert_eq!(parallel_fetcher.max_in_flight.load(Ordering::SeqCst), 2);

    let sequence_fetcher = MockFetcher::new()
        .canned(
            "products",
            json!({ "data": { "product": { "name": "Table" } } }),
        )
        .canned("accounts", json!({ "data": { "me": { "name": "Ada" } } }))
        .delay("products", Duration::from_millis(30));
    let outcome = execute(query, json!({}), Some(sequence(nodes())), &sequence_fetcher).await;
    assert_eq!(sequence_fetcher.max_in_flight.load(Ordering::SeqCst), 1);
    assert!(outcome.response.errors.is_empty());
}

#[tokio::test]
async fn mutations_run_in_plan_order_with_their_follow_up_fetches() {
    let fetcher = MockFetcher::new()
        .sequence(
            "reviews",
            vec![
                json!({ "data": { "first": { "id": "r1", "product": { "__typename": "Product", "upc": "1" } } } }),
                json!({ "data": { "second": { "id": "r2", "product": { "__typename": "Product", "upc": "2" } } } }),
            ],
        )
        .entities("products", |representation| {
            json!({ "name": format!("Product {}", representation["upc"].as_str().unwrap()) })
        })
        .delay("reviews", Duration::from_millis(10));
    let product_names = &entities_operation("... on Product { name }");
    let plan = sequence(vec![
        fetch(
            "reviews",
            "mutation { first: createReview(upc: \"1\", body: \"a\") { id product { __typename upc } } }",
        ),
        flatten(
            "first.product",
            entity_fetch("products", "Product", &["upc"], product_names),
        ),
        fetch(
            "reviews",
            "mutation { second: createReview(upc: \"2\", body: \"b\") { id product { __typename upc } } }",
        ),
        flatten(
            "second.product",
            entity_fetch("products", "Product", &["upc"], product_names),
        ),
    ]);
    let query = r#"mutation { first: createReview(upc: "1", body: "a") { id product { name } } second: createReview(upc: "2", body: "b") { id product { name } } }"#;
    let outcome = execute(query, json!({}), Some(plan), &fetcher).await;
    assert_eq!(
        *fetcher.kinds.lock().unwrap(),
        [
            OperationKind::Mutation,
            OperationKind::Query,
            OperationKind::Mutation,
            OperationKind::Query
        ]
    );
    let result = json!({
        "response": serde_json::to_value(&outcome.response).unwrap(),
        "requests": fetcher.recorded(),
    });
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn condition_nodes_follow_the_variable_and_its_default() {
    let plan = || {
        sequence(vec![
            fetch("products", "{ topProducts { __typename upc name } }"),
            PlanNode::Condition {
                condition: "withReviews".to_owned(),
                if_clause: Some(Box::new(flatten(
                    "topProducts.@",
                    entity_fetch("reviews", "Product", &["upc"], REVIEWS_OF_TOP_PRODUCTS),
                ))),
                else_clause: None,
            },
        ])
    };
    let fetcher = || {
        MockFetcher::new()
            .canned(
                "products",
                json!({ "data": { "topProducts": [{ "__typename": "Product", "upc": "1", "name": "Table" }] } }),
            )
            .entities("reviews", |_| json!({ "reviews": [{ "body": "Nice" }] }))
    };
    let query = "query($withReviews: Boolean = true) { topProducts { name reviews @include(if: $withReviews) { body } } }";

    let skipped = run(
        query,
        json!({ "withReviews": false }),
        Some(plan()),
        fetcher(),
    )
    .await;
    let by_default = run(query, json!({}), Some(plan()), fetcher()).await;
    insta::assert_json_snapshot!("condition_false", skipped);
    insta::assert_json_snapshot!("condition_default_true", by_default);
}

#[tokio::test]
async fn traces_record_each_fetch_only_when_asked() {
    const BODY: &[u8] =
        br#"{"data":{"topProducts":[{"__typename":"Product","upc":"1","name":"Table"}]}}"#;
    let fetcher = MockFetcher::new().raw("products", BODY).failing(
        "reviews",
        switchyard_executor::FetchError::Timeout(Duration::from_secs(1)),
    );
    let plan = sequence(vec![
        fetch("products", "{ topProducts { __typename upc name } }"),
        flatten(
            "topProducts.@",
            entity_fetch("reviews", "Product", &["upc"], REVIEWS_OF_TOP_PRODUCTS),
        ),
    ]);
    let query = "{ topProducts { name reviews { body } } }";
    let traced = try_execute(
        query,
        None,
        json!({}),
        Some(plan.clone()),
        &fetcher,
        ExecutionOptions {
            trace: true,
            ..ExecutionOptions::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(traced.traces.len(), 2);
    assert_eq!(traced.traces[0].subgraph, "products");
    assert_eq!(traced.traces[0].response_bytes, BODY.len());
    assert_eq!(traced.traces[0].error_count, 0);
    assert_eq!(traced.traces[1].subgraph, "reviews");
    assert_eq!(traced.traces[1].representations, 1);
    assert_eq!(traced.traces[1].error_count, 1);
    assert!(traced.traces[1].start >= traced.traces[0].start);

    let untraced = execute(query, json!({}), Some(plan), &fetcher).await;
    assert!(untraced.traces.is_empty());
}

#[tokio::test]
async fn nested_flatten_paths_join_and_root_fetches_under_flatten_merge_at_their_position() {
    let fetcher = MockFetcher::new()
        .canned(
            "reviews",
            json!({ "data": { "me": { "reviews": [{ "product": { "__typename": "Product", "upc": "1" } }] } } }),
        )
        .entities("products", |_| json!({ "name": "Table" }))
        .canned(
            "accounts",
            json!({ "data": { "username": "ada" }, "errors": [{ "message": "slow", "path": ["username"] }] }),
        );
    let plan = sequence(vec![
        fetch(
            "reviews",
            "{ me { reviews { product { __typename upc } } } }",
        ),
        flatten(
            "me",
            parallel(vec![
                flatten(
                    "reviews.@.product",
                    entity_fetch(
                        "products",
                        "Product",
                        &["upc"],
                        &entities_operation("... on Product { name }"),
                    ),
                ),
                // A root fetch placed under a flatten: its data lands at `me`.
                fetch("accounts", "{ username }"),
            ]),
        ),
    ]);
    let result = run(
        "{ me { username reviews { product { name } } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(
        result["response"],
        json!({
            "data": { "me": { "username": "ada", "reviews": [{ "product": { "name": "Table" } }] } },
            "errors": [{ "message": "slow", "path": ["me", "username"], "extensions": { "serviceName": "accounts" } }]
        })
    );
}
