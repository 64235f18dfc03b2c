//! A valid operation generated from the input over a fixture supergraph → the
//! planner: never panics, never rejects a valid operation as invalid, and every
//! fetch it plans parses as GraphQL.
#![no_main]

use std::sync::{Arc, LazyLock};

use apollo_compiler::ExecutableDocument;
use libfuzzer_sys::fuzz_target;
use switchyard_fuzzing::Entropy;
use switchyard_fuzzing::fixtures::SUPERGRAPHS;
use switchyard_fuzzing::operation::{Shape, valid_operation};
use switchyard_planner::{PlanError, PlanOptions, PlannerConfig, QueryPlanner, Supergraph};

static PLANNERS: LazyLock<Vec<QueryPlanner>> = LazyLock::new(|| {
    SUPERGRAPHS
        .iter()
        .map(|(_, sdl)| {
            let supergraph = Supergraph::parse(sdl).expect("fixture");
            QueryPlanner::new(Arc::new(supergraph), PlannerConfig::default())
        })
        .collect()
});

fuzz_target!(|data: &[u8]| {
    let Some((which, bytes)) = data.split_first() else {
        return;
    };
    let planner = &PLANNERS[usize::from(*which) % PLANNERS.len()];
    let schema = planner.supergraph().api_schema();
    let generated = valid_operation(schema, &mut Entropy::new(bytes), Shape::default());
    let document = ExecutableDocument::parse_and_validate(schema, &generated.query, "op.graphql")
        .unwrap_or_else(|e| {
            panic!(
                "generated an invalid operation {}\n{}",
                generated.query, e.errors
            )
        });
    match planner.plan(
        &document,
        generated.operation_name.as_deref(),
        &PlanOptions::default(),
    ) {
        Ok(plan) => {
            let operations = plan.node.iter().flat_map(|node| node.subgraph_operations());
            for (_, operation) in operations {
                if let Err(e) = apollo_compiler::ast::Document::parse(operation, "fetch.graphql") {
                    panic!(
                        "{}\nplanned a fetch that does not parse: {operation}\n{}",
                        generated.query, e.errors
                    );
                }
            }
        }
        Err(PlanError::Unresolvable(_) | PlanError::TooManyOptions(_) | PlanError::Timeout(_)) => {}
        Err(error) => panic!("{}\n{error}", generated.query),
    }
});
