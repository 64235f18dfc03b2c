//! Header rules (`headers.all`, `headers.subgraphs`) through HTTP: what each
//! mock subgraph received for one client request.

mod common;

use common::{MockSubgraph, TestRouter, config_with};
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
    serde_yaml::from_str(yaml).unwrap()
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
