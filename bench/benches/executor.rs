//! Executor benchmarks on the workload: merging the subgraph answers into the
//! client response (with and without parsing the subgraph bodies) and
//! serialising that 87 KB response.
//!
//! The subgraph answers are recorded once, in memory, from the real bench
//! subgraphs (no HTTP), then replayed by a canned fetcher.
//!
//! `cargo bench -p switchyard-bench --bench executor`

use std::collections::HashMap;
use std::hint::black_box;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use apollo_compiler::ExecutableDocument;
use criterion::{Criterion, criterion_group, criterion_main};
use futures::FutureExt;
use futures::future::BoxFuture;
use serde_json::Map;
use switchyard_bench::subgraphs::Subgraph;
use switchyard_bench::{EXPECTED_RESPONSE, SUPERGRAPH, WORKLOAD};
use switchyard_executor::{
    ExecutionOptions, Executor, FetchError, SubgraphFetcher, SubgraphRequest, SubgraphResponse,
};
use switchyard_planner::{PlanOptions, PlannerConfig, QueryPlanner, Supergraph};

/// (subgraph, request body) → response body.
type Recorded = HashMap<(String, Vec<u8>), Vec<u8>>;

/// Answers from the bench subgraphs executed in memory, and remembers each answer.
#[derive(Default)]
struct Recorder(Mutex<Recorded>);

impl SubgraphFetcher for Recorder {
    fn fetch<'a>(
        &'a self,
        subgraph: &'a str,
        request: SubgraphRequest<'a>,
    ) -> BoxFuture<'a, Result<SubgraphResponse, FetchError>> {
        async move {
            let body = request.to_json_bytes();
            let graph = Subgraph::from_name(subgraph).expect("a bench subgraph");
            let answer = graph.execute(&body).await.expect("subgraph answers");
            let response = SubgraphResponse::from_slice(&answer);
            self.0
                .lock()
                .expect("not poisoned")
                .insert((subgraph.to_owned(), body), answer);
            response
        }
        .boxed()
    }
}

/// Replays recorded answers: from the bytes (parsing them, as the router does
/// with an HTTP body) or from pre-parsed responses (merge cost only).
struct Canned {
    bodies: Recorded,
    parsed: HashMap<(String, Vec<u8>), SubgraphResponse>,
    parse: bool,
}

impl SubgraphFetcher for Canned {
    fn fetch<'a>(
        &'a self,
        subgraph: &'a str,
        request: SubgraphRequest<'a>,
    ) -> BoxFuture<'a, Result<SubgraphResponse, FetchError>> {
        let key = (subgraph.to_owned(), request.to_json_bytes());
        let result = if self.parse {
            SubgraphResponse::from_slice(&self.bodies[&key])
        } else {
            Ok(self.parsed[&key].clone())
        };
        futures::future::ready(result).boxed()
    }
}

fn merge_and_serialise(c: &mut Criterion) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let supergraph = Arc::new(Supergraph::parse(SUPERGRAPH).expect("bench supergraph loads"));
    let planner = QueryPlanner::new(supergraph.clone(), PlannerConfig::default());
    let document = ExecutableDocument::parse_and_validate(
        supergraph.api_schema(),
        WORKLOAD,
        "workload.graphql",
    )
    .expect("workload is valid");
    let plan = planner
        .plan(&document, Some("TestQuery"), &PlanOptions::default())
        .expect("plans");
    let executor = Executor::new(Arc::new(supergraph.api_schema().clone()));
    let prepared = executor
        .prepare(&document, Some("TestQuery"), &Map::new())
        .expect("prepares");

    let recorder = Recorder::default();
    let recorded = runtime.block_on(executor.execute(
        &plan,
        &prepared,
        &recorder,
        ExecutionOptions::default(),
    ));
    let expected: serde_json::Value = serde_json::from_str(EXPECTED_RESPONSE).expect("JSON");
    assert_eq!(
        serde_json::to_value(&recorded.response).expect("serialises"),
        expected,
        "the in-memory run must give the expected response"
    );
    let bodies = recorder.0.into_inner().expect("not poisoned");
    let parsed = bodies
        .iter()
        .map(|(key, body)| {
            let response = SubgraphResponse::from_slice(body).expect("valid answer");
            (key.clone(), response)
        })
        .collect();
    let mut canned = Canned {
        bodies,
        parsed,
        parse: false,
    };

    let mut group = c.benchmark_group("executor: workload");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("merge + shape (pre-parsed subgraph answers)", |b| {
        b.iter(|| {
            runtime.block_on(executor.execute(
                black_box(&plan),
                &prepared,
                &canned,
                ExecutionOptions::default(),
            ))
        })
    });
    canned.parse = true;
    group.bench_function("parse subgraph bodies + merge + shape", |b| {
        b.iter(|| {
            runtime.block_on(executor.execute(
                black_box(&plan),
                &prepared,
                &canned,
                ExecutionOptions::default(),
            ))
        })
    });
    let response = recorded.response;
    assert_eq!(
        response.clone().into_json_bytes(),
        serde_json::to_vec(&response).expect("serialises"),
        "the router's writer must write what serde_json writes"
    );
    // The shaper has written the data; the body is that buffer with `}` appended
    // (here on a copy, as the bench keeps the response).
    group.bench_function("body of the 87 KB response from the shaped data", |b| {
        b.iter(|| black_box(&response).clone().into_json_bytes())
    });
    group.finish();
}

criterion_group!(benches, merge_and_serialise);
criterion_main!(benches);
