//! Response shaping: selection order, aliases, fragments on abstract types,
//! `@skip`/`@include`, `__typename`, leaf checks and null propagation.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn null_propagates_through_non_null_levels_to_the_nearest_nullable_field() {
    let fetcher = MockFetcher::new().canned(
        "reviews",
        json!({ "data": { "me": { "name": "Ada", "reviews": [{ "body": "ok" }, { "body": null }] }, "product": { "name": "Table" } } }),
    );
    let plan = fetch(
        "reviews",
        "{ me { name reviews { body } } product(upc: \"1\") { name } }",
    );
    let result = run(
        "{ me { name reviews { body } } product(upc: \"1\") { name } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result["response"]);
}

#[tokio::test]
async fn null_in_a_non_null_chain_from_the_root_nulls_data() {
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({ "data": { "requiredProduct": { "name": null }, "me": { "name": "Ada" } } }),
    );
    let plan = fetch("products", "{ me { name } requiredProduct { name } }");
    let result = run(
        "{ me { name } requiredProduct { name } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result["response"]);
}

#[tokio::test]
async fn a_subgraph_error_explaining_a_null_is_not_duplicated() {
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({
            "data": { "requiredProduct": null },
            "errors": [{ "message": "Product not found", "path": ["requiredProduct"] }]
        }),
    );
    let plan = fetch("products", "{ requiredProduct { name } }");
    let result = run(
        "{ requiredProduct { name } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(
        result["response"],
        json!({ "data": null, "errors": [{ "message": "Product not found", "path": ["requiredProduct"], "extensions": { "serviceName": "products" } }] })
    );
}

#[tokio::test]
async fn union_members_are_shaped_by_their_typename() {
    let fetcher = MockFetcher::new().canned(
        "search",
        json!({ "data": { "search": [
            { "__typename": "User", "name": "Ada", "id": "u1" },
            { "__typename": "Product", "name": "Table", "upc": "1", "price": 12 }
        ] } }),
    );
    let plan = fetch(
        "search",
        "{ search(text: \"a\") { __typename ... on User { name id } ... on Product { name upc price } } }",
    );
    let result = run(
        "{ search(text: \"a\") { kind: __typename ... on Product { price name } ... on User { name } } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result["response"]);
}

#[tokio::test]
async fn interface_fields_and_named_fragments_on_implementations() {
    let fetcher = MockFetcher::new().canned(
        "media",
        json!({ "data": { "media": [
            { "__typename": "Book", "id": "b1", "title": "Dune", "pages": 412 },
            { "__typename": "Movie", "id": "m1", "title": "Alien", "minutes": 117 }
        ] } }),
    );
    let plan = fetch(
        "media",
        "{ media { __typename id title ... on Book { pages } ... on Movie { minutes } } }",
    );
    let result = run(
        "query { media { title ...BookParts ... on Movie { minutes __typename } } } fragment BookParts on Book { __typename pages id }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result["response"]);
}

#[tokio::test]
async fn abstract_values_without_a_known_object_type_are_errors() {
    let fetcher = MockFetcher::new().canned(
        "media",
        json!({ "data": { "media": [
            { "__typename": "Book", "id": "b1", "title": "Dune" },
            { "__typename": "SecretTape", "id": "s1", "title": "Hidden" }
        ] }, "search": [] }),
    );
    let plan = fetch("media", "{ media { __typename id title } }");
    let result = run("{ media { id } }", json!({}), Some(plan.clone()), fetcher).await;
    insta::assert_json_snapshot!(result["response"]);

    let missing = MockFetcher::new().canned(
        "media",
        json!({ "data": { "media": [{ "id": "b1", "title": "Dune" }] } }),
    );
    let result = run("{ media { id } }", json!({}), Some(plan), missing).await;
    assert_eq!(result["response"]["data"], json!(null));
    assert_eq!(
        result["response"]["errors"][0]["message"],
        "Abstract type Media of field Query.media must resolve to one of its object types, got no __typename"
    );
}

#[tokio::test]
async fn aliases_and_repeated_fields_are_shaped_per_response_key() {
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({ "data": {
            "a": { "title": "Table", "upc": "1" },
            "b": { "name": "Couch", "price": 40, "cost": 40 }
        } }),
    );
    let plan = fetch(
        "products",
        "{ a: product(upc: \"1\") { title: name upc } b: product(upc: \"2\") { name price cost: price } }",
    );
    let result = run(
        "{ a: product(upc: \"1\") { title: name t: __typename } b: product(upc: \"2\") { name } b: product(upc: \"2\") { price cost: price } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result["response"]);
}

#[tokio::test]
async fn skip_and_include_follow_literals_variables_and_defaults() {
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({ "data": { "product": { "name": "Table", "price": 12, "weight": 3, "inStock": true, "color": "RED", "upc": "1" } } }),
    );
    let plan = fetch(
        "products",
        "{ product(upc: \"1\") { name price weight inStock color upc } }",
    );
    let query = r#"query($hide: Boolean!, $show: Boolean = true) {
        product(upc: "1") {
            name @skip(if: true)
            price @include(if: $show)
            weight @skip(if: $hide)
            ... on Product @include(if: $hide) { inStock }
            ...Colour @skip(if: false)
            upc @include(if: false)
        }
    }
    fragment Colour on Product { color }"#;
    let shown = run(query, json!({ "hide": true }), Some(plan.clone()), fetcher).await;
    insta::assert_json_snapshot!(shown["response"], @r#"
    {
      "data": {
        "product": {
          "price": 12,
          "inStock": true,
          "color": "RED"
        }
      }
    }
    "#);
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({ "data": { "product": { "name": "Table", "price": 12, "weight": 3, "inStock": true, "color": "RED", "upc": "1" } } }),
    );
    let hidden = run(
        query,
        json!({ "hide": false, "show": false }),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(hidden["response"], @r#"
    {
      "data": {
        "product": {
          "weight": 3,
          "color": "RED"
        }
      }
    }
    "#);
}

#[tokio::test]
async fn typename_is_answered_even_when_no_subgraph_sent_it() {
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({ "data": { "product": { "name": "Table" } } }),
    );
    let plan = fetch("products", "{ product(upc: \"1\") { name } }");
    let result = run(
        "{ __typename root: __typename product(upc: \"1\") { __typename name } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(
        result["response"],
        json!({ "data": { "__typename": "Query", "root": "Query", "product": { "__typename": "Product", "name": "Table" } } })
    );
}

#[tokio::test]
async fn only_typename_needs_no_fetch() {
    let fetcher = MockFetcher::new();
    let result = run("{ __typename }", json!({}), None, fetcher).await;
    assert_eq!(
        result,
        json!({ "response": { "data": { "__typename": "Query" } }, "requests": [] })
    );
}

#[tokio::test]
async fn enum_values_unknown_to_the_api_schema_become_null_with_an_error() {
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({ "data": { "topProducts": [
            { "name": "Table", "color": "RED" },
            { "name": "Couch", "color": "INTERNAL_BEIGE" }
        ] } }),
    );
    let plan = fetch("products", "{ topProducts { name color } }");
    let result = run(
        "{ topProducts { name color } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    insta::assert_json_snapshot!(result["response"]);
}

#[tokio::test]
async fn operation_name_picks_the_operation_to_shape() {
    let fetcher = MockFetcher::new().canned(
        "products",
        json!({ "data": { "product": { "name": "Table", "price": 12 } } }),
    );
    let plan = fetch("products", "query Second { product(upc: \"1\") { price } }");
    let outcome = try_execute(
        "query First { me { name } } query Second { product(upc: \"1\") { price } }",
        Some("Second"),
        json!({}),
        Some(plan),
        &fetcher,
        Default::default(),
    )
    .await
    .unwrap();
    assert_eq!(
        serde_json::to_value(&outcome.response).unwrap(),
        json!({ "data": { "product": { "price": 12 } } })
    );
}

#[tokio::test]
async fn keys_in_any_order_and_early_null_propagation_shape_correctly() {
    let fetcher = MockFetcher::new().canned(
        "accounts",
        json!({ "data": {
            "product": { "upc": "1", "name": "Table", "__typename": "Product", "price": 3 },
            "me": { "name": "Ada", "reviews": [{ "x": 1, "body": null, "rating": 1 }, { "rating": 2, "body": "ok" }], "username": "ada", "id": "1" },
            "topProducts": [{ "tags": ["b", "a"], "name": "Couch" }]
        } }),
    );
    let plan = fetch(
        "accounts",
        "{ product(upc: \"1\") { upc name __typename price } me { name reviews { body rating } username id } topProducts { tags name } }",
    );
    let result = run(
        "{ me { username reviews { rating body } name } product(upc: \"1\") { price name } topProducts { name tags } }",
        json!({}),
        Some(plan),
        fetcher,
    )
    .await;
    assert_eq!(
        serde_json::to_string(&result["response"]).unwrap(),
        serde_json::to_string(&json!({
            "data": {
                "me": null,
                "product": { "price": 3, "name": "Table" },
                "topProducts": [{ "name": "Couch", "tags": ["b", "a"] }]
            },
            "errors": [{ "message": "Cannot return null for non-nullable field Review.body", "path": ["me", "reviews", 0, "body"] }]
        }))
        .unwrap()
    );
}
