//! The committed benchmark files agree with the code: the supergraph is what our
//! composer makes of the four subgraphs, and Switchyard, run in-process against the
//! bench subgraphs, answers the workload with exactly `expected-response.json`.
//!
//! `BENCH_BLESS=1 cargo test -p switchyard-bench --test workload` rewrites
//! `expected-response.json` from the router's answer (check the diff by hand).

use std::collections::BTreeMap;

use serde_json::Value;
use switchyard::{Router, RouterConfig};
use switchyard_bench::compose::{default_url, supergraph};
use switchyard_bench::subgraphs::BoundSubgraphs;
use switchyard_bench::{EXPECTED_RESPONSE, SUPERGRAPH, WORKLOAD};

#[test]
fn committed_supergraph_is_the_composition_of_the_subgraphs() {
    let composed = supergraph(default_url).expect("the bench subgraphs compose");
    assert_eq!(
        composed, SUPERGRAPH,
        "bench/supergraph.graphql is stale: regenerate it with bench-compose"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_answers_the_workload_with_the_expected_response() {
    let subgraphs = BoundSubgraphs::bind("127.0.0.1", |_| 0).await.unwrap();
    let override_subgraph_urls: BTreeMap<String, String> = subgraphs
        .urls()
        .unwrap()
        .into_iter()
        .map(|(subgraph, url)| (subgraph.name().to_owned(), url))
        .collect();
    let (stop_subgraphs, stopped) = tokio::sync::oneshot::channel::<()>();
    let subgraphs = tokio::spawn(subgraphs.serve(async move {
        let _ = stopped.await;
    }));

    let config = RouterConfig {
        override_subgraph_urls,
        ..RouterConfig::default()
    };
    let router = Router::from_supergraph_sdl(SUPERGRAPH, config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop_router, router_stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        router
            .serve(listener, async move {
                let _ = router_stopped.await;
            })
            .await
    });

    let response = reqwest::Client::new()
        .post(format!("http://{addr}/graphql"))
        .json(&serde_json::json!({ "query": WORKLOAD }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body = response.bytes().await.unwrap();
    let actual: Value = serde_json::from_slice(&body).unwrap();

    if std::env::var_os("BENCH_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/expected-response.json");
        let mut text = serde_json::to_string(&actual).unwrap();
        text.push('\n');
        std::fs::write(path, text).unwrap();
        eprintln!("wrote {path} ({} bytes of response)", body.len());
    } else {
        let expected: Value = serde_json::from_str(EXPECTED_RESPONSE).unwrap();
        assert!(
            actual.get("errors").is_none(),
            "errors: {}",
            actual["errors"]
        );
        assert_eq!(actual, expected);
    }

    let _ = stop_router.send(());
    let _ = stop_subgraphs.send(());
    server.await.unwrap().unwrap();
    subgraphs.await.unwrap().unwrap();
}
