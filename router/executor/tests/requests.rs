//! Request preparation (operation selection, variable coercion) and introspection.

mod common;

use common::*;
use serde_json::json;
use switchyard_executor::{ExecutionOptions, RequestError, Response};

async fn request_error(
    query: &str,
    operation_name: Option<&str>,
    variables: serde_json::Value,
) -> RequestError {
    let fetcher = MockFetcher::new();
    match try_execute(
        query,
        operation_name,
        variables,
        None,
        &fetcher,
        ExecutionOptions::default(),
    )
    .await
    {
        Ok(outcome) => panic!("expected a request error, got {:?}", outcome.response),
        Err(error) => {
            assert!(fetcher.recorded().as_array().unwrap().is_empty());
            error
        }
    }
}

#[tokio::test]
async fn variables_of_the_wrong_type_are_request_errors() {
    let error = request_error(
        "query($upc: String!) { product(upc: $upc) { name } }",
        None,
        json!({ "upc": { "not": "a string" } }),
    )
    .await;
    assert!(matches!(error, RequestError::InvalidVariables(_)));
    let response = serde_json::to_value(Response::from_request_error(&error)).unwrap();
    insta::assert_json_snapshot!(response);
}

#[tokio::test]
async fn missing_required_variables_are_request_errors() {
    let error = request_error(
        "query($upc: String!) { product(upc: $upc) { name } }",
        None,
        json!({}),
    )
    .await;
    insta::assert_json_snapshot!(error.to_graphql_error());
}

#[tokio::test]
async fn unknown_or_ambiguous_operations_are_request_errors() {
    let query = "query A { me { name } } query B { me { id } }";
    let unknown = request_error(query, Some("C"), json!({})).await;
    let ambiguous = request_error(query, None, json!({})).await;
    assert!(matches!(unknown, RequestError::UnknownOperation(_)));
    assert!(matches!(ambiguous, RequestError::UnknownOperation(_)));
    insta::assert_json_snapshot!([unknown.to_graphql_error(), ambiguous.to_graphql_error()]);
}

#[tokio::test]
async fn defaults_are_applied_and_forwarded() {
    let fetcher = MockFetcher::new().canned("products", json!({ "data": { "topProducts": [] } }));
    let plan = with_variables(
        fetch(
            "products",
            "query($first: Int, $text: String) { topProducts(first: $first) { name } }",
        ),
        &["first", "text"],
    );
    let result = run(
        "query($first: Int = 3, $text: String = \"x\", $no: Int) { topProducts(first: $first) { name } search(text: $text) { __typename } other: topProducts(first: $no) { upc } }",
        json!({ "text": null }),
        Some(plan),
        fetcher,
    )
    .await;
    // `$first` takes its default; `$text` was given as an explicit null and stays null;
    // `$no` has neither value nor default so it is not forwarded.
    assert_eq!(
        result["requests"][0]["variables"],
        json!({ "first": 3, "text": null })
    );
}

#[tokio::test]
async fn introspection_is_answered_from_the_api_schema() {
    let fetcher = MockFetcher::new();
    let result = run(
        r#"{ __schema { queryType { name } mutationType { name } } color: __type(name: "Color") { kind enumValues { name } } __typename }"#,
        json!({}),
        None,
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result);
}

#[tokio::test]
async fn introspection_mixes_with_fetched_fields_in_selection_order() {
    let fetcher =
        MockFetcher::new().canned("accounts", json!({ "data": { "me": { "name": "Ada" } } }));
    let result = run(
        r#"{ me { name } __type(name: "SearchResult") { possibleTypes { name } } }"#,
        json!({}),
        Some(fetch("accounts", "{ me { name } }")),
        fetcher,
    )
    .await;
    assert_eq!(
        result["response"],
        json!({ "data": {
            "me": { "name": "Ada" },
            "__type": { "possibleTypes": [{ "name": "Product" }, { "name": "User" }] }
        } })
    );
}

#[tokio::test]
async fn deeply_nested_introspection_is_rejected() {
    let error = request_error(
        "{ __schema { types { fields { type { fields { type { fields { type { fields { type { name } } } } } } } } } } }",
        None,
        json!({}),
    )
    .await;
    assert!(matches!(error, RequestError::TooDeep(_)), "{error:?}");
}
