//! Planning time of the federation gateway benchmark's workload query (the
//! accounts/inventory/products/reviews supergraph). Run with
//! `cargo bench -p switchyard-planner --bench plan`; prints the mean time per plan.

use std::hint::black_box;
use std::sync::Arc;
use std::time::Instant;

use apollo_compiler::ExecutableDocument;
use switchyard_planner::{PlanOptions, PlannerConfig, QueryPlanner, Supergraph};

fn main() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures");
    let sdl = std::fs::read_to_string(format!("{dir}/gateway_benchmark.graphql")).expect("fixture");
    let query =
        std::fs::read_to_string(format!("{dir}/gateway_benchmark_query.graphql")).expect("fixture");
    let supergraph = Arc::new(Supergraph::parse(&sdl).expect("valid supergraph"));
    let document =
        ExecutableDocument::parse_and_validate(supergraph.api_schema(), query, "query.graphql")
            .expect("valid query");
    let planner = QueryPlanner::new(supergraph, PlannerConfig::default());
    let options = PlanOptions::default();
    for _ in 0..100 {
        black_box(planner.plan(&document, None, &options).expect("plans"));
    }
    let iterations = 2_000;
    let started = Instant::now();
    for _ in 0..iterations {
        black_box(planner.plan(&document, None, &options).expect("plans"));
    }
    let mean = started.elapsed() / iterations;
    println!("plan gateway benchmark query: {mean:?} per plan ({iterations} iterations)");
}
