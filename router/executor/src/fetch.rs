//! The two kinds of fetch: a root fetch, whose data merges at its position, and an
//! `_entities` fetch, which sends the representations of the objects at its flatten
//! path and merges each returned entity back into the objects it came from.

use switchyard_planner::plan::{FetchNode, PathElement};

use futures::future::join_all;

use crate::context::context_values;
use crate::entity::{collect_objects, deduplicate, representation};
use crate::error::PathSegment;
use crate::fetch_errors::{
    fetch_failed, fetch_position, malformed_response, push_at_each, root_fetch_paths,
    with_service_name,
};
use crate::fetcher::Variables;
use crate::merge::{deep_merge, object_at_keys_mut};
use crate::path::{ObjectPaths, value_at_mut};
use crate::rewrite::apply_rewrites;
use crate::run::{Run, State};
use crate::value::Value;

impl Run<'_> {
    /// A fetch from the subgraph's root type; its data merges at the fetch position.
    pub(crate) async fn root_fetch(&self, fetch: &FetchNode, flatten: &[PathElement]) {
        let position = fetch_position(flatten);
        let result = self
            .send(
                fetch,
                Variables {
                    forwarded: self.forwarded_variables(fetch),
                    representations: None,
                },
                0,
            )
            .await;
        let mut state = self.lock();
        let State {
            data,
            errors,
            covered,
            ..
        } = &mut *state;
        match result {
            Err(error) => {
                let paths = root_fetch_paths(fetch, &position);
                push_at_each(errors, fetch_failed(&fetch.subgraph, &error), &paths);
                covered.extend(paths);
            }
            Ok(response) => {
                // A pathless error about a fetch that returned no data at all is about
                // every field the fetch should have filled; otherwise it stays where
                // the subgraph put it (at the fetch position).
                let filled_nothing = matches!(response.data, None | Some(Value::Null));
                let mut root_paths = None;
                for mut error in response.errors {
                    with_service_name(&mut error, &fetch.subgraph);
                    if error.path.is_empty() {
                        let paths =
                            root_paths.get_or_insert_with(|| root_fetch_paths(fetch, &position));
                        if filled_nothing {
                            push_at_each(errors, error, paths);
                        } else {
                            error.path = position.clone();
                            errors.push(error);
                        }
                        continue;
                    }
                    if !position.is_empty() {
                        error.path.splice(0..0, position.iter().cloned());
                    }
                    errors.push(error);
                }
                if let Some(paths) = root_paths {
                    covered.extend(paths);
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

    /// An `_entities` fetch for every object at the flatten path. With
    /// `@fromContext` arguments, the objects are split by the values they get, one
    /// request per distinct set of values, sent concurrently.
    pub(crate) async fn entity_fetch(&self, fetch: &FetchNode, flatten: &[PathElement]) {
        let batches = {
            let state = self.lock();
            let mut all = ObjectPaths::default();
            let objects = collect_objects(self.schema, &state.data, flatten, &mut all);
            let mut batches: Vec<Batch<'_>> = Vec::with_capacity(1);
            for (index, object) in objects.into_iter().enumerate() {
                let Some(built) = representation(self.schema, object, &fetch.requires) else {
                    continue;
                };
                let mut built = Value::Object(built);
                if !fetch.input_rewrites.is_empty() {
                    apply_rewrites(self.schema, &fetch.input_rewrites, &mut built, None);
                }
                let values = if fetch.context_arguments.is_empty() {
                    Vec::new()
                } else {
                    context_values(
                        self.schema,
                        &state.data,
                        all.get(index),
                        &fetch.context_arguments,
                    )
                };
                let batch = match batches.iter().position(|b| b.values == values) {
                    Some(i) => &mut batches[i],
                    None => {
                        batches.push(Batch {
                            values,
                            paths: ObjectPaths::with_capacity(1, flatten.len()),
                            representations: Vec::new(),
                        });
                        batches.last_mut().expect("just pushed")
                    }
                };
                batch.representations.push((batch.paths.len(), built));
                batch.paths.push(all.get(index));
            }
            batches
        };
        match batches.len() {
            0 => {}
            1 => {
                let batch = batches.into_iter().next().expect("one batch");
                self.entity_batch(fetch, batch).await;
            }
            _ => {
                join_all(
                    batches
                        .into_iter()
                        .map(|batch| self.entity_batch(fetch, batch)),
                )
                .await;
            }
        }
    }

    /// One `_entities` request for a batch of objects, merged back into them.
    async fn entity_batch(&self, fetch: &FetchNode, batch: Batch<'_>) {
        let Batch {
            values,
            paths,
            representations,
        } = batch;
        let deduplicated = deduplicate(representations);
        let count = deduplicated.representations.len();
        if count == 0 {
            return;
        }
        let mut forwarded = self.forwarded_variables(fetch);
        for (argument, value) in fetch.context_arguments.iter().zip(values) {
            forwarded.insert(argument.variable.clone(), value.to_json());
        }
        let sources = deduplicated.sources;
        let variables = Variables {
            forwarded,
            representations: Some(Value::Array(deduplicated.representations)),
        };
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
                let owned = paths.to_owned_paths();
                push_at_each(errors, fetch_failed(&fetch.subgraph, &error), &owned);
                covered.extend(owned);
                return;
            }
        };
        let had_errors = !response.errors.is_empty();
        // Owned copies of every object path, made only when an error needs them.
        let mut owned_paths: Option<Vec<Vec<PathSegment>>> = None;
        for mut error in response.errors {
            with_service_name(&mut error, &fetch.subgraph);
            let index = match error.path.as_slice() {
                [PathSegment::Key(entities), PathSegment::Index(index), ..]
                    if entities == "_entities" && *index < sources.len() =>
                {
                    *index
                }
                _ => {
                    // Not about one entity: about every object the fetch was to fill.
                    let owned = owned_paths.get_or_insert_with(|| paths.to_owned_paths());
                    push_at_each(errors, error, owned);
                    continue;
                }
            };
            let rest = error.path.split_off(2);
            for &source in &sources[index] {
                let mut mapped = error.clone();
                mapped.path = paths
                    .get(source)
                    .iter()
                    .map(|segment| segment.to_owned_segment())
                    .chain(rest.iter().cloned())
                    .collect();
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
                if let Some(owned) = owned_paths {
                    covered.extend(owned);
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
                let owned = owned_paths.unwrap_or_else(|| paths.to_owned_paths());
                push_at_each(errors, malformed_response(&fetch.subgraph, &detail), &owned);
                covered.extend(owned);
                return;
            }
        };
        for (index, mut entity) in entities.into_iter().enumerate() {
            if !entity.is_object() {
                continue;
            }
            let targets = &sources[index];
            for (position, &source) in targets.iter().enumerate() {
                let Some(target) = value_at_mut(data, paths.get(source)) else {
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
        if let Some(owned) = owned_paths {
            covered.extend(owned);
        }
    }
}

/// The objects of an entity fetch that get the same `@fromContext` values (all of
/// them when there are none), with their representations.
struct Batch<'p> {
    values: Vec<Value>,
    paths: ObjectPaths<'p>,
    representations: Vec<(usize, Value)>,
}
