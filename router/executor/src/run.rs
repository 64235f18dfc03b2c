//! Walking the plan tree: sequences in order, parallel branches concurrently (polled
//! together on the caller's task, never spawned), conditions by variable, and the
//! two kinds of fetch (root and entity) that read from and merge into the response
//! tree held in [`State`].

use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use apollo_compiler::Schema;
use futures::future::{BoxFuture, join_all};
use serde_json::{Map, Value};
use switchyard_planner::plan::{FetchNode, PathElement, PlanNode};

use crate::entity::{collect_objects, deduplicate, representation};
use crate::error::{FetchError, GraphQLError, PathSegment};
use crate::fetch_errors::{
    fetch_failed, fetch_position, malformed_response, root_response_keys, with_service_name,
};
use crate::fetcher::{SubgraphFetcher, SubgraphRequest, SubgraphResponse};
use crate::merge::{deep_merge, object_at_keys_mut, value_at_mut};
use crate::response::FetchTrace;
use crate::rewrite::apply_rewrites;

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
    pub(crate) variables: &'a Map<String, Value>,
    pub(crate) state: Mutex<State>,
    pub(crate) started: Instant,
    pub(crate) trace: bool,
}

impl<'a> Run<'a> {
    pub(crate) fn new(
        schema: &'a Schema,
        fetcher: &'a dyn SubgraphFetcher,
        variables: &'a Map<String, Value>,
        trace: bool,
    ) -> Self {
        Run {
            schema,
            fetcher,
            variables,
            state: Mutex::new(State {
                data: Value::Object(Map::new()),
                ..State::default()
            }),
            started: Instant::now(),
            trace,
        }
    }

    pub(crate) fn into_state(self) -> State {
        self.state
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner)
    }

    fn lock(&self) -> MutexGuard<'_, State> {
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
                PlanNode::Condition {
                    condition,
                    if_clause,
                    else_clause,
                } => {
                    let value = self.variables.get(condition).and_then(Value::as_bool);
                    let branch = if value == Some(true) {
                        if_clause
                    } else {
                        else_clause
                    };
                    if let Some(branch) = branch {
                        self.run_node(branch, flatten).await;
                    }
                }
            }
        })
    }

    /// The client variables a fetch uses, plus room for `extra` more.
    fn forwarded_variables(&self, fetch: &FetchNode, extra: usize) -> Map<String, Value> {
        let mut variables = Map::with_capacity(fetch.variable_usages.len() + extra);
        for name in &fetch.variable_usages {
            if let Some(value) = self.variables.get(name) {
                variables.insert(name.clone(), value.clone());
            }
        }
        variables
    }

    async fn send(
        &self,
        fetch: &FetchNode,
        variables: Map<String, Value>,
        representations: usize,
    ) -> Result<SubgraphResponse, FetchError> {
        let sent = self.trace.then(Instant::now);
        let request = SubgraphRequest {
            query: &fetch.operation,
            operation_name: fetch.operation_name.as_deref(),
            variables,
            operation_kind: fetch.operation_kind,
        };
        let result = self.fetcher.fetch(&fetch.subgraph, request).await;
        if let Err(error) = &result {
            tracing::debug!(subgraph = %fetch.subgraph, %error, "subgraph fetch failed");
        }
        if let Some(sent) = sent {
            let (response_bytes, error_count) = match &result {
                Ok(response) => (response.body_size, response.errors.len()),
                Err(_) => (0, 1),
            };
            self.lock().traces.push(FetchTrace {
                subgraph: fetch.subgraph.clone(),
                start: sent.duration_since(self.started),
                duration: sent.elapsed(),
                response_bytes,
                error_count,
                representations,
            });
        }
        result
    }

    /// A fetch from the subgraph's root type; its data merges at the fetch position.
    async fn root_fetch(&self, fetch: &FetchNode, flatten: &[PathElement]) {
        let position = fetch_position(flatten);
        let result = self
            .send(fetch, self.forwarded_variables(fetch, 0), 0)
            .await;
        let mut state = self.lock();
        let State {
            data,
            errors,
            covered,
            ..
        } = &mut *state;
        let cover_root_keys = |covered: &mut Vec<Vec<PathSegment>>| {
            for key in root_response_keys(&fetch.operation) {
                let mut path = position.clone();
                path.push(PathSegment::Key(key));
                covered.push(path);
            }
        };
        match result {
            Err(error) => {
                errors.push(fetch_failed(&fetch.subgraph, &error).with_path(position.clone()));
                cover_root_keys(covered);
            }
            Ok(response) => {
                let mut pathless = false;
                for mut error in response.errors {
                    if error.path.is_empty() {
                        pathless = true;
                        error.path = position.clone();
                    } else if !position.is_empty() {
                        error.path.splice(0..0, position.iter().cloned());
                    }
                    with_service_name(&mut error, &fetch.subgraph);
                    errors.push(error);
                }
                if pathless {
                    cover_root_keys(covered);
                }
                if let Some(mut fetched) = response.data {
                    apply_rewrites(self.schema, &fetch.output_rewrites, &mut fetched, None);
                    if let Some(target) = object_at_keys_mut(data, &position) {
                        deep_merge(self.schema, target, fetched);
                    }
                }
            }
        }
    }

    /// An `_entities` fetch for every object at the flatten path.
    async fn entity_fetch(&self, fetch: &FetchNode, flatten: &[PathElement]) {
        let (paths, deduplicated) = {
            let state = self.lock();
            let objects = collect_objects(self.schema, &state.data, flatten);
            let mut paths = Vec::with_capacity(objects.len());
            let mut representations = Vec::with_capacity(objects.len());
            for (path, object) in objects {
                if let Some(built) = representation(self.schema, object, &fetch.requires) {
                    let mut built = Value::Object(built);
                    apply_rewrites(self.schema, &fetch.input_rewrites, &mut built, None);
                    representations.push((paths.len(), built));
                    paths.push(path);
                }
            }
            (paths, deduplicate(representations))
        };
        let count = deduplicated.representations.len();
        if count == 0 {
            return;
        }
        let sources = deduplicated.sources;
        let mut variables = self.forwarded_variables(fetch, 1);
        variables.insert(
            "representations".to_owned(),
            Value::Array(deduplicated.representations),
        );
        let result = self.send(fetch, variables, count).await;

        let mut state = self.lock();
        let State {
            data,
            errors,
            covered,
            ..
        } = &mut *state;
        let response = match result {
            Ok(response) => response,
            Err(error) => {
                errors
                    .push(fetch_failed(&fetch.subgraph, &error).with_path(fetch_position(flatten)));
                covered.extend(paths);
                return;
            }
        };
        let had_errors = !response.errors.is_empty();
        let mut cover_all = false;
        for mut error in response.errors {
            with_service_name(&mut error, &fetch.subgraph);
            let index = match error.path.as_slice() {
                [PathSegment::Key(entities), PathSegment::Index(index), ..]
                    if entities == "_entities" && *index < sources.len() =>
                {
                    *index
                }
                _ => {
                    error.path = fetch_position(flatten);
                    cover_all = true;
                    errors.push(error);
                    continue;
                }
            };
            let rest = error.path.split_off(2);
            for &source in &sources[index] {
                let mut mapped = error.clone();
                mapped.path = paths[source].iter().chain(&rest).cloned().collect();
                errors.push(mapped);
            }
        }
        let entities = match response.data {
            Some(Value::Object(mut fetched)) => fetched.remove("_entities"),
            _ => None,
        };
        let entities = match entities {
            Some(Value::Array(entities)) if entities.len() == count => entities,
            None | Some(Value::Null) if had_errors => {
                if cover_all {
                    covered.extend(paths);
                }
                return;
            }
            other => {
                let detail = match other {
                    Some(Value::Array(entities)) => format!(
                        "expected {count} entities in `_entities`, got {}",
                        entities.len()
                    ),
                    _ => "`_entities` is missing or not a list".to_owned(),
                };
                errors.push(
                    malformed_response(&fetch.subgraph, &detail).with_path(fetch_position(flatten)),
                );
                covered.extend(paths);
                return;
            }
        };
        for (index, mut entity) in entities.into_iter().enumerate() {
            if !entity.is_object() {
                continue;
            }
            let targets = &sources[index];
            for (position, &source) in targets.iter().enumerate() {
                let Some(target) = value_at_mut(data, &paths[source]) else {
                    continue;
                };
                let mut value = if position + 1 == targets.len() {
                    std::mem::take(&mut entity)
                } else {
                    entity.clone()
                };
                if !fetch.output_rewrites.is_empty() {
                    let typename = target.get("__typename").and_then(Value::as_str);
                    apply_rewrites(self.schema, &fetch.output_rewrites, &mut value, typename);
                }
                deep_merge(self.schema, target, value);
            }
        }
        if cover_all {
            covered.extend(paths);
        }
    }
}
