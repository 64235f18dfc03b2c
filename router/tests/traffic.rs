//! Subgraph traffic: which client headers reach subgraphs, deduplication of
//! identical in-flight requests, and what each subgraph received for a query that
//! spans all three.

mod common;

use std::time::Duration;

use common::{MockSubgraph, Reply, Shop, TestRouter, config_with};
use futures::future::join_all;
use serde_json::json;
use switchyard::subgraph_client::{RequestFetcher, SubgraphClient, SubgraphClientOptions};
use switchyard_executor::{SubgraphFetcher, SubgraphRequest};
use switchyard_planner::plan::OperationKind;

#[tokio::test]
async fn query_across_three_subgraphs() {
    let shop = Shop::start().await;
    let router = TestRouter::start(shop.config().await).await;
    let answer = router
        .post(json!({
            "query": "query Top($first: Int) { topProducts(first: $first) { upc name reviews { body author { name } } } }",
            "variables": { "first": 2 },
            "operationName": "Top"
        }))
        .await;
    insta::assert_json_snapshot!("query_across_three_subgraphs_response", answer);
    insta::assert_json_snapshot!("query_across_three_subgraphs_requests", shop.requests());
}

#[tokio::test]
async fn configured_headers_are_forwarded() {
    let shop = Shop::start().await;
    let router = TestRouter::start(shop.config().await).await;
    let answer = router
        .post_with(
            json!({ "query": "{ me { name reviews { body } } }" }),
            &[
                ("authorization", "Bearer secret-token"),
                ("x-custom", "not forwarded"),
            ],
        )
        .await;
    assert_eq!(answer.status, 200);
    let requests = shop.requests();
    for subgraph in ["accounts", "reviews"] {
        for request in requests[subgraph].as_array().unwrap() {
            assert_eq!(request["headers"]["authorization"], "Bearer secret-token");
            assert!(request["headers"].get("x-custom").is_none());
        }
    }
    insta::assert_json_snapshot!(requests);
}

/// Subgraphs learn the client's address as a reverse proxy tells it: appended to
/// whatever `X-Forwarded-For` the client sent, so a subgraph that trusts the router
/// takes the right-most entry and a forged one changes nothing.
#[tokio::test]
async fn the_client_address_is_appended_to_x_forwarded_for() {
    let products = MockSubgraph::start(common::products).await;
    let router = TestRouter::start(config_with(&[("products", &products.url)]).await).await;
    let query = json!({ "query": "{ topProducts { upc } }" });
    router.post_with(query.clone(), &[]).await;
    router
        .post_with(query.clone(), &[("x-forwarded-for", "6.6.6.6")])
        .await;
    let seen: Vec<Option<String>> = products
        .requests()
        .into_iter()
        .map(|r| r.forwarded_for)
        .collect();
    assert_eq!(
        seen,
        [
            Some("127.0.0.1".to_owned()),
            Some("6.6.6.6, 127.0.0.1".to_owned())
        ]
    );

    let mut config = config_with(&[("products", &products.url)]).await;
    config.headers.forward_client_address = false;
    let quiet = TestRouter::start(config).await;
    quiet
        .post_with(query, &[("x-forwarded-for", "6.6.6.6")])
        .await;
    assert_eq!(products.requests().last().unwrap().forwarded_for, None);
}

/// Five concurrent clients asking the same thing while the subgraph is slow.
async fn concurrent_identical(dedup: bool, authorizations: [&str; 5]) -> usize {
    let products = MockSubgraph::start(|body| {
        Reply::Delayed(Duration::from_millis(300), Box::new(common::products(body)))
    })
    .await;
    let mut config = config_with(&[("products", &products.url)]).await;
    config.traffic_shaping.dedup = dedup;
    let router = TestRouter::start(config).await;
    let answers = join_all(authorizations.iter().map(|auth| {
        let router = &router;
        async move {
            router
                .post_with(
                    json!({ "query": "{ topProducts { upc name } }" }),
                    &[("authorization", auth)],
                )
                .await
        }
    }))
    .await;
    for answer in &answers {
        assert_eq!(answer.status, 200);
        assert_eq!(answer.body, answers[0].body);
        assert_eq!(answer.body["data"]["topProducts"][0]["name"], "Table");
    }
    products.requests().len()
}

#[tokio::test]
async fn identical_in_flight_queries_share_one_request() {
    assert_eq!(concurrent_identical(true, ["Bearer a"; 5]).await, 1);
}

#[tokio::test]
async fn dedup_keeps_different_forwarded_headers_apart() {
    let auth = ["Bearer a", "Bearer b", "Bearer a", "Bearer b", "Bearer a"];
    assert_eq!(concurrent_identical(true, auth).await, 2);
}

#[tokio::test]
async fn dedup_can_be_disabled() {
    assert_eq!(concurrent_identical(false, ["Bearer a"; 5]).await, 5);
}

#[tokio::test]
async fn mutations_are_never_deduplicated() {
    let products = MockSubgraph::start(|body| {
        Reply::Delayed(Duration::from_millis(300), Box::new(common::products(body)))
    })
    .await;
    let router = TestRouter::start(config_with(&[("products", &products.url)]).await).await;
    let answers = join_all((0..3).map(|_| {
        router
            .post(json!({ "query": "mutation { addProduct(upc: \"9\", name: \"New\") { upc } }" }))
    }))
    .await;
    for answer in answers {
        assert_eq!(answer.body["data"]["addProduct"]["upc"], "9");
    }
    assert_eq!(products.requests().len(), 3);
}

/// Two identical requests sent at once through the fetcher the server uses, with
/// texts the old first-keyword check got wrong: the operation kind from the plan
/// decides, not the text.
async fn concurrent_fetches(query: &str, kind: OperationKind) -> usize {
    let products = MockSubgraph::start(|body| {
        Reply::Delayed(Duration::from_millis(300), Box::new(common::products(body)))
    })
    .await;
    let options = SubgraphClientOptions {
        timeout: Duration::from_secs(5),
        dedup: true,
        response_headers: Default::default(),
    };
    let client = SubgraphClient::new([("products".to_owned(), products.url.clone())], options)
        .expect("valid subgraph URL");
    let fetcher = RequestFetcher {
        client,
        headers: Vec::new(),
        subgraph_headers: Vec::new(),
        response_headers: None,
        trace: Default::default(),
    };
    let request = || SubgraphRequest {
        query,
        operation_name: None,
        variables: Default::default(),
        operation_kind: kind,
    };
    let (first, second) = futures::join!(
        fetcher.fetch("products", request()),
        fetcher.fetch("products", request())
    );
    assert!(first.is_ok() && second.is_ok(), "{first:?} {second:?}");
    products.requests().len()
}

#[tokio::test]
async fn concurrent_identical_mutations_are_both_sent() {
    let mutation =
        "# adds a product\nmutation AddProduct { addProduct(upc: \"9\", name: \"New\") { upc } }";
    assert_eq!(
        concurrent_fetches(mutation, OperationKind::Mutation).await,
        2
    );
    let spaced = "\n  mutation { addProduct(upc: \"9\", name: \"New\") { upc } }";
    assert_eq!(concurrent_fetches(spaced, OperationKind::Mutation).await, 2);
}

#[tokio::test]
async fn concurrent_identical_queries_with_a_leading_comment_are_shared() {
    let query = "# top\nquery Top { topProducts { upc } }";
    assert_eq!(concurrent_fetches(query, OperationKind::Query).await, 1);
}

#[tokio::test]
async fn sequential_identical_queries_are_each_sent() {
    let products = MockSubgraph::start(common::products).await;
    let router = TestRouter::start(config_with(&[("products", &products.url)]).await).await;
    for _ in 0..2 {
        router
            .post(json!({ "query": "{ topProducts { upc } }" }))
            .await;
    }
    assert_eq!(products.requests().len(), 2);
}
