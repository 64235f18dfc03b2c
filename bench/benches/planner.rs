//! Planner benchmarks: the workload query planned cold, a cached plan lookup as
//! the router does it, and a large synthetic supergraph (load and cold plan).
//!
//! `cargo bench -p switchyard-bench --bench planner`

use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use apollo_compiler::ExecutableDocument;
use criterion::{Criterion, criterion_group, criterion_main};
use switchyard::plan_cache::{PlanCache, PlanKey};
use switchyard_bench::synthetic::{self, Size};
use switchyard_bench::{SUPERGRAPH, WORKLOAD};
use switchyard_planner::{PlanOptions, PlannerConfig, QueryPlanner, Supergraph};

fn workload(c: &mut Criterion) {
    let supergraph = Arc::new(Supergraph::parse(SUPERGRAPH).expect("bench supergraph loads"));
    let planner = QueryPlanner::new(supergraph.clone(), PlannerConfig::default());
    let options = PlanOptions::default();
    let document = ExecutableDocument::parse_and_validate(
        supergraph.api_schema(),
        WORKLOAD,
        "workload.graphql",
    )
    .expect("workload is valid");

    let mut group = c.benchmark_group("workload");
    group
        .sample_size(50)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    // The planner keeps no state between calls: every plan is cold.
    group.bench_function("plan cold", |b| {
        b.iter(|| {
            planner
                .plan(black_box(&document), Some("TestQuery"), &options)
                .expect("plans")
        })
    });
    group.bench_function("parse + validate + plan cold", |b| {
        b.iter(|| {
            let document = ExecutableDocument::parse_and_validate(
                supergraph.api_schema(),
                black_box(WORKLOAD),
                "workload.graphql",
            )
            .expect("workload is valid");
            planner
                .plan(&document, Some("TestQuery"), &options)
                .expect("plans")
        })
    });

    // The router's plan cache, keyed as the router keys it: a digest of the
    // request's query text, operation name and override labels.
    let plan = planner
        .plan(&document, Some("TestQuery"), &options)
        .expect("plans");
    let cache = PlanCache::<_, ()>::new(512, 64 * 1024 * 1024);
    let key = |query: &str| PlanKey::new(query, Some("TestQuery"), &[]);
    cache.insert(key(WORKLOAD), Arc::new(plan), 4096);
    for other in 0..100 {
        cache.insert(
            key(&format!("{WORKLOAD}\n# {other}")),
            Arc::new(
                planner
                    .plan(&document, Some("TestQuery"), &options)
                    .expect("plans"),
            ),
            4096,
        );
    }
    group.bench_function("cached plan lookup", |b| {
        b.iter(|| cache.get(&key(black_box(WORKLOAD))).expect("cached"))
    });
    group.finish();
}

fn large(c: &mut Criterion) {
    let size = Size::LARGE;
    let sdl = synthetic::supergraph(size).expect("synthetic subgraphs compose");
    let supergraph = Arc::new(Supergraph::parse(&sdl).expect("synthetic supergraph loads"));
    let planner = QueryPlanner::new(supergraph.clone(), PlannerConfig::default());
    let query = synthetic::walk_query(size, 12);
    let document =
        ExecutableDocument::parse_and_validate(supergraph.api_schema(), &query, "walk.graphql")
            .expect("walk is valid");
    let options = PlanOptions::default();

    let mut group = c.benchmark_group("large supergraph (40 subgraphs, 320 entity types)");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(5))
        .warm_up_time(Duration::from_secs(1));
    group.bench_function("start-up: parse + model", |b| {
        b.iter(|| Supergraph::parse(black_box(&sdl)).expect("loads"))
    });
    group.bench_function("compose subgraphs", |b| {
        let subgraphs = synthetic::subgraphs(size);
        b.iter(|| switchyard_composition::compose(black_box(&subgraphs)).expect("composes"))
    });
    group.bench_function("plan cold: walk across 12 subgraphs", |b| {
        b.iter(|| {
            planner
                .plan(black_box(&document), Some("Walk"), &options)
                .expect("plans")
        })
    });
    group.finish();
}

criterion_group!(benches, workload, large);
criterion_main!(benches);
