//! The synthetic supergraph of the planner benchmarks composes, loads and plans,
//! so the benches measure real work (a failing plan would be fast and useless).

use std::sync::Arc;

use apollo_compiler::ExecutableDocument;
use switchyard_bench::synthetic::{Size, supergraph, walk_query};
use switchyard_planner::{PlanOptions, PlannerConfig, QueryPlanner, Supergraph};

#[test]
fn synthetic_supergraph_composes_and_plans_a_walk_across_subgraphs() {
    let size = Size {
        subgraphs: 6,
        types_per_subgraph: 3,
    };
    let sdl = supergraph(size).expect("the synthetic subgraphs compose");
    let supergraph = Arc::new(Supergraph::parse(&sdl).expect("the supergraph loads"));
    let query = walk_query(size, 4);
    let document =
        ExecutableDocument::parse_and_validate(supergraph.api_schema(), &query, "walk.graphql")
            .expect("the walk is valid");
    let plan = QueryPlanner::new(supergraph, PlannerConfig::default())
        .plan(&document, None, &PlanOptions::default())
        .expect("the walk plans");
    let printed = plan.to_string();
    for subgraph in ["s0", "s1", "s2", "s3", "s4"] {
        assert!(
            printed.contains(&format!("\"{subgraph}\"")),
            "the plan never fetches from {subgraph}:\n{printed}"
        );
    }
    assert!(printed.contains("score3"), "{printed}");
}
