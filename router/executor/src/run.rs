//! Walking the plan tree: sequences in order, parallel branches concurrently (polled
//! together on the caller's task, never spawned), conditions by variable. The fetches
//! themselves are in `fetch.rs`; they read from and merge into the response tree held
//! in [`State`].

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use apollo_compiler::Schema;
use futures::future::{BoxFuture, join_all};
use serde_json::Map;
use switchyard_planner::plan::{PathElement, PlanNode, VariableCondition};

use crate::error::{FetchError, GraphQLError, PathSegment};
use crate::fetcher::{Fetched, SubgraphFetcher, SubgraphRequest};
use crate::response::FetchTrace;
use crate::value::{Object, Value};

/// Everything fetches produce. Behind a mutex because parallel branches read and
/// merge concurrently; it is never held across an `.await`.
#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) data: Value,
    pub(crate) errors: Vec<GraphQLError>,
    /// Paths a failed fetch should have filled (see [`crate::fetch_errors::is_covered`]).
    pub(crate) covered: Vec<Vec<PathSegment>>,
    pub(crate) traces: Vec<FetchTrace>,
}

pub(crate) struct Run<'a> {
    pub(crate) schema: &'a Schema,
    pub(crate) fetcher: &'a dyn SubgraphFetcher,
    pub(crate) variables: &'a Map<String, serde_json::Value>,
    pub(crate) state: Mutex<State>,
    pub(crate) started: Instant,
    pub(crate) trace: bool,
    /// See [`crate::ExecutionOptions::kept_subgraph_extensions`].
    pub(crate) kept_subgraph_extensions: Option<Arc<[String]>>,
}

impl<'a> Run<'a> {
    pub(crate) fn new(
        schema: &'a Schema,
        fetcher: &'a dyn SubgraphFetcher,
        variables: &'a Map<String, serde_json::Value>,
        options: crate::ExecutionOptions,
    ) -> Self {
        Run {
            schema,
            fetcher,
            variables,
            state: Mutex::new(State {
                data: Value::Object(Object::new()),
                ..State::default()
            }),
            started: Instant::now(),
            trace: options.trace,
            kept_subgraph_extensions: options.kept_subgraph_extensions,
        }
    }

    pub(crate) fn into_state(self) -> State {
        self.state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `node`; `flatten` is the path of the enclosing `Flatten` nodes.
    pub(crate) fn run_node<'n>(
        &'n self,
        node: &'n PlanNode,
        flatten: &'n [PathElement],
    ) -> BoxFuture<'n, ()> {
        Box::pin(async move {
            match node {
                PlanNode::Fetch(fetch) => {
                    if fetch.requires.is_empty() {
                        self.root_fetch(fetch, flatten).await;
                    } else {
                        self.entity_fetch(fetch, flatten).await;
                    }
                }
                PlanNode::BatchFetch(batch) => self.batch_fetch(batch, flatten).await,
                PlanNode::Sequence { nodes } => {
                    for node in nodes {
                        self.run_node(node, flatten).await;
                    }
                }
                PlanNode::Parallel { nodes } => {
                    join_all(nodes.iter().map(|node| self.run_node(node, flatten))).await;
                }
                PlanNode::Flatten { path, node } => {
                    if flatten.is_empty() {
                        self.run_node(node, path).await;
                    } else {
                        let joined = [flatten, path.as_slice()].concat();
                        self.run_node(node, &joined).await;
                    }
                }
                // Run as a whole (see `crate::incremental` for delivering the
                // parts one by one): the parts in order, into one response.
                PlanNode::Defer { primary, deferred } => {
                    if let Some(primary) = primary {
                        self.run_node(primary, flatten).await;
                    }
                    for part in deferred {
                        if let Some(node) = &part.node {
                            self.run_node(node, flatten).await;
                        }
                    }
                }
                PlanNode::Condition {
                    condition,
                    if_clause,
                    else_clause,
                } => {
                    let value = self
                        .variables
                        .get(condition)
                        .and_then(serde_json::Value::as_bool);
                    let branch = if value == Some(true) {
                        if_clause
                    } else {
                        else_clause
                    };
                    if let Some(branch) = branch {
                        self.run_node(branch, flatten).await;
                    }
                }
                PlanNode::Subscription { primary, rest } => {
                    // Run as a one-off query: the primary once, then the rest.
                    // Streams go through `Executor::execute_event`, one event at
                    // a time; this is only reached by a caller that executes a
                    // subscription's plan as a single request.
                    self.root_fetch(primary, flatten).await;
                    if let Some(rest) = rest {
                        self.run_node(rest, flatten).await;
                    }
                }
            }
        })
    }

    /// The client variables a fetch uses.
    pub(crate) fn forwarded_variables(&self, usages: &[String]) -> Map<String, serde_json::Value> {
        crate::request::forwarded_variables(self.variables, usages)
    }

    /// Sends `request` to `subgraph`, recording a trace when asked to.
    pub(crate) async fn send(
        &self,
        subgraph: &str,
        request: SubgraphRequest<'_>,
        representations: usize,
    ) -> Result<Fetched, FetchError> {
        let sent = self.trace.then(Instant::now);
        let result = self.fetcher.fetch_shared(subgraph, request).await;
        if let Err(error) = &result {
            tracing::debug!(%subgraph, %error, "subgraph fetch failed");
        }
        if let Some(sent) = sent {
            let (response_bytes, error_count) = match &result {
                Ok(response) => (response.body_size, response.errors.len()),
                Err(_) => (0, 1),
            };
            self.lock().traces.push(FetchTrace {
                subgraph: subgraph.to_owned(),
                start: sent.duration_since(self.started),
                duration: sent.elapsed(),
                response_bytes,
                error_count,
                representations,
            });
        }
        result
    }
}

/// Whether every `@skip`/`@include(if: $v)` condition lets its selection in: a
/// variable that is absent or not a boolean counts as `false`.
pub(crate) fn conditions_hold(
    conditions: &[VariableCondition],
    variables: &Map<String, serde_json::Value>,
) -> bool {
    conditions.iter().all(|condition| {
        let value = variables
            .get(&condition.variable)
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        value == condition.include_if
    })
}
