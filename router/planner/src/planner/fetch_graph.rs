//! The fetch groups being built: one future fetch each, with the groups it
//! waits for. [`super::search`] fills them, [`super::build`] turns them into
//! the plan tree.

use std::collections::BTreeSet;

use super::operation::Cond;
use super::selection::SelSet;
use apollo_compiler::Name;

use crate::plan::{ContextArgument, FetchRewrite, PathElement, Selection, UnresolvableField};
use crate::supergraph::GraphId;

/// A response path while planning: keys are schema names, cheap to clone and
/// compare (the plan's [`PathElement`] holds strings).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum PathKey {
    Key(Name),
    Flatten,
}

pub(crate) fn to_plan_path(path: &[PathKey]) -> Vec<PathElement> {
    path.iter()
        .map(|p| match p {
            PathKey::Key(k) => PathElement::Key(k.to_string()),
            PathKey::Flatten => PathElement::Flatten,
        })
        .collect()
}

/// Groups a placement wrote to (whose results later fetches then wait for).
pub(crate) type Touched = BTreeSet<usize>;

/// One future fetch: a subgraph operation at one point of the response.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub graph: GraphId,
    /// An `_entities` fetch (else a root fetch).
    pub entity: bool,
    pub merge_path: Vec<PathKey>,
    /// Root selection, or the `... on T` fragments inside `_entities`.
    pub selection: SelSet,
    pub requires: Vec<Selection>,
    pub input_rewrites: Vec<FetchRewrite>,
    /// Groups whose results this one needs.
    pub deps: BTreeSet<usize>,
    /// Variable conditions under which this whole fetch happens.
    pub conditions: Vec<Cond>,
    /// For mutations: the serial step (run of root fields) it belongs to.
    pub chunk: usize,
    /// Variables for `@fromContext` arguments (see [`super::context`]).
    pub context_arguments: Vec<ContextArgument>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    pub groups: Vec<Group>,
    pub chunk: usize,
    pub last_root_graph: Option<GraphId>,
    /// Client fields nothing can resolve where they are (answered with errors).
    pub unresolvable: Vec<UnresolvableField>,
    /// Type conditions the client selected that a chosen subgraph cannot
    /// return at that position (a union or interface it knows with fewer
    /// members): where another subgraph could return them, choosing this one
    /// would silently lose those objects.
    pub unreachable_types: usize,
}

/// What a candidate plan costs: fields left unresolved, then selected types
/// the chosen subgraphs cannot return, then sequential steps, then fetches;
/// lower is better.
pub(crate) type Cost = (usize, usize, usize, usize);

impl State {
    pub(super) fn cost(&self) -> Cost {
        let levels = levels(&self.groups);
        (
            self.unresolvable.len(),
            self.unreachable_types,
            levels.into_iter().max().map_or(0, |l| l + 1),
            self.groups.len(),
        )
    }

    /// The groups `deps` depend on, transitively, and `deps` themselves.
    pub(super) fn closure(&self, deps: &BTreeSet<usize>) -> BTreeSet<usize> {
        closure(&self.groups, deps)
    }
}

fn closure(groups: &[Group], deps: &BTreeSet<usize>) -> BTreeSet<usize> {
    let mut seen = BTreeSet::new();
    let mut stack: Vec<usize> = deps.iter().copied().collect();
    while let Some(g) = stack.pop() {
        if seen.insert(g) {
            stack.extend(groups[g].deps.iter().copied());
        }
    }
    seen
}

/// Folds an entity fetch that exists only because of its fields' own
/// `@skip`/`@include` into the unconditional fetch to the same subgraph at the
/// same path (`inStock @include(if: $v)` next to `shippingEstimate`): the
/// directives stay on the fields, so one request does the same work. Only done
/// when every top-level field of the conditional fetch carries the extra
/// conditions itself and neither fetch waits for the other.
pub(crate) fn merge_conditional_groups(groups: &mut Vec<Group>) {
    while let Some((from, into)) = find_mergeable(groups) {
        let merged = groups[from].clone();
        let target = &mut groups[into];
        target.selection.merge(merged.selection);
        super::jump::merge_selections(&mut target.requires, merged.requires);
        for rewrite in merged.input_rewrites {
            if !target.input_rewrites.contains(&rewrite) {
                target.input_rewrites.push(rewrite);
            }
        }
        target.context_arguments.extend(merged.context_arguments);
        target
            .deps
            .extend(merged.deps.iter().copied().filter(|d| *d != into));
        groups.remove(from);
        for group in groups.iter_mut() {
            group.deps = group
                .deps
                .iter()
                .map(|d| if *d == from { into } else { *d })
                .map(|d| if d > from { d - 1 } else { d })
                .collect();
        }
        let into = if into > from { into - 1 } else { into };
        groups[into].deps.remove(&into);
    }
}

fn find_mergeable(groups: &[Group]) -> Option<(usize, usize)> {
    for (from, x) in groups.iter().enumerate() {
        if !x.entity || x.conditions.is_empty() {
            continue;
        }
        for (into, y) in groups.iter().enumerate() {
            let extra: Vec<&Cond> = x
                .conditions
                .iter()
                .filter(|c| !y.conditions.contains(c))
                .collect();
            let candidate = into != from
                && y.entity
                && y.graph == x.graph
                && y.chunk == x.chunk
                && y.merge_path == x.merge_path
                && y.conditions.iter().all(|c| x.conditions.contains(c))
                && !extra.is_empty()
                // A fetch of deferred fields stays apart, for the deferred part.
                && extra.iter().all(|c| c.defer_index().is_none())
                && x.selection.top_fields_carry(&extra);
            // A fetch that `x` waits for only under its own conditions (one made
            // for a `@fromContext` value of a conditional field) would make the
            // unconditional `y` wait for something that may never run.
            let waits_conditionally = x.deps.iter().any(|d| {
                groups[*d]
                    .conditions
                    .iter()
                    .any(|c| !y.conditions.contains(c))
            });
            if candidate
                && !waits_conditionally
                && !closure(groups, &x.deps).contains(&into)
                && !closure(groups, &y.deps).contains(&from)
            {
                return Some((from, into));
            }
        }
    }
    None
}

/// Per group, the number of fetches that must complete before it (its stage).
/// Dependencies may point to groups created later, so this is not index order.
pub(crate) fn levels(groups: &[Group]) -> Vec<usize> {
    fn level(groups: &[Group], i: usize, memo: &mut [Option<usize>], guard: usize) -> usize {
        if let Some(l) = memo[i] {
            return l;
        }
        // Dependencies are acyclic by construction; the guard only stops runaway
        // recursion should that ever be broken.
        let l = if guard > groups.len() {
            0
        } else {
            groups[i]
                .deps
                .iter()
                .map(|d| level(groups, *d, memo, guard + 1) + 1)
                .max()
                .unwrap_or(0)
        };
        memo[i] = Some(l);
        l
    }
    let mut memo = vec![None; groups.len()];
    (0..groups.len())
        .map(|i| level(groups, i, &mut memo, 0))
        .collect()
}
