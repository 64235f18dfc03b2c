//! Property: planning a random VALID operation over a fixture supergraph never
//! panics, returns a plan or a planning error the planner documents (never
//! `InvalidOperation` for an operation the API schema accepts), and every fetch
//! of the plan parses; over the federation corpus' supergraphs, every fetch is
//! also held against its subgraph's own schema by the corpus' plan checker.
//!
//! The operations come from `switchyard_fuzzing::operation::valid_operation`, the
//! same generator the `plan` fuzz target runs (`fuzz/`). More cases:
//! `PROPTEST_CASES=10000 cargo test -p switchyard-planner --test plan_properties`.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use apollo_compiler::ExecutableDocument;
use federation_corpus::{Case, PlanChecker};
use proptest::prelude::*;
use serde_json::Map;
use switchyard_fuzzing::Entropy;
use switchyard_fuzzing::fixtures::SUPERGRAPHS;
use switchyard_fuzzing::operation::{Shape, valid_operation};
use switchyard_planner::plan::PlanNode;
use switchyard_planner::{PlanError, PlanOptions, PlannerConfig, QueryPlanner, Supergraph};

struct Target {
    name: String,
    planner: QueryPlanner,
    /// Per subgraph, a checker of its own schema (corpus cases only).
    checkers: BTreeMap<String, PlanChecker>,
}

fn target(name: String, sdl: &str, checkers: BTreeMap<String, PlanChecker>) -> Target {
    let supergraph = Supergraph::parse(sdl).unwrap_or_else(|e| panic!("{name}: {e}"));
    Target {
        name,
        planner: QueryPlanner::new(Arc::new(supergraph), PlannerConfig::default()),
        checkers,
    }
}

static FIXTURES: LazyLock<Vec<Target>> = LazyLock::new(|| {
    SUPERGRAPHS
        .iter()
        .map(|(name, sdl)| target((*name).to_owned(), sdl, BTreeMap::new()))
        .collect()
});

static CORPUS: LazyLock<Vec<Target>> = LazyLock::new(|| {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/federation-corpus/cases");
    Case::discover(&root)
        .expect("the corpus is readable")
        .iter()
        .map(|dir| Case::load(dir).expect("corpus case loads"))
        .filter(|case| !case.supergraph.is_empty())
        .map(|case| {
            let checkers = case
                .subgraphs
                .iter()
                .map(|(name, sdl)| (name.clone(), PlanChecker::new(sdl)))
                .collect();
            target(case.id.clone(), &case.supergraph, checkers)
        })
        .collect()
});

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig::with_cases(switchyard_fuzzing::property_cases(default_cases))
}

/// Every `(subgraph, operation)` the plan would send.
fn fetches(node: &PlanNode, out: &mut Vec<(String, String)>) {
    match node {
        PlanNode::Fetch(fetch) => out.push((fetch.subgraph.clone(), fetch.operation.clone())),
        PlanNode::BatchFetch(batch) => out.push((batch.subgraph.clone(), batch.operation.clone())),
        PlanNode::Sequence { nodes } | PlanNode::Parallel { nodes } => {
            nodes.iter().for_each(|n| fetches(n, out))
        }
        PlanNode::Flatten { node, .. } => fetches(node, out),
        PlanNode::Defer { primary, deferred } => {
            let parts = deferred.iter().filter_map(|part| part.node.as_deref());
            for n in primary.as_deref().into_iter().chain(parts) {
                fetches(n, out);
            }
        }
        PlanNode::Condition {
            if_clause,
            else_clause,
            ..
        } => {
            for clause in [if_clause, else_clause].into_iter().flatten() {
                fetches(clause, out);
            }
        }
    }
}

/// Generates an operation over `target` from `bytes`, plans it, and checks the plan.
fn plan_one(target: &Target, bytes: &[u8]) -> Result<(), TestCaseError> {
    let generated = valid_operation(
        target.planner.supergraph().api_schema(),
        &mut Entropy::new(bytes),
        Shape::default(),
    );
    check_plan(
        target,
        &generated.query,
        generated.operation_name.as_deref(),
    )
}

/// Plans a valid `query` over `target` and checks the plan.
fn check_plan(
    target: &Target,
    query: &str,
    operation_name: Option<&str>,
) -> Result<(), TestCaseError> {
    let what = format!("{}: {query}", target.name);
    let document = ExecutableDocument::parse_and_validate(
        target.planner.supergraph().api_schema(),
        query,
        "generated.graphql",
    )
    .map_err(|e| {
        TestCaseError::fail(format!(
            "generated an invalid operation {what}\n{}",
            e.errors
        ))
    })?;
    let plan = match target
        .planner
        .plan(&document, operation_name, &PlanOptions::default())
    {
        Ok(plan) => plan,
        Err(PlanError::Unresolvable(_) | PlanError::TooManyOptions(_) | PlanError::Timeout(_)) => {
            return Ok(());
        }
        Err(error) => return Err(TestCaseError::fail(format!("{what}\n{error}"))),
    };
    let mut sent = Vec::new();
    if let Some(node) = &plan.node {
        fetches(node, &mut sent);
    }
    for (subgraph, operation) in sent {
        apollo_compiler::ast::Document::parse(&operation, "fetch.graphql").map_err(|e| {
            TestCaseError::fail(format!(
                "{what}\nfetch to {subgraph} does not parse: {}\n{operation}",
                e.errors
            ))
        })?;
        if let Some(checker) = target.checkers.get(&subgraph) {
            let violations = checker.check(&operation, None, &Map::new());
            prop_assert!(
                violations.is_empty(),
                "{what}\nfetch to {subgraph}:\n{operation}\n{}",
                violations
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("\n")
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(config(200))]

    #[test]
    fn planning_random_valid_operations_over_fixture_supergraphs(
        which in 0..SUPERGRAPHS.len(),
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        plan_one(&FIXTURES[which], &bytes)?;
    }

    #[test]
    fn fetches_of_random_valid_operations_are_valid_against_their_subgraphs(
        which in any::<prop::sample::Index>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        plan_one(&CORPUS[which.index(CORPUS.len())], &bytes)?;
    }
}

/// Found by the property above: conditions of enclosing fragments were written on
/// a field that had its own `@include`, giving `@include(if:$a) @include(if:$b)`,
/// which no subgraph accepts (`@include` is not repeatable).
#[test]
fn nested_include_conditions_render_as_valid_fetches() {
    let target = CORPUS
        .iter()
        .find(|t| t.name == "abstract/shareable-union-subset-members")
        .expect("corpus case");
    let query = "query($a: Boolean!, $b: Boolean!, $c: Boolean!) { \
        ... @skip(if: $c) { ... @include(if: $a) { feed @include(if: $b) { __typename } } } }";
    check_plan(target, query, None).unwrap();
}
