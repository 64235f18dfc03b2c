//! Planning an operation into fetches across subgraphs.
//!
//! Phases, each its own module:
//! 1. [`operation`]: normalise the client operation (named fragments inlined,
//!    literal `@skip`/`@include` resolved, variable conditions kept).
//!    [`unauthorized`] then takes out the fields protected by authorization
//!    requirements the request does not meet (recorded as unresolvable).
//! 2. [`search`]: walk the selection, keeping each field in the fetch group
//!    already at that position when its subgraph can resolve it ([`resolve`]),
//!    and otherwise jumping ([`jump`]) to another subgraph through an entity key
//!    (placing key and `@requires` fields first), or through another subgraph's
//!    root for value types without keys. A field whose `@requires` fields its
//!    own subgraph cannot produce (they are external there) gets its own
//!    entity fetch to that subgraph after the fetches that obtain them, even
//!    when its parent was fetched from that subgraph; a key field already
//!    fetched for a representation is not asked of the target again. Type
//!    conditions reached from an `@interfaceObject` subgraph go to the
//!    interface's owner, which is asked for `__typename` so the concrete type
//!    is known before they match. A field taking `@fromContext` arguments
//!    gets an entity fetch of its own, passing values read from the nearest
//!    ancestor setting the context ([`context`]). Where a root field or a jump has
//!    several candidate subgraphs, each is tried together with the sibling
//!    fields after it, and the fewest sequential steps, then fetches, wins. The
//!    groups being filled live in [`fetch_graph`]; their selections in
//!    [`selection`].
//! 3. [`build`]: order the groups by dependency into the plan tree (a tree of
//!    `Sequence`/`Parallel` when every fetch waits for at most one other, stages
//!    otherwise), wrap conditional groups in `Condition` nodes, batch entity
//!    fetches to one subgraph that are ready at the same step into one
//!    `BatchFetch` (stages instead of a tree when the tree would keep such
//!    fetches in different branches), add internal aliases where sibling type
//!    conditions clash, and render each subgraph operation once.
//! 4. [`deferred`]: with `@defer`, the groups are split first into the primary
//!    part and one part per deferred fragment (a deferred fragment is searched
//!    as a conditional one, see [`operation::Cond::defer`]), each built as in 3.

mod build;
mod context;
mod deferred;
mod fetch_graph;
mod jump;
mod operation;
mod resolve;
mod search;
mod selection;
mod unauthorized;

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::ast::OperationType;
use apollo_compiler::validation::Valid;

use crate::authorization::Requirement;
use crate::plan::{PlanNode, QueryPlan};
use crate::supergraph::Supergraph;

/// Bounds on the search, so a pathological operation fails fast instead of
/// holding a thread.
#[derive(Debug, Clone)]
pub struct PlannerConfig {
    /// How many alternative plans (for shareable fields and ambiguous jumps) may
    /// be evaluated for one operation.
    pub max_evaluated_options: usize,
    /// Wall-clock limit for planning one operation.
    pub timeout: Duration,
}

impl Default for PlannerConfig {
    fn default() -> Self {
        PlannerConfig {
            max_evaluated_options: 10_000,
            timeout: Duration::from_secs(2),
        }
    }
}

/// Per-request inputs that change the plan (part of the plan cache key).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlanOptions {
    /// Progressive `@override` labels that are enabled for this request.
    pub enabled_override_labels: HashSet<String>,
    /// Authorization requirements the request does not meet: the fields they
    /// protect are left out of every fetch and reported as unauthorized.
    pub unmet_requirements: BTreeSet<Requirement>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PlanError {
    #[error("{0}")]
    InvalidOperation(String),
    #[error("cannot plan {0}: no subgraph can resolve it from here")]
    Unresolvable(String),
    #[error("query planning exceeded its limit of {0} evaluated options")]
    TooManyOptions(usize),
    #[error("query planning exceeded its time limit of {0:?}")]
    Timeout(Duration),
}

/// Plans operations against one supergraph. Cheap to share; holds no per-request state.
#[derive(Debug, Clone)]
pub struct QueryPlanner {
    supergraph: Arc<Supergraph>,
    config: PlannerConfig,
}

impl QueryPlanner {
    pub fn new(supergraph: Arc<Supergraph>, config: PlannerConfig) -> QueryPlanner {
        QueryPlanner { supergraph, config }
    }

    pub fn supergraph(&self) -> &Arc<Supergraph> {
        &self.supergraph
    }

    /// Plans `operation_name` (or the only operation) of a document validated
    /// against the API schema.
    pub fn plan(
        &self,
        document: &Valid<ExecutableDocument>,
        operation_name: Option<&str>,
        options: &PlanOptions,
    ) -> Result<QueryPlan, PlanError> {
        let operation = document
            .operations
            .get(operation_name)
            .map_err(|e| PlanError::InvalidOperation(e.message().to_string()))?;
        let (selections, defers) =
            operation::normalize_operation(&operation.selection_set, &document.fragments)?;
        let (selections, mut unauthorized) = unauthorized::remove_unauthorized(
            self.supergraph.authorization(),
            &options.unmet_requirements,
            &operation.selection_set.ty,
            selections,
        );
        let planner = search::Planner::new(&self.supergraph, options, &self.config);
        let mut state = planner.plan_operation(operation.operation_type, &selections)?;
        fetch_graph::merge_conditional_groups(&mut state.groups);
        let mut node = deferred::build(&self.supergraph, operation, state.groups, &defers);
        if operation.operation_type == OperationType::Subscription {
            node = match node {
                Some(PlanNode::Defer { .. }) => {
                    return Err(PlanError::InvalidOperation(
                        "@defer is not supported in subscriptions".into(),
                    ));
                }
                Some(node) => Some(build::subscription_node(node).ok_or_else(|| {
                    PlanError::InvalidOperation(
                        "a subscription's root field must be one subgraph's, \
                         and not under @skip or @include with a variable"
                            .into(),
                    )
                })?),
                None => None,
            };
        }
        let mut unresolvable = state.unresolvable;
        unresolvable.append(&mut unauthorized);
        deferred::drop_defer_conditions(&mut unresolvable);
        Ok(QueryPlan { node, unresolvable })
    }
}
