//! The committed benchmark files agree with the code: the supergraph is what our
//! composer makes of the four subgraphs, and Switchyard, run in-process against the
//! bench subgraphs, answers the workload with exactly `expected-response.json`,
//! and the load harness's other workloads with the answers computed from the data.
//!
//! `BENCH_BLESS=1 cargo test -p switchyard-bench --test workload` rewrites
//! `expected-response.json` from the router's answer (check the diff by hand).

use std::collections::BTreeMap;

use serde_json::Value;
use switchyard::{Router, RouterConfig};
use switchyard_bench::compose::{default_url, supergraph};
use switchyard_bench::subgraphs::BoundSubgraphs;
use switchyard_bench::workloads::{WIDE_DEFAULT, Workload};
use switchyard_bench::{EXPECTED_RESPONSE, SUPERGRAPH};

#[test]
fn committed_supergraph_is_the_composition_of_the_subgraphs() {
    let composed = supergraph(default_url).expect("the bench subgraphs compose");
    assert_eq!(
        composed, SUPERGRAPH,
        "bench/supergraph.graphql is stale: regenerate it with bench-compose"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn router_answers_every_workload_with_the_expected_response() {
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

    let client = reqwest::Client::new();
    let answer = |workload: Workload| {
        let client = client.clone();
        async move {
            let response = client
                .post(format!("http://{addr}/graphql"))
                .header("content-type", "application/json")
                .body(workload.request_body())
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{workload}");
            let body = response.bytes().await.unwrap();
            (serde_json::from_slice::<Value>(&body).unwrap(), body.len())
        }
    };

    let (actual, size) = answer(Workload::Deep).await;
    if std::env::var_os("BENCH_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/expected-response.json");
        let mut text = serde_json::to_string(&actual).unwrap();
        text.push('\n');
        std::fs::write(path, text).unwrap();
        eprintln!("wrote {path} ({size} bytes of response)");
    } else {
        let expected: Value = serde_json::from_str(EXPECTED_RESPONSE).unwrap();
        assert!(
            actual.get("errors").is_none(),
            "errors: {}",
            actual["errors"]
        );
        assert_eq!(actual, expected);
    }

    // The other workloads' answers are computed from the data, not recorded:
    // the router must agree with them exactly.
    for workload in [
        Workload::Page,
        Workload::Wide(12),
        Workload::Wide(WIDE_DEFAULT),
        Workload::Wide(12_000),
        Workload::Chain(0),
        Workload::Chain(1),
        Workload::Chain(4),
    ] {
        // The second time, the subgraphs answer the same bodies from memory.
        for round in ["executed", "from memory"] {
            let (actual, size) = answer(workload).await;
            assert!(
                actual.get("errors").is_none(),
                "{workload} ({round}): errors: {}",
                actual["errors"]
            );
            assert_eq!(actual, workload.expected(), "{workload} ({round})");
            eprintln!("{workload} ({round}): {size} bytes");
        }
    }

    let _ = stop_router.send(());
    let _ = stop_subgraphs.send(());
    server.await.unwrap().unwrap();
    subgraphs.await.unwrap().unwrap();
}
