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
use switchyard_planner::plan::PlanNode;
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

fn fetch_operations<'p>(node: &'p PlanNode, out: &mut Vec<&'p str>) {
    match node {
        PlanNode::Fetch(fetch) => out.push(&fetch.operation),
        PlanNode::BatchFetch(batch) => out.push(&batch.operation),
        PlanNode::Sequence { nodes } | PlanNode::Parallel { nodes } => {
            nodes.iter().for_each(|n| fetch_operations(n, out))
        }
        PlanNode::Flatten { node, .. } => fetch_operations(node, out),
        PlanNode::Defer { primary, deferred } => {
            let parts = deferred.iter().filter_map(|part| part.node.as_deref());
            for node in primary.as_deref().into_iter().chain(parts) {
                fetch_operations(node, out);
            }
        }
        PlanNode::Condition {
            if_clause,
            else_clause,
            ..
        } => {
            for clause in [if_clause, else_clause].into_iter().flatten() {
                fetch_operations(clause, out);
            }
        }
    }
}

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
            let mut operations = Vec::new();
            if let Some(node) = &plan.node {
                fetch_operations(node, &mut operations);
            }
            for operation in operations {
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
