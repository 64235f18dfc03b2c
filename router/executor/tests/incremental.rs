//! Incremental delivery of `@defer`: the initial part without the deferred
//! fragments, then one result per object the fragment is on, with the
//! deferred part's errors in that part.

mod common;

use std::sync::Arc;

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;
use common::{MockFetcher, document, entities_operation, entity_fetch, fetch, flatten};
use futures::StreamExt;
use serde_json::{Value, json};
use switchyard_executor::{ExecutionOptions, Executor, FetchError, IncrementalPart};
use switchyard_planner::plan::{DeferredNode, PathElement, PlanNode, QueryPlan};

fn executor() -> Executor {
    let sdl = format!(
        "{}\ndirective @defer(label: String, if: Boolean! = true) on FRAGMENT_SPREAD | INLINE_FRAGMENT\n",
        common::SCHEMA
    );
    let schema: Arc<Valid<Schema>> =
        Arc::new(Schema::parse_and_validate(sdl, "schema.graphql").expect("valid schema"));
    Executor::new(schema)
}

const QUERY: &str = r#"query($d: Boolean! = true) { topProducts { name ... @defer(label: "stock", if: $d) { inStock } } }"#;

/// `topProducts` from products, `inStock` deferred to an inventory entity fetch.
fn plan() -> QueryPlan {
    QueryPlan {
        node: Some(PlanNode::Defer {
            primary: Some(Box::new(fetch(
                "products",
                "{ topProducts { name __typename upc } }",
            ))),
            deferred: vec![DeferredNode {
                index: 0,
                label: Some("stock".into()),
                if_variable: Some("d".into()),
                path: vec![PathElement::Key("topProducts".into()), PathElement::Flatten],
                parent_type: "Product".into(),
                depends_on: Vec::new(),
                node: Some(Box::new(flatten(
                    "topProducts.@",
                    entity_fetch(
                        "inventory",
                        "Product",
                        &["upc"],
                        &entities_operation("... on Product { inStock }"),
                    ),
                ))),
            }],
        }),
        unresolvable: Vec::new(),
    }
}

fn fetcher() -> MockFetcher {
    MockFetcher::new()
        .canned(
            "products",
            json!({"data": {"topProducts": [
                {"name": "Table", "__typename": "Product", "upc": "1"},
                {"name": "Chair", "__typename": "Product", "upc": "2"},
            ]}}),
        )
        .entities(
            "inventory",
            |r| json!({"__typename": "Product", "inStock": r["upc"] == "1"}),
        )
}

/// Every part as the client reads it.
async fn parts(variables: Value, fetcher: &MockFetcher) -> Vec<Value> {
    let executor = executor();
    let document = document(executor.api_schema(), QUERY);
    let variables = variables.as_object().cloned().unwrap_or_default();
    let prepared = executor.prepare(&document, None, &variables).unwrap();
    let (sender, receiver) = futures::channel::mpsc::unbounded();
    executor
        .execute_incremental(
            &plan(),
            &prepared,
            fetcher,
            ExecutionOptions::default(),
            sender,
        )
        .await;
    receiver
        .map(|part: IncrementalPart| serde_json::from_slice(&part.into_json_bytes()).unwrap())
        .collect()
        .await
}

#[tokio::test]
async fn the_deferred_fragment_comes_after_the_initial_part_once_per_list_element() {
    let fetcher = fetcher();
    let parts = parts(json!({}), &fetcher).await;
    assert_eq!(
        parts,
        vec![
            json!({"data": {"topProducts": [{"name": "Table"}, {"name": "Chair"}]}, "hasNext": true}),
            json!({"incremental": [
                {"data": {"inStock": true}, "path": ["topProducts", 0], "label": "stock"},
                {"data": {"inStock": false}, "path": ["topProducts", 1], "label": "stock"},
            ], "hasNext": false}),
        ]
    );
    let recorded = fetcher.recorded();
    assert_eq!(recorded.as_array().unwrap().len(), 2, "{recorded}");
}

#[tokio::test]
async fn defer_if_false_delivers_everything_at_once() {
    let fetcher = fetcher();
    let parts = parts(json!({"d": false}), &fetcher).await;
    assert_eq!(
        parts,
        vec![json!({"data": {"topProducts": [
            {"name": "Table", "inStock": true},
            {"name": "Chair", "inStock": false},
        ]}, "hasNext": false})]
    );
}

#[tokio::test]
async fn an_error_of_a_deferred_fetch_goes_into_its_part() {
    let fetcher = fetcher().failing("inventory", FetchError::Transport("down".into()));
    let parts = parts(json!({}), &fetcher).await;
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert!(parts[0].get("errors").is_none(), "{}", parts[0]);
    let incremental = &parts[1]["incremental"];
    assert_eq!(
        incremental[0]["data"],
        json!({"inStock": null}),
        "{incremental}"
    );
    assert_eq!(
        incremental[0]["errors"][0]["path"],
        json!(["topProducts", 0]),
        "{incremental}"
    );
    assert_eq!(
        incremental[1]["errors"][0]["path"],
        json!(["topProducts", 1]),
        "{incremental}"
    );
}

#[tokio::test]
async fn execute_answers_a_deferred_plan_as_one_response() {
    let fetcher = fetcher();
    let executor = executor();
    let document = document(executor.api_schema(), QUERY);
    let prepared = executor
        .prepare(&document, None, &Default::default())
        .unwrap();
    let outcome = executor
        .execute(&plan(), &prepared, &fetcher, ExecutionOptions::default())
        .await;
    assert_eq!(
        serde_json::to_value(&outcome.response).unwrap(),
        json!({"data": {"topProducts": [
            {"name": "Table", "inStock": true},
            {"name": "Chair", "inStock": false},
        ]}})
    );
}
