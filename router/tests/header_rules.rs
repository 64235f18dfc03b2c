//! Header rules (`headers.all`, `headers.subgraphs`) through HTTP: what each
//! mock subgraph received for one client request.

mod common;

use common::{MockSubgraph, Reply, TestRouter, config_with};
use serde_json::json;
use switchyard::config::RouterConfig;

/// The values of `name` a subgraph's first request carried.
fn received(subgraph: &MockSubgraph, name: &str) -> Vec<String> {
    subgraph.requests()[0]
        .all_headers
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, v)| v.clone())
        .collect()
}

fn rules(yaml: &str) -> Vec<switchyard::config::HeaderRule> {
    serde_saphyr::from_str(yaml).unwrap()
}

#[tokio::test]
async fn rules_for_all_and_per_subgraph() {
    let accounts = MockSubgraph::start(common::accounts).await;
    let reviews = MockSubgraph::start(common::reviews).await;
    let mut config = config_with(&[("accounts", &accounts.url), ("reviews", &reviews.url)]).await;
    config.headers.all = rules(
        "- propagate: { named: x-tenant, rename: x-tenant-id }\n\
         - propagate: { named: x-region, default: eu }\n\
         - propagate: { matching: '^x-feature-' }\n\
         - insert: { name: x-router, value: switchyard }\n\
         - remove: { named: authorization }\n",
    );
    config.headers.subgraphs.insert(
        "reviews".into(),
        rules(
            "- insert: { name: x-api-key, value: reviews-key }\n\
             - remove: { matching: '^x-feature-' }\n",
        ),
    );
    let router = TestRouter::start(config).await;
    let answer = router
        .post_with(
            json!({"query": "{ me { name reviews { body } } }"}),
            &[
                ("x-tenant", "t1"),
                ("x-feature-beta", "on"),
                ("authorization", "Bearer secret"),
                ("host", "spoofed.example"),
            ],
        )
        .await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(received(&accounts, "x-tenant-id"), ["t1"]);
    assert!(received(&accounts, "x-tenant").is_empty());
    assert_eq!(received(&accounts, "x-region"), ["eu"]);
    assert_eq!(received(&accounts, "x-feature-beta"), ["on"]);
    assert_eq!(received(&accounts, "x-router"), ["switchyard"]);
    assert!(received(&accounts, "authorization").is_empty());
    assert!(received(&accounts, "x-api-key").is_empty());
    assert_ne!(received(&accounts, "host"), ["spoofed.example"]);

    assert_eq!(received(&reviews, "x-api-key"), ["reviews-key"]);
    assert_eq!(received(&reviews, "x-tenant-id"), ["t1"]);
    assert!(received(&reviews, "x-feature-beta").is_empty());
}

#[tokio::test]
async fn bad_rules_stop_the_router_from_starting() {
    let mut config = RouterConfig::default();
    config.headers.all = rules("- propagate: { named: content-length }");
    let error = switchyard::Router::from_supergraph_sdl(common::SUPERGRAPH, config)
        .err()
        .expect("a reserved header is refused");
    assert!(error.to_string().contains("headers.all[0]"), "{error}");

    let mut config = RouterConfig::default();
    config
        .headers
        .subgraphs
        .insert("nope".into(), rules("- insert: { name: x-a, value: b }"));
    let error = switchyard::Router::from_supergraph_sdl(common::SUPERGRAPH, config)
        .err()
        .expect("an unknown subgraph is refused");
    assert!(error.to_string().contains("nope"), "{error}");
}

fn response_rules(yaml: &str) -> Vec<switchyard::response_headers::ResponseHeaderRule> {
    serde_saphyr::from_str(yaml).unwrap()
}

/// Each mock subgraph answers as usual, with some response headers of its own.
fn with_headers(
    handler: fn(&serde_json::Value) -> Reply,
    headers: &'static [(&'static str, &'static str)],
) -> impl Fn(&serde_json::Value) -> Reply + Send + Sync + 'static {
    move |body| Reply::WithHeaders(headers, Box::new(handler(body)))
}

const ACCOUNTS_HEADERS: &[(&str, &str)] = &[
    ("x-cache", "accounts-miss"),
    ("set-cookie", "a=1"),
    ("x-powered-by", "accounts-internal/1.2"),
    ("x-reviews-version", "spoofed"),
];
const REVIEWS_HEADERS: &[(&str, &str)] = &[
    ("x-cache", "reviews-hit"),
    ("set-cookie", "r=1"),
    ("x-reviews-version", "7"),
];

async fn shop_with_response_headers(rules: &str) -> (TestRouter, MockSubgraph, MockSubgraph) {
    let accounts = MockSubgraph::start(with_headers(common::accounts, ACCOUNTS_HEADERS)).await;
    let reviews = MockSubgraph::start(with_headers(common::reviews, REVIEWS_HEADERS)).await;
    let mut config = config_with(&[("accounts", &accounts.url), ("reviews", &reviews.url)]).await;
    config.headers.response = response_rules(rules);
    (TestRouter::start(config).await, accounts, reviews)
}

fn values(answer: &common::Answer, name: &str) -> Vec<String> {
    answer
        .headers
        .get_all(name)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn subgraph_response_headers_reach_the_client_only_through_rules() {
    let query = json!({"query": "{ me { name reviews { body } } }"});
    // No rules: nothing of the subgraphs' own headers reaches the client.
    let (router, _accounts, _reviews) = shop_with_response_headers("[]").await;
    let answer = router.post(query.clone()).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    for name in ["x-cache", "set-cookie", "x-powered-by", "x-reviews-version"] {
        assert!(
            values(&answer, name).is_empty(),
            "{name} leaked: {answer:?}"
        );
    }

    // accounts answers first, then reviews (its entities need the user's id).
    let (router, accounts, reviews) = shop_with_response_headers(
        "- { named: set-cookie, algorithm: append }\n\
         - { named: x-reviews-version, subgraphs: [reviews], rename: x-api-version }\n\
         - { named: x-cache, algorithm: last }\n\
         - { matching: '^content-', algorithm: append }\n",
    )
    .await;
    let answer = router.post(query).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert!(answer.body.get("errors").is_none(), "{answer:?}");
    assert_eq!(accounts.requests().len(), 1);
    assert_eq!(reviews.requests().len(), 1);
    assert_eq!(values(&answer, "set-cookie"), ["a=1", "r=1"]);
    assert_eq!(values(&answer, "x-api-version"), ["7"]);
    assert!(values(&answer, "x-reviews-version").is_empty());
    assert_eq!(values(&answer, "x-cache"), ["reviews-hit"]);
    assert!(values(&answer, "x-powered-by").is_empty());
    // The router's own framing is never a subgraph's.
    assert_eq!(values(&answer, "content-type").len(), 1);
    assert_eq!(values(&answer, "content-length").len(), 1);
}

#[tokio::test]
async fn bad_response_rules_stop_the_router_from_starting() {
    for (yaml, expected) in [
        ("- { named: content-type }", "headers.response[0]"),
        ("- { named: x-a, subgraphs: [nope] }", "nope"),
    ] {
        let mut config = RouterConfig::default();
        config.headers.response = response_rules(yaml);
        let error = switchyard::Router::from_supergraph_sdl(common::SUPERGRAPH, config)
            .err()
            .expect("a bad rule is refused");
        assert!(error.to_string().contains(expected), "{yaml}: {error}");
    }
}
