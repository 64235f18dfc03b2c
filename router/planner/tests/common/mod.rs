// Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

//! Shared by the plan snapshot tests: load a fixture supergraph, validate an
//! operation against its API schema, plan it, print it.

use std::sync::Arc;

use apollo_compiler::ExecutableDocument;
use switchyard_planner::{PlanError, PlanOptions, PlannerConfig, QueryPlanner, Supergraph};

pub fn planner(fixture: &str) -> QueryPlanner {
    let path = format!(
        "{}/tests/fixtures/{fixture}.graphql",
        env!("CARGO_MANIFEST_DIR")
    );
    let sdl = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let supergraph = Supergraph::parse(&sdl).unwrap_or_else(|e| panic!("{path}: {e}"));
    QueryPlanner::new(Arc::new(supergraph), PlannerConfig::default())
}

pub fn planner_from_sdl(sdl: &str) -> QueryPlanner {
    let supergraph = Supergraph::parse(sdl).unwrap_or_else(|e| panic!("{e}"));
    QueryPlanner::new(Arc::new(supergraph), PlannerConfig::default())
}

pub fn try_plan_with(
    planner: &QueryPlanner,
    operation: &str,
    options: &PlanOptions,
) -> Result<String, PlanError> {
    let document = ExecutableDocument::parse_and_validate(
        planner.supergraph().api_schema(),
        operation,
        "operation.graphql",
    )
    .unwrap_or_else(|e| panic!("invalid test operation: {}", e.errors));
    planner
        .plan(&document, None, options)
        .map(|p| p.to_string())
}

pub fn plan(planner: &QueryPlanner, operation: &str) -> String {
    try_plan_with(planner, operation, &PlanOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}
