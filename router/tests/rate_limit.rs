//! Per-client rate limiting (`rate_limit.per_client`): requests under the limit
//! are served, the one over it is a 429 with `Retry-After` and `RATE_LIMITED`,
//! and another client address keeps its own budget. The second client connects
//! from 127.0.0.2 (the whole 127.0.0.0/8 is loopback on Linux). Behind trusted
//! proxies (`rate_limit.trusted_proxies`) the client is the address
//! `X-Forwarded-For` names.

mod common;

use std::net::{IpAddr, Ipv4Addr};

use common::{Answer, TestRouter, config_with};
use serde_json::json;
use switchyard::config::{PerClientLimit, RequestsPerPeriod};

async fn router_with(limit: PerClientLimit) -> TestRouter {
    let mut config = config_with(&[]).await;
    config.rate_limit.per_client = Some(limit);
    TestRouter::start(config).await
}

async fn typename(router: &TestRouter, client: &reqwest::Client) -> Answer {
    let response = client
        .post(router.url("/graphql"))
        .header("content-type", "application/json")
        .body(json!({"query": "{ __typename }"}).to_string())
        .send()
        .await
        .unwrap();
    Answer::read(response).await
}

#[tokio::test]
async fn a_client_over_its_limit_gets_429_and_others_are_still_served() {
    // A budget of 3 that refills one per 20 minutes: no refill during the test.
    let router = router_with(PerClientLimit::Text("3/1h".into())).await;
    let first = reqwest::Client::new();
    for _ in 0..3 {
        let answer = typename(&router, &first).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body, json!({"data": {"__typename": "Query"}}));
    }

    let refused = typename(&router, &first).await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    let retry_after: u64 = refused.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        (1..=1200).contains(&retry_after),
        "Retry-After {retry_after}"
    );
    assert_eq!(
        refused.body["errors"][0]["extensions"]["code"],
        "RATE_LIMITED"
    );
    assert!(refused.body.get("data").is_none());

    // Another address has its own budget.
    let second = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .unwrap();
    let answer = typename(&router, &second).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);

    // `/health` is never limited.
    let health = first.get(router.url("/health")).send().await.unwrap();
    assert_eq!(health.status(), 200);
    // The limited client stays limited on GET too.
    let refused = router
        .get(
            "/graphql?query=%7B__typename%7D",
            &[("x-switchyard-csrf", "1")],
        )
        .await;
    assert_eq!(refused.status, 429);
}

#[tokio::test]
async fn the_limit_can_be_given_as_fields() {
    let router = router_with(PerClientLimit::Fields(RequestsPerPeriod {
        requests: 1,
        period_ms: 3_600_000,
    }))
    .await;
    let client = reqwest::Client::new();
    assert_eq!(typename(&router, &client).await.status, 200);
    let refused = typename(&router, &client).await;
    assert_eq!(refused.status, 429);
    assert!(refused.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn without_a_limit_nothing_is_refused() {
    let router = TestRouter::start(config_with(&[]).await).await;
    assert!(router.router.config().rate_limit.per_client.is_none());
    for _ in 0..20 {
        assert_eq!(typename(&router, &router.http).await.status, 200);
    }
}

/// A request from `client` naming `forwarded` in `X-Forwarded-For`.
async fn typename_via(router: &TestRouter, client: &reqwest::Client, forwarded: &str) -> Answer {
    let response = client
        .post(router.url("/graphql"))
        .header("content-type", "application/json")
        .header("x-forwarded-for", forwarded)
        .body(json!({"query": "{ __typename }"}).to_string())
        .send()
        .await
        .unwrap();
    Answer::read(response).await
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_forwarded_client_is_limited() {
    let mut config = config_with(&[]).await;
    config.rate_limit.per_client = Some(PerClientLimit::Text("1/1h".into()));
    // The test client (127.0.0.1) is the proxy; 127.0.0.2 is not trusted.
    config.rate_limit.trusted_proxies = vec!["127.0.0.1/32".into()];
    let router = TestRouter::start(config).await;
    let proxy = reqwest::Client::new();

    assert_eq!(
        typename_via(&router, &proxy, "203.0.113.7").await.status,
        200
    );
    let refused = typename_via(&router, &proxy, "203.0.113.7").await;
    assert_eq!(refused.status, 429, "{:?}", refused.body);
    assert!(refused.headers.contains_key("retry-after"));
    assert_eq!(
        refused.body["errors"][0]["extensions"]["code"],
        "RATE_LIMITED"
    );
    // What the client wrote to the left of the proxy's hop changes nothing;
    // trusted hops to its right are skipped.
    let spoofed = typename_via(&router, &proxy, "198.51.100.1, 203.0.113.7").await;
    assert_eq!(spoofed.status, 429);
    let through_two = typename_via(&router, &proxy, "203.0.113.7, 127.0.0.1").await;
    assert_eq!(through_two.status, 429);
    // Another forwarded client has its own budget.
    assert_eq!(
        typename_via(&router, &proxy, "203.0.113.8").await.status,
        200
    );

    // An untrusted peer is counted as itself, whatever it forwards.
    let untrusted = reqwest::Client::builder()
        .local_address(IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)))
        .build()
        .unwrap();
    assert_eq!(
        typename_via(&router, &untrusted, "203.0.113.50")
            .await
            .status,
        200
    );
    assert_eq!(
        typename_via(&router, &untrusted, "203.0.113.51")
            .await
            .status,
        429
    );
}
