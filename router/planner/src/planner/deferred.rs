//! Phase 4 for an operation with `@defer`: splitting the fetch groups into the
//! primary part and one part per deferred fragment.
//!
//! The search placed a deferred fragment's fields under a [`Cond::defer`]
//! condition, as it would for `@include(if: $v)`: a fetch made only for
//! fields of deferred fragments carries their conditions, and a fetch that
//! also serves other fields does not. So a group without any goes to the
//! primary part (deferred fields it selects are fetched there and delivered
//! later, as Apollo Router does), and a group with some goes to the part of its
//! innermost deferred fragment. A group that a group of an earlier part waits
//! for (for its keys or `@requires` fields) is moved to that earlier part, so
//! each part only ever waits for the parts before it, and no fetch is made
//! twice.

use std::collections::HashMap;

use apollo_compiler::executable::Operation;

use super::build::build_node;
use super::fetch_graph::{Group, to_plan_path};
use super::operation::DeferInfo;
use crate::plan::{DeferredNode, PlanNode, UnresolvableField};
use crate::supergraph::Supergraph;

/// The plan of `groups`: a `Defer` node when `defers` is not empty.
pub(crate) fn build(
    sg: &Supergraph,
    operation: &Operation,
    mut groups: Vec<Group>,
    defers: &[DeferInfo],
) -> Option<PlanNode> {
    let mut counter = 0;
    if defers.is_empty() {
        return build_node(sg, operation, groups, &mut counter);
    }
    let owners = owners(&groups, defers, operation.is_mutation());
    for group in &mut groups {
        group.conditions.retain(|c| c.defer_index().is_none());
    }
    let primary = build_node(sg, operation, subset(&groups, &owners, None), &mut counter);
    let deferred = defers
        .iter()
        .enumerate()
        .map(|(part, defer)| DeferredNode {
            index: defer.index,
            label: defer.label.clone(),
            if_variable: defer.if_variable.clone(),
            path: to_plan_path(&defer.path),
            parent_type: defer.parent_type.to_string(),
            depends_on: depends_on(&groups, &owners, part),
            node: build_node(
                sg,
                operation,
                subset(&groups, &owners, Some(part)),
                &mut counter,
            )
            .map(Box::new),
        })
        .collect();
    Some(PlanNode::Defer {
        primary: primary.map(Box::new),
        deferred,
    })
}

/// Whether a plan's variable condition is a deferred fragment's (which only
/// chose a part of the plan and is not a client variable).
pub(crate) fn drop_defer_conditions(unresolvable: &mut [UnresolvableField]) {
    for field in unresolvable {
        field
            .conditions
            .retain(|c| !c.variable.starts_with("defer#"));
    }
}

/// Per group, the position in `defers` of the part it belongs to (`None`: the
/// primary part).
fn owners(groups: &[Group], defers: &[DeferInfo], mutation: bool) -> Vec<Option<usize>> {
    let position: HashMap<usize, usize> = defers
        .iter()
        .enumerate()
        .map(|(position, defer)| (defer.index, position))
        .collect();
    let mut owners: Vec<Option<usize>> = groups
        .iter()
        .map(|group| {
            if mutation && !group.entity {
                // Mutation fields run once, in order, in the primary part
                // (validation already refuses `@defer` on a mutation's root).
                return None;
            }
            group
                .conditions
                .iter()
                .filter_map(|c| c.defer_index())
                .filter_map(|index| position.get(&index).copied())
                .max()
        })
        .collect();
    // `None` (primary) orders before every part, as `Option` does.
    loop {
        let mut changed = false;
        for (group, owner) in groups.iter().zip(owners.clone()) {
            for dep in &group.deps {
                if owners[*dep] > owner {
                    owners[*dep] = owner;
                    changed = true;
                }
            }
        }
        if !changed {
            return owners;
        }
    }
}

/// The other parts whose groups the groups of `part` wait for.
fn depends_on(groups: &[Group], owners: &[Option<usize>], part: usize) -> Vec<usize> {
    let mut parts: Vec<usize> = (0..groups.len())
        .filter(|g| owners[*g] == Some(part))
        .flat_map(|g| groups[g].deps.iter().filter_map(|d| owners[*d]))
        .filter(|p| *p != part)
        .collect();
    parts.sort_unstable();
    parts.dedup();
    parts
}

/// The groups of one part, with their waits for groups of other (earlier)
/// parts dropped: those are done before the part starts.
fn subset(groups: &[Group], owners: &[Option<usize>], part: Option<usize>) -> Vec<Group> {
    let members: Vec<usize> = (0..groups.len()).filter(|g| owners[*g] == part).collect();
    let renumbered: HashMap<usize, usize> = members
        .iter()
        .enumerate()
        .map(|(new, old)| (*old, new))
        .collect();
    members
        .iter()
        .map(|old| {
            let mut group = groups[*old].clone();
            group.deps = group
                .deps
                .iter()
                .filter_map(|d| renumbered.get(d).copied())
                .collect();
            group
        })
        .collect()
}
