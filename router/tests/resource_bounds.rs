//! Resource bounds: a cancelled shared subgraph request does not outlive its
//! clients, identical cold operations are planned once, and the plan cache stays
//! within its byte bound.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{MockSubgraph, Reply, TestRouter, config_with};
use serde_json::json;

/// Every client waiting on a shared (deduplicated) subgraph request goes away:
/// the request is dropped with them, and the next identical query is sent anew
/// instead of joining the stale request (whose timeout had passed meanwhile).
#[tokio::test]
async fn cancelled_shared_request_does_not_stay_in_flight() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    // The first request is answered long after every timeout; later ones at once.
    let products = MockSubgraph::start(move |body| {
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::Delayed(Duration::from_secs(5), Box::new(common::products(body)))
        } else {
            common::products(body)
        }
    })
    .await;
    let mut config = config_with(&[("products", &products.url)]).await;
    config.timeouts.subgraph_request_ms = 400;
    // The whole-request timeout drops the pipeline, and with it the only client
    // of the shared subgraph request.
    config.timeouts.request_ms = 150;
    let router = TestRouter::start(config).await;
    let query = json!({ "query": "{ topProducts { upc } }" });

    let first = router.post(query.clone()).await;
    assert_eq!(first.status, 504, "{:?}", first.body);

    // Past the subgraph timeout of the dropped request.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let second = router.post(query).await;
    assert_eq!(second.status, 200);
    assert_eq!(
        second.body,
        json!({"data": {"topProducts": [{"upc": "1"}, {"upc": "2"}, {"upc": "3"}]}}),
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(router.router.subgraph_requests_in_flight(), 0);
}

/// An operation that takes the planner some time: every subgraph, nested entity
/// fetches, many aliases.
fn heavy_query() -> String {
    let mut query = String::from("{");
    for i in 0..24 {
        query.push_str(&format!(
            " a{i}: topProducts {{ upc name price reviews {{ id body author {{ id name \
             username reviews {{ id body product {{ upc name price }} }} }} }} }}"
        ));
    }
    query.push_str(" me { name reviews { body product { name reviews { author { name } } } } } }");
    query
}

/// Identical operations arriving together before their plan is cached are
/// planned once: the others wait for that plan.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn identical_cold_operations_are_planned_once() {
    let shop = common::Shop::start().await;
    let router = TestRouter::start(shop.config().await).await;
    let query = json!({ "query": heavy_query() });
    let answers = futures::future::join_all((0..16).map(|_| router.post(query.clone()))).await;
    // (The mock subgraphs do not answer every fetch of this operation; only its
    // planning matters here.)
    for answer in &answers {
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body, answers[0].body);
    }
    let stats = router.router.plan_cache_stats();
    assert_eq!(stats.misses, 1, "{stats:?}");
    assert_eq!(stats.hits + stats.joined, 15, "{stats:?}");
    assert_eq!(stats.entries, 1);
}

/// Many large distinct operations: the plan cache's estimated bytes stay within
/// `plan_cache.max_bytes` (the entry bound set out of the way).
#[tokio::test]
async fn plan_cache_stays_within_its_byte_bound() {
    let products = MockSubgraph::start(common::products).await;
    let mut config = config_with(&[("products", &products.url)]).await;
    config.plan_cache.capacity = 100_000;
    config.plan_cache.max_bytes = 2 * 1024 * 1024;
    let router = TestRouter::start(config.clone()).await;
    for i in 0..64 {
        let answer = router
            .post(json!({ "query": large_operation(i, 16 * 1024) }))
            .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        let stats = router.router.plan_cache_stats();
        assert!(stats.bytes <= config.plan_cache.max_bytes, "{stats:?}");
    }
    let stats = router.router.plan_cache_stats();
    assert_eq!(stats.misses, 64);
    // Evicted by bytes, well before the entry bound.
    assert!(stats.entries > 1 && stats.entries < 64, "{stats:?}");
}

/// A distinct operation of about `size` bytes (a long string argument).
fn large_operation(i: usize, size: usize) -> String {
    format!(
        "query Large{i} {{ topProducts {{ upc name }} product(upc: \"{i}-{}\") {{ name }} }}",
        "x".repeat(size)
    )
}

/// The memory figure of the plan cache's byte bound: sends 10,000 distinct
/// operations of 16 KiB to an in-process router and prints the process's peak
/// RSS (VmHWM). Run it with
/// `cargo test -p switchyard --test resource_bounds -- --ignored --nocapture plan_cache_memory`
/// (`SWITCHYARD_MAX_BYTES=N` overrides `plan_cache.max_bytes`, to compare;
/// `SWITCHYARD_OPERATIONS=N` the number of operations).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement, not a check: sends 10,000 requests"]
async fn plan_cache_memory() {
    use futures::StreamExt;
    // Not a `MockSubgraph`: it keeps every request it receives, which would be
    // most of the figure.
    let app = axum::Router::new().route(
        "/graphql",
        axum::routing::post(|body: axum::body::Bytes| async move {
            let body = serde_json::from_slice(&body).unwrap_or_default();
            match common::products(&body) {
                Reply::Json(value) => axum::Json(value),
                other => panic!("unexpected reply {other:?}"),
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/graphql", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    let mut config = config_with(&[("products", &url)]).await;
    config.plan_cache.capacity = 1_000_000;
    if let Some(max_bytes) = std::env::var("SWITCHYARD_MAX_BYTES")
        .ok()
        .and_then(|value| value.parse().ok())
    {
        config.plan_cache.max_bytes = max_bytes;
    }
    let operations: usize = std::env::var("SWITCHYARD_OPERATIONS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(10_000);
    let router = TestRouter::start(config.clone()).await;
    let before = peak_rss_kib();
    futures::stream::iter(0..operations)
        .map(|i| {
            let router = &router;
            async move {
                let answer = router
                    .post(json!({ "query": large_operation(i, 16 * 1024) }))
                    .await;
                assert_eq!(answer.status, 200, "{:?}", answer.body);
            }
        })
        .buffer_unordered(8)
        .collect::<Vec<()>>()
        .await;
    let stats = router.router.plan_cache_stats();
    println!(
        "plan_cache.max_bytes = {} ; after {operations} distinct 16 KiB operations: \
         {} entries, {} estimated bytes; peak RSS (VmHWM) {} KiB (before: {} KiB)",
        config.plan_cache.max_bytes,
        stats.entries,
        stats.bytes,
        peak_rss_kib(),
        before,
    );
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|line| line.strip_prefix("VmHWM:"))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
