//! Property: whatever the operation and whichever of its authorization
//! requirements a request leaves unmet, no fetch of the plan asks for a field
//! those requirements protect, and every such field the operation selects (where
//! no `@skip`/`@include` could leave it out) is reported as unauthorized.
//!
//! The supergraph (`fixtures/authorization.graphql`, composed from the subgraphs
//! of `router/tests/authorization.rs`) protects fields with `@authenticated`,
//! `@requiresScopes` and `@policy`, on fields, on a type and through an
//! interface. Its protected fields have names no unprotected field shares, so a
//! fetch is checked by the field names it selects. More cases:
//! `PROPTEST_CASES=10000 cargo test -p switchyard-planner --test authorization_properties`.

use std::collections::{BTreeSet, HashSet};
use std::sync::{Arc, LazyLock};

use apollo_compiler::ExecutableDocument;
use apollo_compiler::ast::{Definition, Selection};
use apollo_compiler::schema::ExtendedType;
use proptest::prelude::*;
use switchyard_fuzzing::Entropy;
use switchyard_fuzzing::operation::{Shape, valid_operation};
use switchyard_planner::authorization::Requirement;
use switchyard_planner::plan::{PlanNode, UnresolvableReason};
use switchyard_planner::{PlanOptions, PlannerConfig, QueryPlanner, Supergraph};

static PLANNER: LazyLock<QueryPlanner> = LazyLock::new(|| {
    let supergraph = Supergraph::parse(include_str!("fixtures/authorization.graphql"))
        .expect("the fixture parses");
    QueryPlanner::new(Arc::new(supergraph), PlannerConfig::default())
});

/// Names of the fields protected by one of `unmet` on every type that has a
/// field of that name (`id`, a key field everywhere, never qualifies).
fn protected_names(unmet: &BTreeSet<Requirement>) -> HashSet<String> {
    let supergraph = PLANNER.supergraph();
    let rules = supergraph.authorization();
    let mut protected: HashSet<String> = HashSet::new();
    let mut open: HashSet<String> = HashSet::new();
    for (type_name, ty) in &supergraph.api_schema().types {
        let fields = match ty {
            ExtendedType::Object(object) => &object.fields,
            ExtendedType::Interface(interface) => &interface.fields,
            _ => continue,
        };
        for (name, field) in fields {
            let is_protected = rules
                .requirements_of(type_name, name, field.ty.inner_named_type())
                .any(|requirement| unmet.contains(requirement));
            if is_protected {
                protected.insert(name.to_string());
            } else {
                open.insert(name.to_string());
            }
        }
    }
    protected.retain(|name| !open.contains(name));
    protected
}

fn field_names(selections: &[Selection], out: &mut Vec<String>) {
    for selection in selections {
        match selection {
            Selection::Field(field) => {
                out.push(field.name.to_string());
                field_names(&field.selection_set, out);
            }
            Selection::InlineFragment(fragment) => field_names(&fragment.selection_set, out),
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// Whether literal `@skip(if: true)` or `@include(if: false)` leaves a
/// selection out whatever the variables.
fn never_selected(directives: &apollo_compiler::ast::DirectiveList) -> bool {
    directives.iter().any(|directive| {
        let literal = directive
            .specified_argument_by_name("if")
            .and_then(|value| value.to_bool());
        matches!(
            (directive.name.as_str(), literal),
            ("skip", Some(true)) | ("include", Some(false))
        )
    })
}

/// The client's field names that variables could select, not looking below
/// a protected field (left out with everything under it).
fn selectable_field_names(
    selections: &[Selection],
    protected: &HashSet<String>,
    out: &mut Vec<String>,
) {
    for selection in selections {
        match selection {
            Selection::Field(field) if !never_selected(&field.directives) => {
                out.push(field.name.to_string());
                if !protected.contains(field.name.as_str()) {
                    selectable_field_names(&field.selection_set, protected, out);
                }
            }
            Selection::InlineFragment(fragment) if !never_selected(&fragment.directives) => {
                selectable_field_names(&fragment.selection_set, protected, out)
            }
            _ => {}
        }
    }
}

fn fetched_field_names(node: &PlanNode, out: &mut Vec<String>) {
    let operation = match node {
        PlanNode::Fetch(fetch) => &fetch.operation,
        PlanNode::BatchFetch(batch) => &batch.operation,
        PlanNode::Sequence { nodes } | PlanNode::Parallel { nodes } => {
            nodes.iter().for_each(|n| fetched_field_names(n, out));
            return;
        }
        PlanNode::Flatten { node, .. } => return fetched_field_names(node, out),
        PlanNode::Defer { primary, deferred } => {
            let parts = deferred.iter().filter_map(|part| part.node.as_deref());
            for n in primary.as_deref().into_iter().chain(parts) {
                fetched_field_names(n, out);
            }
            return;
        }
        PlanNode::Condition {
            if_clause,
            else_clause,
            ..
        } => {
            for clause in [if_clause, else_clause].into_iter().flatten() {
                fetched_field_names(clause, out);
            }
            return;
        }
    };
    let document =
        apollo_compiler::ast::Document::parse(operation, "fetch.graphql").expect("fetches parse");
    for definition in &document.definitions {
        match definition {
            Definition::OperationDefinition(op) => field_names(&op.selection_set, out),
            Definition::FragmentDefinition(fragment) => field_names(&fragment.selection_set, out),
            _ => {}
        }
    }
}

fn check(bytes: &[u8], subset: u8) -> Result<(), TestCaseError> {
    let mut entropy = Entropy::new(bytes);
    let supergraph = PLANNER.supergraph();
    let generated = valid_operation(supergraph.api_schema(), &mut entropy, Shape::default());
    let document = ExecutableDocument::parse_and_validate(
        supergraph.api_schema(),
        &generated.query,
        "generated.graphql",
    )
    .map_err(|e| TestCaseError::fail(format!("invalid {}: {}", generated.query, e.errors)))?;
    let operation_name = generated.operation_name.as_deref();
    let required = supergraph
        .authorization()
        .requirements_in(&document, operation_name);
    let unmet: BTreeSet<Requirement> = required
        .iter()
        .enumerate()
        .filter(|(index, _)| subset & (1 << (index % 8)) != 0)
        .map(|(_, requirement)| requirement.clone())
        .collect();
    let options = PlanOptions {
        unmet_requirements: unmet.clone(),
        ..PlanOptions::default()
    };
    let Ok(plan) = PLANNER.plan(&document, operation_name, &options) else {
        return Ok(());
    };
    let protected = protected_names(&unmet);
    let mut fetched = Vec::new();
    if let Some(node) = &plan.node {
        fetched_field_names(node, &mut fetched);
    }
    for name in &fetched {
        prop_assert!(
            !protected.contains(name),
            "{} with {unmet:?} unmet fetched the protected field {name}\n{plan}",
            generated.query
        );
    }
    if unmet.is_empty() {
        prop_assert!(
            plan.unresolvable
                .iter()
                .all(|field| field.reason != UnresolvableReason::Unauthorized),
            "nothing unmet, yet fields were left out: {}",
            generated.query
        );
    }
    let reported: HashSet<&str> = plan
        .unresolvable
        .iter()
        .filter(|field| field.reason == UnresolvableReason::Unauthorized)
        .map(|field| field.field_name.as_str())
        .collect();
    let mut selected = Vec::new();
    let client = apollo_compiler::ast::Document::parse(&generated.query, "client.graphql")
        .expect("the generated operation parses");
    for definition in &client.definitions {
        if let Definition::OperationDefinition(op) = definition {
            selectable_field_names(&op.selection_set, &protected, &mut selected);
        }
    }
    for name in selected.iter().filter(|name| protected.contains(*name)) {
        prop_assert!(
            reported.contains(name.as_str()),
            "{} with {unmet:?} unmet: {name} neither fetched nor reported\n{plan}",
            generated.query
        );
    }
    Ok(())
}

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig::with_cases(switchyard_fuzzing::property_cases(default_cases))
}

proptest! {
    #![proptest_config(config(500))]

    #[test]
    fn no_fetch_asks_for_a_field_the_request_may_not_see(
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        subset in any::<u8>(),
    ) {
        check(&bytes, subset)?;
    }
}
