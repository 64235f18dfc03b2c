//! Incremental delivery of `@defer` (the format graphql-js and Apollo Router
//! send, `deferSpec=20220824`): the primary part of a [`PlanNode::Defer`] is run
//! and shaped without the deferred fragments, sent, and then each deferred part
//! is run and shaped at the objects its fragment is on, one result per object.
//!
//! A part whose `@defer(if: $v)` is false at run time is not deferred: it runs
//! before the response it belongs to is shaped (the initial one, or that of the
//! deferred part it waits for) and is delivered with it. Parts run one after
//! another, in the plan's order, so a nested fragment's part always finds the
//! data of its parent's.

use apollo_compiler::ast;
use apollo_compiler::executable::DirectiveList;
use futures::channel::mpsc::UnboundedSender;
use serde::Serialize;
use serde_json::Map;
use switchyard_planner::defer::{DeferredFragment, deferred_fragments};
use switchyard_planner::plan::{DeferredNode, PlanNode, QueryPlan};

use crate::entity::collect_objects;
use crate::error::{GraphQLError, PathSegment};
use crate::executor::{ExecutionOptions, Executor};
use crate::fetcher::SubgraphFetcher;
use crate::path::{ObjectPaths, owned_path};
use crate::request::PreparedOperation;
use crate::response::{FetchTrace, Response, ResponseData};
use crate::run::Run;
use crate::shape::Shaper;
use crate::types::type_matches;
use crate::value::Value;

/// One part of an incremental response, in the order they are sent.
#[derive(Debug, Clone, PartialEq)]
pub enum IncrementalPart {
    /// The first: what the primary part fetched, without the deferred
    /// fragments: `{"data":...,"errors":[...],"hasNext":true}`.
    Initial { response: Response, has_next: bool },
    /// A deferred part: `{"incremental":[...],"hasNext":false}`.
    Subsequent {
        incremental: Vec<IncrementalResult>,
        has_next: bool,
    },
}

/// A deferred fragment's data at one object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IncrementalResult {
    /// The fragment's fields on the object; `null` when null propagation
    /// reached the object itself.
    pub data: serde_json::Value,
    /// The object's path in the whole response.
    pub path: Vec<PathSegment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// Errors of this fragment at this object (fetches and shaping), with
    /// paths in the whole response.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<GraphQLError>,
}

impl IncrementalPart {
    /// Whether more parts follow.
    pub fn has_next(&self) -> bool {
        match self {
            IncrementalPart::Initial { has_next, .. }
            | IncrementalPart::Subsequent { has_next, .. } => *has_next,
        }
    }

    /// The part's JSON text.
    pub fn into_json_bytes(self) -> Vec<u8> {
        let (mut out, has_next) = match self {
            IncrementalPart::Initial { response, has_next } => {
                (response.into_json_bytes(), has_next)
            }
            IncrementalPart::Subsequent {
                incremental,
                has_next,
            } => {
                let mut out = b"{\"incremental\":".to_vec();
                if serde_json::to_writer(&mut out, &incremental).is_err() {
                    // Plain values and strings: not reachable; still JSON.
                    out = b"{\"incremental\":[]".to_vec();
                }
                out.push(b'}');
                (out, has_next)
            }
        };
        // Both end with the object's `}`: `hasNext` goes last, as graphql-js
        // writes it.
        out.pop();
        if out.len() > 1 {
            out.push(b',');
        }
        out.extend_from_slice(if has_next {
            b"\"hasNext\":true}"
        } else {
            b"\"hasNext\":false}"
        });
        out
    }
}

/// Whether `@defer` in `directives` is active: present, and its `if` true (a
/// variable absent from the coerced variables counts as the default, true).
pub(crate) fn defer_active(
    directives: &DirectiveList,
    variables: &Map<String, serde_json::Value>,
) -> bool {
    let Some(defer) = directives.get("defer") else {
        return false;
    };
    match defer.specified_argument_by_name("if").map(|v| v.as_ref()) {
        None => true,
        Some(ast::Value::Boolean(value)) => *value,
        Some(ast::Value::Variable(variable)) => variable_true(variable, variables),
        Some(_) => true,
    }
}

fn variable_true(variable: &str, variables: &Map<String, serde_json::Value>) -> bool {
    variables
        .get(variable)
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(true)
}

/// Whether the part is deferred for these variables (see [`defer_active`]).
fn part_active(part: &DeferredNode, variables: &Map<String, serde_json::Value>) -> bool {
    part.if_variable
        .as_deref()
        .is_none_or(|variable| variable_true(variable, variables))
}

impl Executor {
    /// Whether `plan` would be delivered in several parts with these variables:
    /// it has a deferred part whose `@defer` is active.
    pub fn is_incremental(&self, plan: &QueryPlan, operation: &PreparedOperation<'_>) -> bool {
        match &plan.node {
            Some(PlanNode::Defer { deferred, .. }) => deferred
                .iter()
                .any(|part| part_active(part, &operation.variables)),
            _ => false,
        }
    }

    /// Runs `plan` and sends its response to `parts` as it completes: the
    /// initial part, then one part per deferred fragment (see the module
    /// documentation). A plan without an active `@defer` is one part, as
    /// [`Executor::execute`] answers it. Stops early when `parts` is closed
    /// (the client went away). Returns the traces of every fetch.
    pub async fn execute_incremental(
        &self,
        plan: &QueryPlan,
        operation: &PreparedOperation<'_>,
        fetcher: &dyn SubgraphFetcher,
        options: ExecutionOptions,
        parts: UnboundedSender<IncrementalPart>,
    ) -> Vec<FetchTrace> {
        let deferred = match &plan.node {
            Some(PlanNode::Defer { deferred, .. }) if self.is_incremental(plan, operation) => {
                deferred
            }
            _ => {
                let outcome = self.execute(plan, operation, fetcher, options).await;
                let _ = parts.unbounded_send(IncrementalPart::Initial {
                    response: outcome.response,
                    has_next: false,
                });
                return outcome.traces;
            }
        };
        let Some(PlanNode::Defer { primary, .. }) = &plan.node else {
            return Vec::new();
        };
        let variables = &operation.variables;
        let run = Run::new(self.api_schema(), fetcher, variables, options);
        if let Some(primary) = primary {
            run.run_node(primary, &[]).await;
        }
        let active: Vec<bool> = deferred
            .iter()
            .map(|part| part_active(part, variables))
            .collect();
        let mut done = vec![false; deferred.len()];
        // Parts not deferred now, waiting for no deferred one: before the
        // initial response, which delivers them.
        for (index, part) in deferred.iter().enumerate() {
            if !active[index] && part.depends_on.iter().all(|d| done[*d]) {
                if let Some(node) = &part.node {
                    run.run_node(node, &[]).await;
                }
                done[index] = true;
            }
        }
        let (initial, mut delivered) = self.shape_initial(plan, operation, &run);
        let mut remaining = active.iter().filter(|a| **a).count();
        if parts
            .unbounded_send(IncrementalPart::Initial {
                response: initial,
                has_next: true,
            })
            .is_err()
        {
            return run.into_state().traces;
        }
        let mut fragments = Vec::new();
        deferred_fragments(
            &operation.operation.selection_set,
            &operation.document.fragments,
            &mut fragments,
        );
        for (index, part) in deferred.iter().enumerate() {
            if done[index] || !active[index] {
                continue;
            }
            if let Some(node) = &part.node {
                run.run_node(node, &[]).await;
            }
            done[index] = true;
            // Parts not deferred now that waited for this one: delivered
            // with it (a nested fragment with `if: false`).
            for later in index + 1..deferred.len() {
                let ready = deferred[later].depends_on.iter().all(|d| done[*d]);
                if !done[later] && !active[later] && ready {
                    if let Some(node) = &deferred[later].node {
                        run.run_node(node, &[]).await;
                    }
                    done[later] = true;
                }
            }
            remaining -= 1;
            let incremental = match fragments.get(part.index) {
                Some(fragment) => self.shape_part(part, fragment, operation, &run, &mut delivered),
                None => Vec::new(),
            };
            let sent = parts.unbounded_send(IncrementalPart::Subsequent {
                incremental,
                has_next: remaining > 0,
            });
            if sent.is_err() {
                break;
            }
        }
        run.into_state().traces
    }

    /// The initial response (deferred fragments left out), and its data as
    /// sent, where the deferred parts' data then goes.
    fn shape_initial(
        &self,
        plan: &QueryPlan,
        operation: &PreparedOperation<'_>,
        run: &Run<'_>,
    ) -> (Response, serde_json::Value) {
        let mut state = run.lock();
        let (errors, introspection) = self.before_shaping(plan, operation, &mut state);
        let mut shaper = Shaper::new(
            self.api_schema(),
            operation,
            errors,
            &state.covered,
            introspection,
            ResponseData::buffer(1024),
        )
        .incremental(Vec::new());
        shaper.shape_root(
            operation.operation.object_type(),
            &operation.operation.selection_set,
            state.data.clone(),
        );
        let data = ResponseData::from_buffer(shaper.out);
        let delivered = serde_json::from_slice(data.as_bytes()).unwrap_or_default();
        let response = Response {
            data: Some(data),
            errors: shaper.errors,
            extensions: None,
        };
        (response, delivered)
    }

    /// One result per object the part's fragment is on, among the objects
    /// delivered so far (an object nulled by null propagation gets none).
    /// Errors of the part's fetches go to the result whose path they are
    /// under, else to the first.
    fn shape_part(
        &self,
        part: &DeferredNode,
        fragment: &DeferredFragment<'_>,
        operation: &PreparedOperation<'_>,
        run: &Run<'_>,
        delivered: &mut serde_json::Value,
    ) -> Vec<IncrementalResult> {
        let schema = self.api_schema();
        let mut state = run.lock();
        let mut fetch_errors = std::mem::take(&mut state.errors);
        let mut paths = ObjectPaths::default();
        let objects = collect_objects(schema, &state.data, &part.path, &mut paths);
        let mut results = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            let path = owned_path(paths.get(index));
            if !matches!(
                json_at(delivered, &path),
                Some(serde_json::Value::Object(_))
            ) {
                continue;
            }
            let runtime = object
                .get("__typename")
                .and_then(Value::as_str)
                .filter(|name| schema.get_object(name).is_some())
                .unwrap_or(&part.parent_type);
            let applies = type_matches(schema, &part.parent_type, runtime)
                && fragment
                    .type_condition
                    .is_none_or(|condition| type_matches(schema, condition, runtime));
            if !applies || schema.get_object(runtime).is_none() {
                continue;
            }
            let (mine, others): (Vec<_>, Vec<_>) = fetch_errors
                .into_iter()
                .partition(|error| !error.path.is_empty() && error.path.starts_with(&path));
            fetch_errors = others;
            let mut shaper = Shaper::new(schema, operation, mine, &state.covered, None, Vec::new())
                .incremental(path.clone());
            shaper.shape_object(runtime, fragment.selection_set, (*object).clone());
            let data: serde_json::Value =
                serde_json::from_slice(&shaper.out).unwrap_or(serde_json::Value::Null);
            merge_at(delivered, &path, &data);
            results.push(IncrementalResult {
                data,
                path,
                label: part.label.clone(),
                errors: shaper.errors,
            });
        }
        if !fetch_errors.is_empty() {
            match results.first_mut() {
                Some(first) => first.errors.append(&mut fetch_errors),
                None => results.push(IncrementalResult {
                    data: serde_json::Value::Null,
                    path: keys_before_list(&part.path),
                    label: part.label.clone(),
                    errors: fetch_errors,
                }),
            }
        }
        results
    }
}

/// The plan path up to its first list: where a part's errors go when it
/// found no object.
fn keys_before_list(path: &[switchyard_planner::plan::PathElement]) -> Vec<PathSegment> {
    use switchyard_planner::plan::PathElement;
    path.iter()
        .map_while(|element| match element {
            PathElement::Key(key) => Some(PathSegment::Key(key.clone())),
            _ => None,
        })
        .collect()
}

fn json_at<'v>(
    value: &'v serde_json::Value,
    path: &[PathSegment],
) -> Option<&'v serde_json::Value> {
    let mut current = value;
    for segment in path {
        current = match (segment, current) {
            (PathSegment::Key(key), serde_json::Value::Object(object)) => object.get(key)?,
            (PathSegment::Index(index), serde_json::Value::Array(list)) => list.get(*index)?,
            _ => return None,
        };
    }
    Some(current)
}

/// Adds a delivered fragment's fields to the object at `path`, so nested
/// fragments find it.
fn merge_at(delivered: &mut serde_json::Value, path: &[PathSegment], data: &serde_json::Value) {
    let mut current = delivered;
    for segment in path {
        let next = match (segment, current) {
            (PathSegment::Key(key), serde_json::Value::Object(object)) => object.get_mut(key),
            (PathSegment::Index(index), serde_json::Value::Array(list)) => list.get_mut(*index),
            _ => None,
        };
        let Some(next) = next else { return };
        current = next;
    }
    merge_json(current, data);
}

fn merge_json(target: &mut serde_json::Value, source: &serde_json::Value) {
    match (target, source) {
        (serde_json::Value::Object(target), serde_json::Value::Object(source)) => {
            for (key, value) in source {
                match target.get_mut(key) {
                    Some(existing) => merge_json(existing, value),
                    None => {
                        target.insert(key.clone(), value.clone());
                    }
                }
            }
        }
        (serde_json::Value::Array(target), serde_json::Value::Array(source)) => {
            for (existing, value) in target.iter_mut().zip(source) {
                merge_json(existing, value);
            }
        }
        (target, source) => *target = source.clone(),
    }
}
