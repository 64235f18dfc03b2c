//! Batched entity fetches: several `_entities` selections to one subgraph in one
//! request, each part's results and errors routed back to its own objects.

mod common;

use common::*;
use serde_json::{Value, json};
use switchyard_executor::{FetchError, SubgraphResponse};
use switchyard_planner::plan::{
    BatchFetchNode, BatchPart, PathElement, PlanNode, VariableCondition,
};

const BATCH_OPERATION: &str = "query($representations0: [_Any!]!, $representations1: [_Any!]!) { _0: _entities(representations: $representations0) { ... on Product { reviews { body } } } _1: _entities(representations: $representations1) { ... on Product { price } } }";

const QUERY: &str = "{ topProducts { name reviews { body } } product(upc: \"3\") { name price } }";

fn path(text: &str) -> Vec<PathElement> {
    match flatten(text, fetch("x", "{ x }")) {
        PlanNode::Flatten { path, .. } => path,
        _ => unreachable!(),
    }
}

fn part(n: usize, paths: &[&str]) -> BatchPart {
    BatchPart {
        response_key: format!("_{n}"),
        representations_variable: format!("representations{n}"),
        paths: paths.iter().map(|p| path(p)).collect(),
        conditions: Vec::new(),
        requires: vec![requires("Product", &["upc"])],
        input_rewrites: Vec::new(),
        output_rewrites: Vec::new(),
        context_arguments: Vec::new(),
        selection: None,
    }
}

fn batch(parts: Vec<BatchPart>) -> PlanNode {
    PlanNode::BatchFetch(BatchFetchNode {
        subgraph: "reviews".to_owned(),
        operation: BATCH_OPERATION.to_owned(),
        operation_name: None,
        variable_usages: Vec::new(),
        parts,
        client_definitions: Vec::new(),
    })
}

fn plan(parts: Vec<BatchPart>) -> PlanNode {
    sequence(vec![
        fetch(
            "products",
            "{ topProducts { __typename upc name } product(upc: \"3\") { __typename upc name } }",
        ),
        batch(parts),
    ])
}

fn products(top: Value, product: Value) -> MockFetcher {
    MockFetcher::new().canned(
        "products",
        json!({ "data": { "topProducts": top, "product": product } }),
    )
}

fn two_products() -> MockFetcher {
    products(
        json!([
            { "__typename": "Product", "upc": "1", "name": "Table" },
            { "__typename": "Product", "upc": "2", "name": "Couch" }
        ]),
        json!({ "__typename": "Product", "upc": "3", "name": "Chair" }),
    )
}

/// Answers `_0` with reviews and `_1` with prices, from each part's representations.
fn answer(request: &Value) -> Value {
    let reviews: Vec<Value> = request["variables"]["representations0"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| json!({ "reviews": [{ "body": format!("Review of {}", r["upc"].as_str().unwrap()) }] }))
        .collect();
    let prices: Vec<Value> = request["variables"]["representations1"]
        .as_array()
        .map_or(&[][..], Vec::as_slice)
        .iter()
        .map(|r| json!({ "price": r["upc"].as_str().unwrap().parse::<i64>().unwrap() * 10 }))
        .collect();
    if request["variables"].get("representations1").is_none() {
        return json!({ "_0": reviews });
    }
    json!({ "_0": reviews, "_1": prices })
}

/// Runs `QUERY` with the plan batching the reviews of `topProducts` (part 0) and
/// the price of `product` (part 1).
async fn run_two_parts(fetcher: MockFetcher) -> Value {
    run(
        QUERY,
        json!({}),
        Some(plan(vec![
            part(0, &["topProducts.@"]),
            part(1, &["product"]),
        ])),
        fetcher,
    )
    .await
}

#[tokio::test]
async fn sibling_entity_fetches_go_out_as_one_request() {
    let fetcher = two_products().handler("reviews", |request| {
        SubgraphResponse::from_json(json!({ "data": answer(request) }))
    });
    let result = run_two_parts(fetcher).await;
    assert_eq!(result["requests"].as_array().unwrap().len(), 2);
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn entity_errors_of_each_part_go_to_that_parts_objects() {
    let fetcher = two_products().handler("reviews", |request| {
        let mut data = answer(request);
        data["_0"][1] = Value::Null;
        data["_1"][0]["price"] = Value::Null;
        SubgraphResponse::from_json(json!({
            "data": data,
            "errors": [
                { "message": "Reviews of 2 are locked", "path": ["_0", 1] },
                { "message": "No price for 3", "path": ["_1", 0, "price"] },
                { "message": "Out of range", "path": ["_1", 7, "price"] }
            ]
        }))
    });
    let result = run_two_parts(fetcher).await;
    let paths: Vec<&Value> = result["response"]["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["path"])
        .collect();
    // The unknown index is about every object of the request.
    assert_eq!(
        paths,
        vec![
            &json!(["topProducts", 1]),
            &json!(["product", "price"]),
            &json!(["topProducts", 0]),
            &json!(["topProducts", 1]),
            &json!(["product"]),
        ]
    );
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn a_failed_batch_is_an_error_at_every_object_of_every_part() {
    let fetcher = two_products().failing("reviews", FetchError::Transport("refused".into()));
    let result = run_two_parts(fetcher).await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn a_part_without_representations_is_sent_empty() {
    let fetcher = products(
        json!([{ "__typename": "Product", "upc": "1", "name": "Table" }]),
        Value::Null,
    )
    .handler("reviews", |request| {
        SubgraphResponse::from_json(json!({ "data": answer(request) }))
    });
    let result = run_two_parts(fetcher).await;
    assert_eq!(
        result["requests"][1]["variables"]["representations1"],
        json!([])
    );
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn no_request_when_no_part_has_representations() {
    let fetcher = products(json!([]), Value::Null).handler("reviews", |request| {
        SubgraphResponse::from_json(json!({ "data": answer(request) }))
    });
    let result = run_two_parts(fetcher).await;
    let requests = result["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0]["subgraph"], "products");
}

#[tokio::test]
async fn a_part_with_several_paths_sends_each_entity_once_and_merges_it_everywhere() {
    let fetcher = products(
        json!([
            { "__typename": "Product", "upc": "3", "name": "Chair" },
            { "__typename": "Product", "upc": "1", "name": "Table" }
        ]),
        json!({ "__typename": "Product", "upc": "3", "name": "Chair" }),
    )
    .handler("reviews", |request| {
        SubgraphResponse::from_json(json!({ "data": answer(request) }))
    });
    let operation = "query($representations0: [_Any!]!) { _0: _entities(representations: $representations0) { ... on Product { reviews { body } } } }";
    let node = PlanNode::BatchFetch(BatchFetchNode {
        subgraph: "reviews".to_owned(),
        operation: operation.to_owned(),
        operation_name: None,
        variable_usages: Vec::new(),
        parts: vec![part(0, &["topProducts.@", "product"])],
        client_definitions: Vec::new(),
    });
    let plan = sequence(vec![
        fetch(
            "products",
            "{ topProducts { __typename upc name } product(upc: \"3\") { __typename upc name } }",
        ),
        node,
    ]);
    let result = run(
        "{ topProducts { name reviews { body } } product(upc: \"3\") { reviews { body } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(
        result["requests"][1]["variables"]["representations0"],
        json!([
            { "__typename": "Product", "upc": "3" },
            { "__typename": "Product", "upc": "1" }
        ])
    );
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn a_part_whose_condition_fails_is_sent_empty_and_variables_are_forwarded() {
    let fetcher = two_products().handler("reviews", |request| {
        SubgraphResponse::from_json(json!({ "data": answer(request) }))
    });
    let mut priced = part(1, &["product"]);
    priced.conditions = vec![VariableCondition {
        variable: "withPrice".to_owned(),
        include_if: true,
    }];
    let mut node = batch(vec![part(0, &["topProducts.@"]), priced]);
    if let PlanNode::BatchFetch(batch) = &mut node {
        batch.variable_usages = vec!["withPrice".to_owned()];
    }
    let plan = sequence(vec![
        fetch(
            "products",
            "{ topProducts { __typename upc name } product(upc: \"3\") { __typename upc name } }",
        ),
        node,
    ]);
    let result = run(
        "query($withPrice: Boolean!) { topProducts { name reviews { body } } product(upc: \"3\") { name price @include(if: $withPrice) } }",
        json!({ "withPrice": false }),
        Some(plan),
        fetcher,
    )
    .await;
    let request = &result["requests"][1];
    assert_eq!(request["variables"]["representations1"], json!([]));
    assert_eq!(request["variables"]["withPrice"], json!(false));
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn batch_parts_under_a_flatten_are_relative_to_it() {
    let fetcher = products(
        json!([{ "__typename": "Product", "upc": "1", "name": "Table" }]),
        Value::Null,
    )
    .handler("reviews", |request| {
        SubgraphResponse::from_json(json!({ "data": answer(request) }))
    });
    let plan = sequence(vec![
        fetch(
            "products",
            "{ topProducts { __typename upc name } product(upc: \"3\") { __typename upc name } }",
        ),
        flatten("topProducts", batch(vec![part(0, &["@"]), part(1, &["@"])])),
    ]);
    let result = run(
        "{ topProducts { name price reviews { body } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(
        result["response"]["data"],
        json!({ "topProducts": [{ "name": "Table", "price": 10, "reviews": [{ "body": "Review of 1" }] }] })
    );
}
