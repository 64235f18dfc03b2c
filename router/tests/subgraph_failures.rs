//! A subgraph that is down, slow, or answering garbage: the fields it should have
//! filled are null with an error at their path naming the subgraph, the rest of
//! the response is served, and the HTTP status stays 200.

mod common;

use std::time::Duration;

use common::{MockSubgraph, Reply, TestRouter, config_with};
use serde_json::json;

/// `me` comes from accounts (healthy); `product` from products (failing).
const QUERY: &str = "{ me { name } product(upc: \"1\") { name price } }";

async fn answer_with_products(products: Option<MockSubgraph>, timeout_ms: u64) -> common::Answer {
    let accounts = MockSubgraph::start(common::accounts).await;
    let mut urls = vec![("accounts", accounts.url.as_str())];
    if let Some(products) = &products {
        urls.push(("products", products.url.as_str()));
    }
    let mut config = config_with(&urls).await;
    config.timeouts.subgraph_request_ms = timeout_ms;
    let router = TestRouter::start(config).await;
    router.post(json!({ "query": QUERY })).await
}

#[tokio::test]
async fn subgraph_down() {
    let answer = answer_with_products(None, 5_000).await;
    assert_eq!(answer.status, 200);
    // The connection error text varies by platform; the shape must not.
    let message = answer.body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(message.contains("products"), "{message}");
    insta::assert_json_snapshot!(answer, {
        ".body.errors[0].message" => "[connection refused message]"
    });
}

#[tokio::test]
async fn subgraph_slow() {
    let slow = MockSubgraph::start(|_| {
        Reply::Delayed(
            Duration::from_secs(5),
            Box::new(Reply::Json(json!({"data": {"product": null}}))),
        )
    })
    .await;
    let started = std::time::Instant::now();
    let answer = answer_with_products(Some(slow), 300).await;
    assert!(started.elapsed() < Duration::from_secs(4));
    insta::assert_json_snapshot!(answer);
}

#[tokio::test]
async fn subgraph_answers_invalid_json() {
    let garbage = MockSubgraph::start(|_| Reply::Raw {
        status: 200,
        content_type: "application/json",
        body: "{\"data\": {\"product\": ".into(),
    })
    .await;
    insta::assert_json_snapshot!(answer_with_products(Some(garbage), 5_000).await);
}

#[tokio::test]
async fn subgraph_answers_json_that_is_not_graphql() {
    let wrong = MockSubgraph::constant(json!({"product": {"name": "Table"}})).await;
    insta::assert_json_snapshot!(answer_with_products(Some(wrong), 5_000).await);
}

#[tokio::test]
async fn subgraph_answers_http_500_html() {
    let broken = MockSubgraph::start(|_| Reply::Raw {
        status: 500,
        content_type: "text/html",
        body: "<html>Internal Server Error</html>".into(),
    })
    .await;
    insta::assert_json_snapshot!(answer_with_products(Some(broken), 5_000).await);
}

#[tokio::test]
async fn subgraph_graphql_errors_reach_the_client() {
    let erroring = MockSubgraph::constant(json!({
        "data": {"product": null},
        "errors": [{"message": "product service is degraded", "path": ["product"],
                    "extensions": {"code": "DEGRADED"}}]
    }))
    .await;
    insta::assert_json_snapshot!(answer_with_products(Some(erroring), 5_000).await);
}

#[tokio::test]
async fn whole_request_timeout_is_a_504() {
    let slow = MockSubgraph::start(|body| {
        Reply::Delayed(Duration::from_secs(5), Box::new(common::products(body)))
    })
    .await;
    let mut config = config_with(&[("products", &slow.url)]).await;
    config.timeouts.request_ms = 300;
    let router = TestRouter::start(config).await;
    let answer = router
        .post(json!({ "query": "{ topProducts { upc } }" }))
        .await;
    insta::assert_json_snapshot!(answer);
}
