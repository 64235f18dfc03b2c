//! Planning against a new schema before serving it: the most recently used
//! operations of the running plan cache are planned again, with the new state,
//! into its plan cache. The first requests after a reload then find their plans,
//! and a supergraph that validates an operation but cannot plan it (a field no
//! subgraph can resolve any more) is refused before it serves a request.
//!
//! "Cannot plan" includes a plan that leaves out, as resolvable by no subgraph,
//! a field the running plan fetched: requests would get an error for it.
//!
//! An operation the new schema no longer validates (a field was removed) is no
//! reason to refuse it: removing fields is how schemas evolve. It is counted and
//! logged, and its clients get validation errors.

use std::collections::BTreeSet;
use std::sync::Arc;

use switchyard_planner::plan::{QueryPlan, UnresolvableReason};

use super::ReloadError;
use crate::pipeline::{self, PlanFailure, Rejection};
use crate::router::RouterInner;

/// What planning the recent operations against a new schema found.
#[derive(Debug, Default)]
pub(super) struct WarmedUp {
    pub(super) planned: usize,
    pub(super) no_longer_valid: usize,
}

/// Plans up to `next.config.reload.warm_up_operations` of `running`'s most
/// recently used operations with `next`, caching the plans in `next`; fails
/// with every operation that validates against `next` but cannot be planned.
pub(super) async fn plan_recent(
    running: &RouterInner,
    next: &Arc<RouterInner>,
) -> Result<WarmedUp, ReloadError> {
    let recent = running
        .plan_cache
        .most_recent(next.config.reload.warm_up_operations);
    let mut warmed = WarmedUp::default();
    let mut unplannable = Vec::new();
    // One at a time, on a blocking thread each: the requests being served
    // keep the other cores.
    for (key, cached) in recent {
        let Some(from) = &cached.planned_from else {
            continue;
        };
        let planning = next.clone();
        let query = from.query.clone();
        let operation_name = from.operation_name.clone();
        let labels = from.override_labels.clone();
        let planned = tokio::task::spawn_blocking(move || {
            pipeline::analyse_and_plan(&planning, &query, operation_name.as_deref(), &labels)
        })
        .await
        .map_err(PlanFailure::from)
        .and_then(|result| result);
        let name = || from.operation_name.as_deref().unwrap_or("(anonymous)");
        match planned {
            Ok((operation, bytes)) => {
                let lost = lost_fields(&cached.plan, &operation.plan);
                if !lost.is_empty() {
                    unplannable.push(format!(
                        "- operation {}: no subgraph resolves {} any more",
                        name(),
                        lost.join(", ")
                    ));
                    continue;
                }
                // The key digests what the plan was planned from, not the
                // supergraph: the same key in the new cache.
                next.plan_cache.insert(key, Arc::new(operation), bytes);
                warmed.planned += 1;
            }
            Err(failure) => match verdict(&failure) {
                Verdict::NoLongerValid => warmed.no_longer_valid += 1,
                Verdict::TooCostly => {}
                Verdict::Unplannable(reason) => {
                    unplannable.push(format!("- operation {}: {reason}", name()));
                }
            },
        }
    }
    if warmed.no_longer_valid > 0 {
        tracing::warn!(
            operations = warmed.no_longer_valid,
            "recently used operations are not valid against the new schema: their clients will \
             get validation errors"
        );
    }
    if unplannable.is_empty() {
        Ok(warmed)
    } else {
        Err(ReloadError::Unplannable(unplannable))
    }
}

/// The fields `next` leaves out as resolvable by no subgraph that `running`
/// did not, as `Type.field`.
fn lost_fields(running: &QueryPlan, next: &QueryPlan) -> Vec<String> {
    let unresolvable = |plan: &QueryPlan| -> BTreeSet<String> {
        plan.unresolvable
            .iter()
            .filter(|field| field.reason == UnresolvableReason::NoSubgraph)
            .map(|field| format!("{}.{}", field.parent_type, field.field_name))
            .collect()
    };
    let before = unresolvable(running);
    unresolvable(next)
        .into_iter()
        .filter(|field| !before.contains(field))
        .collect()
}

enum Verdict {
    /// The operation no longer validates (or no longer fits the limits).
    NoLongerValid,
    /// Planning hit the planner's time or option bound: it depends on load,
    /// not only on the schema, so it refuses nothing.
    TooCostly,
    /// A valid operation the new schema cannot plan, and why.
    Unplannable(String),
}

fn verdict(failure: &PlanFailure) -> Verdict {
    let rejection = match failure {
        PlanFailure::Rejected(Rejection::Planning(errors)) => {
            return Verdict::Unplannable(messages(errors));
        }
        PlanFailure::Rejected(_) => return Verdict::NoLongerValid,
        PlanFailure::NotPlanned { rejection, .. } => rejection,
    };
    match rejection {
        Rejection::Planning(errors) => Verdict::Unplannable(messages(errors)),
        Rejection::Limit(_) => Verdict::TooCostly,
        _ => Verdict::NoLongerValid,
    }
}

fn messages(errors: &[switchyard_executor::GraphQLError]) -> String {
    let messages: Vec<&str> = errors.iter().map(|error| error.message.as_str()).collect();
    messages.join("; ")
}
