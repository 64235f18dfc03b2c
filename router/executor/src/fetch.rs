//! The kinds of fetch: a root fetch, whose data merges at its position; an
//! `_entities` fetch, which sends the representations of the objects at its flatten
//! path and merges each returned entity back into the objects it came from; and a
//! batch of `_entities` fetches to one subgraph sent as one request, each part
//! handled as an `_entities` fetch of its own.

use std::borrow::Cow;

use switchyard_planner::plan::{
    BatchFetchNode, BatchPart, ContextArgument, FetchNode, FetchRewrite, OperationKind,
    PathElement, Selection,
};

use crate::context::context_values;

use crate::entity::{collect_objects, deduplicate, representation};
use crate::error::{FetchError, GraphQLError, PathSegment};
use crate::fetch_errors::{
    fetch_failed, fetch_position, malformed_response, push_at_each, root_fetch_paths,
    with_service_name,
};
use crate::fetcher::{Fetched, SubgraphRequest, Variables};
use crate::merge::{Piece, object_at_keys_mut};
use crate::path::{ObjectPaths, value_at_mut};
use crate::rewrite::apply_rewrites;
use crate::run::{Run, State};
use crate::value::Value;

impl Run<'_> {
    /// Readies an error a subgraph sent for the client: its extensions reduced to
    /// `code` and the kept keys unless the options keep them all, and
    /// `serviceName` set.
    fn ready_subgraph_error(&self, error: &mut GraphQLError, subgraph: &str) {
        if let Some(kept) = &self.kept_subgraph_extensions {
            error
                .extensions
                .retain(|key, _| key == "code" || kept.iter().any(|k| k == key));
        }
        with_service_name(error, subgraph);
    }

    /// A fetch from the subgraph's root type; its data merges at the fetch position.
    pub(crate) async fn root_fetch(&self, fetch: &FetchNode, flatten: &[PathElement]) {
        let result = self
            .send(
                &fetch.subgraph,
                SubgraphRequest {
                    query: &fetch.operation,
                    operation_name: fetch.operation_name.as_deref(),
                    variables: Variables {
                        forwarded: self.forwarded_variables(&fetch.variable_usages),
                        representations: Vec::new(),
                    },
                    operation_kind: fetch.operation_kind,
                },
                0,
            )
            .await;
        self.merge_root_result(fetch, flatten, result);
    }

    /// Merges what a root fetch got (data and errors, or why it failed) at its
    /// position: after a request, or for one event of a subscription stream.
    pub(crate) fn merge_root_result(
        &self,
        fetch: &FetchNode,
        flatten: &[PathElement],
        result: Result<Fetched, FetchError>,
    ) {
        let position = fetch_position(flatten);
        let mut state = self.lock();
        let State {
            data: state_data,
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
            Ok(fetched) => {
                // A pathless error about a fetch that returned no data at all is about
                // every field the fetch should have filled; otherwise it stays where
                // the subgraph put it (at the fetch position).
                let filled_nothing = matches!(fetched.data, None | Some(Value::Null));
                if filled_nothing && fetched.errors.is_empty() {
                    // No data and no word why: not a silent null at every field it
                    // should have filled, but an error there, as for a failed fetch.
                    let paths = root_fetch_paths(fetch, &position);
                    let error = malformed_response(&fetch.subgraph, "no data and no errors");
                    push_at_each(errors, error, &paths);
                    covered.extend(paths);
                    return;
                }
                let shared;
                let (response_errors, data) = match fetched {
                    Fetched::Owned(response) => (response.errors, response.data.map(Piece::Owned)),
                    Fetched::Shared(response) => {
                        shared = response;
                        (
                            shared.errors.clone(),
                            shared.data.as_ref().map(Piece::Borrowed),
                        )
                    }
                };
                let mut root_paths = None;
                for mut error in response_errors {
                    self.ready_subgraph_error(&mut error, &fetch.subgraph);
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
                if let Some(mut piece) = data {
                    if !fetch.output_rewrites.is_empty() {
                        let mut value = piece.into_owned();
                        apply_rewrites(self.schema, &fetch.output_rewrites, &mut value, None);
                        piece = Piece::Owned(value);
                    }
                    if let Some(target) = object_at_keys_mut(state_data, &position) {
                        piece.merge_into(self.schema, target);
                    }
                }
            }
        }
    }

    /// An `_entities` fetch for every object at the flatten path. With
    /// `@fromContext` arguments, the objects are split by the values they get;
    /// several sets of values go out in one request, one aliased `_entities` per
    /// set with its own copies of the context variables.
    pub(crate) async fn entity_fetch(&self, fetch: &FetchNode, flatten: &[PathElement]) {
        let mut groups = {
            let state = self.lock();
            self.collect_parts(
                &state.data,
                std::iter::once(flatten),
                &fetch.requires,
                &fetch.input_rewrites,
                &fetch.context_arguments,
            )
        };
        groups.retain(|group| group.part.count > 0);
        if groups.len() > 1
            && let Some(batch) = &fetch.context_batch
        {
            return self
                .send_assembled(Assembled {
                    subgraph: &fetch.subgraph,
                    operation_name: batch.operation_name.as_deref(),
                    client_definitions: &batch.client_definitions,
                    variable_usages: &fetch.variable_usages,
                    units: vec![Unit {
                        selection: &batch.selection,
                        arguments: &fetch.context_arguments,
                        output_rewrites: &fetch.output_rewrites,
                        groups,
                    }],
                })
                .await;
        }
        let Some(ContextGroup {
            values,
            mut part,
            representations,
        }) = groups.pop()
        else {
            return;
        };
        let count = part.count;
        part.response_key = "_entities";
        part.output_rewrites = &fetch.output_rewrites;
        let mut forwarded = self.forwarded_variables(&fetch.variable_usages);
        for (argument, value) in fetch.context_arguments.iter().zip(values) {
            forwarded.insert(argument.variable.clone(), value.to_json());
        }
        let request = SubgraphRequest {
            query: &fetch.operation,
            operation_name: fetch.operation_name.as_deref(),
            variables: Variables {
                forwarded,
                representations: vec![(Cow::Borrowed("representations"), representations)],
            },
            operation_kind: fetch.operation_kind,
        };
        let result = self.send(&fetch.subgraph, request, count).await;
        self.deliver_entities(&fetch.subgraph, &[part], result);
    }

    /// One request put together at run time (how many sets of `@fromContext`
    /// values there are is known only now): per unit and per set of values
    /// `_U_S:_entities(representations:$representationsU_S)`, its context
    /// variables renamed `$<variable>_U_S`.
    async fn send_assembled(&self, request: Assembled<'_, '_>) {
        let Assembled {
            subgraph,
            operation_name,
            client_definitions,
            variable_usages,
            units,
        } = request;
        let unused = |name: String| {
            let mut name = name;
            while variable_usages.contains(&name) {
                name.insert(0, '_');
            }
            name
        };
        let keys: Vec<Vec<String>> = units
            .iter()
            .enumerate()
            .map(|(u, unit)| {
                (0..unit.groups.len())
                    .map(|g| format!("_{u}_{g}"))
                    .collect()
            })
            .collect();
        let mut definitions = Vec::new();
        let mut body = String::from("{");
        let mut forwarded = self.forwarded_variables(variable_usages);
        let mut representations = Vec::new();
        let mut parts = Vec::new();
        for ((u, unit), keys) in units.into_iter().enumerate().zip(&keys) {
            for ((g, group), key) in unit.groups.into_iter().enumerate().zip(keys) {
                let list = unused(format!("representations{u}_{g}"));
                definitions.push(format!("${list}:[_Any!]!"));
                let mut renames = Vec::with_capacity(unit.arguments.len());
                for (argument, value) in unit.arguments.iter().zip(group.values) {
                    let renamed = unused(format!("{}_{u}_{g}", argument.variable));
                    definitions.push(format!("${renamed}:{}", argument.ty));
                    forwarded.insert(renamed.clone(), value.to_json());
                    renames.push((argument.variable.as_str(), renamed));
                }
                if body.len() > 1 {
                    body.push(' ');
                }
                body.push_str(&format!(
                    "{key}:_entities(representations:${list}){}",
                    rename_variables(unit.selection, &renames)
                ));
                representations.push((Cow::Owned(list), group.representations));
                let mut part = group.part;
                part.response_key = key;
                part.output_rewrites = unit.output_rewrites;
                parts.push(part);
            }
        }
        if parts.is_empty() {
            return;
        }
        body.push('}');
        definitions.extend(client_definitions.iter().cloned());
        let mut query = String::from("query");
        if let Some(name) = operation_name {
            query.push(' ');
            query.push_str(name);
        }
        query.push('(');
        query.push_str(&definitions.join(","));
        query.push(')');
        query.push_str(&body);
        let count = parts.iter().map(|part| part.count).sum();
        let request = SubgraphRequest {
            query: &query,
            operation_name,
            variables: Variables {
                forwarded,
                representations,
            },
            operation_kind: OperationKind::Query,
        };
        let result = self.send(subgraph, request, count).await;
        self.deliver_entities(subgraph, &parts, result);
    }

    /// Several entity fetches to one subgraph in one request: each part's
    /// representations under its own variable (`[]` for a part with none or whose
    /// conditions do not hold), each part's `_N` results and errors routed back to its
    /// objects. Nothing is sent when no part has representations.
    pub(crate) async fn batch_fetch(&self, batch: &BatchFetchNode, flatten: &[PathElement]) {
        let joined: Vec<Vec<Cow<'_, [PathElement]>>> = batch
            .parts
            .iter()
            .map(|part| {
                part.paths
                    .iter()
                    .map(|path| {
                        if flatten.is_empty() {
                            Cow::Borrowed(path.as_slice())
                        } else {
                            Cow::Owned([flatten, path.as_slice()].concat())
                        }
                    })
                    .collect()
            })
            .collect();
        if batch
            .parts
            .iter()
            .any(|part| !part.context_arguments.is_empty())
        {
            let units = {
                let state = self.lock();
                batch
                    .parts
                    .iter()
                    .zip(&joined)
                    .filter(|(part, _)| self.part_enabled(part))
                    .map(|(part, paths)| {
                        let mut groups = self.collect_parts(
                            &state.data,
                            paths.iter().map(|path| &**path),
                            &part.requires,
                            &part.input_rewrites,
                            &part.context_arguments,
                        );
                        groups.retain(|group| group.part.count > 0);
                        Unit {
                            selection: part.selection.as_deref().unwrap_or("{__typename}"),
                            arguments: &part.context_arguments,
                            output_rewrites: &part.output_rewrites,
                            groups,
                        }
                    })
                    .collect()
            };
            return self
                .send_assembled(Assembled {
                    subgraph: &batch.subgraph,
                    operation_name: batch.operation_name.as_deref(),
                    client_definitions: &batch.client_definitions,
                    variable_usages: &batch.variable_usages,
                    units,
                })
                .await;
        }
        let mut parts = Vec::with_capacity(batch.parts.len());
        let mut representations = Vec::with_capacity(batch.parts.len());
        {
            let state = self.lock();
            for (part, paths) in batch.parts.iter().zip(&joined) {
                let variable = Cow::Owned(part.representations_variable.clone());
                if !self.part_enabled(part) {
                    representations.push((variable, Value::Array(Vec::new())));
                    continue;
                }
                let (mut collected, list) = self.collect_part(
                    &state.data,
                    paths.iter().map(|path| &**path),
                    &part.requires,
                    &part.input_rewrites,
                );
                representations.push((variable, list));
                if collected.count > 0 {
                    collected.response_key = &part.response_key;
                    collected.output_rewrites = &part.output_rewrites;
                    parts.push(collected);
                }
            }
        }
        if parts.is_empty() {
            return;
        }
        let count = parts.iter().map(|part| part.count).sum();
        let request = SubgraphRequest {
            query: &batch.operation,
            operation_name: batch.operation_name.as_deref(),
            variables: Variables {
                forwarded: self.forwarded_variables(&batch.variable_usages),
                representations,
            },
            operation_kind: OperationKind::Query,
        };
        let result = self.send(&batch.subgraph, request, count).await;
        self.deliver_entities(&batch.subgraph, &parts, result);
    }

    /// Whether the `@skip`/`@include` conditions of a batch part let it be sent.
    fn part_enabled(&self, part: &BatchPart) -> bool {
        crate::run::conditions_hold(&part.conditions, self.variables)
    }

    /// The objects at `paths` and their deduplicated representations (as a list
    /// value), for a fetch without `@fromContext` arguments.
    fn collect_part<'p>(
        &self,
        data: &Value,
        paths: impl Iterator<Item = &'p [PathElement]>,
        requires: &[Selection],
        input_rewrites: &[FetchRewrite],
    ) -> (EntityPart<'p>, Value) {
        let group = self
            .collect_parts(data, paths, requires, input_rewrites, &[])
            .pop()
            .expect("without context arguments there is exactly one group");
        (group.part, group.representations)
    }

    /// The objects at `paths` with their deduplicated representations, split by
    /// the values of `context` each object gets (one group when `context` is
    /// empty).
    fn collect_parts<'p>(
        &self,
        data: &Value,
        paths: impl Iterator<Item = &'p [PathElement]>,
        requires: &[Selection],
        input_rewrites: &[FetchRewrite],
        context: &[ContextArgument],
    ) -> Vec<ContextGroup<'p>> {
        let mut all = ObjectPaths::default();
        let mut objects = Vec::new();
        for path in paths {
            objects.extend(collect_objects(self.schema, data, path, &mut all));
        }
        // Without context arguments every object is in the one group, made here
        // so that a fetch with no objects still has it.
        let mut groups: Vec<Collecting<'p>> = Vec::new();
        if context.is_empty() {
            groups.push(Collecting::new(Vec::new(), objects.len()));
        }
        for (index, object) in objects.into_iter().enumerate() {
            let Some(built) = representation(self.schema, object, requires) else {
                continue;
            };
            let mut built = Value::Object(built);
            if !input_rewrites.is_empty() {
                apply_rewrites(self.schema, input_rewrites, &mut built, None);
            }
            let group = if context.is_empty() {
                0
            } else {
                let values = context_values(self.schema, data, all.get(index), context);
                match groups.iter().position(|group| group.values == values) {
                    Some(found) => found,
                    None => {
                        groups.push(Collecting::new(values, 1));
                        groups.len() - 1
                    }
                }
            };
            let group = &mut groups[group];
            group.representations.push((group.paths.len(), built));
            group.paths.push(all.get(index));
        }
        groups.into_iter().map(Collecting::finish).collect()
    }

    /// Merges the entities of each part back into the objects they came from, and
    /// puts the subgraph's errors (`[key, index, ...]`) at those objects' paths.
    fn deliver_entities(
        &self,
        subgraph: &str,
        parts: &[EntityPart<'_>],
        result: Result<Fetched, FetchError>,
    ) {
        let mut state = self.lock();
        let State {
            data,
            errors,
            covered,
            ..
        } = &mut *state;
        let fetched = match result {
            Ok(fetched) => fetched,
            Err(error) => {
                let failed = fetch_failed(subgraph, &error);
                for part in parts {
                    let owned = part.paths.to_owned_paths();
                    push_at_each(errors, failed.clone(), &owned);
                    covered.extend(owned);
                }
                return;
            }
        };
        let shared;
        let (response_errors, mut owned_data, shared_data) = match fetched {
            Fetched::Owned(response) => (response.errors, response.data, None),
            Fetched::Shared(response) => {
                shared = response;
                (shared.errors.clone(), None, shared.data.as_ref())
            }
        };
        let had_errors = !response_errors.is_empty();
        // Owned copies of every object path of a part, made only when an error
        // needs them.
        let mut owned_paths: Vec<Option<Vec<Vec<PathSegment>>>> = vec![None; parts.len()];
        for mut error in response_errors {
            self.ready_subgraph_error(&mut error, subgraph);
            let found = match error.path.as_slice() {
                [PathSegment::Key(key), PathSegment::Index(index), ..] => {
                    parts.iter().position(|part| {
                        part.response_key == key.as_str() && *index < part.sources.len()
                    })
                }
                _ => None,
            };
            let Some(found) = found else {
                // Not about one entity: about every object the fetch was to fill.
                for (part, owned) in parts.iter().zip(owned_paths.iter_mut()) {
                    let owned = owned.get_or_insert_with(|| part.paths.to_owned_paths());
                    push_at_each(errors, error.clone(), owned);
                }
                continue;
            };
            let part = &parts[found];
            let index = match error.path[1] {
                PathSegment::Index(index) => index,
                PathSegment::Key(_) => continue,
            };
            let rest = error.path.split_off(2);
            for &source in &part.sources[index] {
                let mut mapped = error.clone();
                mapped.path = part
                    .paths
                    .get(source)
                    .iter()
                    .map(|segment| segment.to_owned_segment())
                    .chain(rest.iter().cloned())
                    .collect();
                errors.push(mapped);
            }
        }
        for (part, owned) in parts.iter().zip(owned_paths) {
            let entities = match (&mut owned_data, shared_data) {
                (Some(Value::Object(fetched)), _) => {
                    fetched.remove(part.response_key).map(Piece::Owned)
                }
                (_, Some(Value::Object(fetched))) => {
                    fetched.get(part.response_key).map(Piece::Borrowed)
                }
                _ => None,
            };
            part.merge(
                self.schema,
                subgraph,
                data,
                errors,
                covered,
                entities,
                had_errors,
                owned,
            );
        }
    }
}

/// A request put together at run time (see `send_assembled`).
struct Assembled<'a, 'p> {
    subgraph: &'a str,
    operation_name: Option<&'a str>,
    client_definitions: &'a [String],
    variable_usages: &'a [String],
    units: Vec<Unit<'p>>,
}

/// One entity fetch (or batch part) of an assembled request: its selection and
/// context arguments, and its objects grouped by the values they get.
struct Unit<'p> {
    selection: &'p str,
    arguments: &'p [ContextArgument],
    output_rewrites: &'p [FetchRewrite],
    groups: Vec<ContextGroup<'p>>,
}

/// `selection` with each variable `$from` renamed `$to` (whole names only, and
/// not inside string literals).
fn rename_variables(selection: &str, renames: &[(&str, String)]) -> String {
    let mut out = String::with_capacity(selection.len() + 8 * renames.len());
    let mut copied = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in selection.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '$' => {
                let rest = &selection[i + 1..];
                let len = rest
                    .find(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_'))
                    .unwrap_or(rest.len());
                if let Some((_, to)) = renames.iter().find(|(from, _)| *from == &rest[..len]) {
                    out.push_str(&selection[copied..=i]);
                    out.push_str(to);
                    copied = i + 1 + len;
                }
            }
            _ => {}
        }
    }
    out.push_str(&selection[copied..]);
    out
}

/// A [`ContextGroup`] being collected: representations not yet deduplicated.
struct Collecting<'p> {
    values: Vec<Value>,
    paths: ObjectPaths<'p>,
    /// (index into `paths`, representation).
    representations: Vec<(usize, Value)>,
}

impl<'p> Collecting<'p> {
    fn new(values: Vec<Value>, capacity: usize) -> Self {
        Collecting {
            values,
            paths: ObjectPaths::with_capacity(capacity, 4),
            representations: Vec::with_capacity(capacity),
        }
    }

    fn finish(self) -> ContextGroup<'p> {
        let deduplicated = deduplicate(self.representations);
        ContextGroup {
            values: self.values,
            part: EntityPart {
                response_key: "",
                output_rewrites: &[],
                paths: self.paths,
                count: deduplicated.representations.len(),
                sources: deduplicated.sources,
            },
            representations: Value::Array(deduplicated.representations),
        }
    }
}

/// The objects of an entity fetch that get the same `@fromContext` values (all of
/// them when there are none), with their representations.
struct ContextGroup<'p> {
    values: Vec<Value>,
    part: EntityPart<'p>,
    representations: Value,
}

/// One `_entities` selection of a fetch: the objects it was sent for, and which of
/// them each (deduplicated) representation stands for.
struct EntityPart<'p> {
    /// The key of its `_entities` field in the response (`_entities`, `_0`, ...).
    response_key: &'p str,
    output_rewrites: &'p [FetchRewrite],
    paths: ObjectPaths<'p>,
    /// Per representation sent, the indexes into `paths` it stands for.
    sources: Vec<Vec<usize>>,
    /// Representations sent.
    count: usize,
}

impl EntityPart<'_> {
    /// Merges `entities` (this part's list from the response) into its objects.
    #[allow(clippy::too_many_arguments)]
    fn merge(
        &self,
        schema: &apollo_compiler::Schema,
        subgraph: &str,
        data: &mut Value,
        errors: &mut Vec<GraphQLError>,
        covered: &mut Vec<Vec<PathSegment>>,
        entities: Option<Piece<'_>>,
        had_errors: bool,
        owned_paths: Option<Vec<Vec<PathSegment>>>,
    ) {
        let count = self.count;
        let listed = entities.as_ref().map(Piece::as_value);
        let merged = match listed {
            Some(Value::Array(list)) if list.len() == count => true,
            None | Some(Value::Null) if had_errors => false,
            other => {
                let detail = match other {
                    Some(Value::Array(list)) => format!(
                        "expected {count} entities in `{}`, got {}",
                        self.response_key,
                        list.len()
                    ),
                    _ => format!("`{}` is missing or not a list", self.response_key),
                };
                let owned = owned_paths.unwrap_or_else(|| self.paths.to_owned_paths());
                push_at_each(errors, malformed_response(subgraph, &detail), &owned);
                covered.extend(owned);
                return;
            }
        };
        if merged {
            match entities {
                Some(Piece::Owned(Value::Array(list))) => {
                    for (index, entity) in list.into_iter().enumerate() {
                        self.merge_entity(schema, data, index, Piece::Owned(entity));
                    }
                }
                Some(Piece::Borrowed(Value::Array(list))) => {
                    for (index, entity) in list.iter().enumerate() {
                        self.merge_entity(schema, data, index, Piece::Borrowed(entity));
                    }
                }
                _ => {}
            }
        }
        if let Some(owned) = owned_paths {
            covered.extend(owned);
        }
    }

    /// Merges the entity answering representation `index` into each object it
    /// stands for: copied into all but the last, moved (when owned) into that.
    fn merge_entity(
        &self,
        schema: &apollo_compiler::Schema,
        data: &mut Value,
        index: usize,
        entity: Piece<'_>,
    ) {
        if !entity.as_value().is_object() {
            return;
        }
        let targets = &self.sources[index];
        let mut entity = Some(entity);
        for (position, &source) in targets.iter().enumerate() {
            let Some(target) = value_at_mut(data, self.paths.get(source)) else {
                continue;
            };
            let piece = if position + 1 == targets.len() {
                entity.take()
            } else {
                entity.as_ref().map(Piece::reborrow)
            };
            let Some(mut piece) = piece else {
                continue;
            };
            if !self.output_rewrites.is_empty() {
                let typename = target.get("__typename").and_then(Value::as_str);
                let mut value = piece.into_owned();
                apply_rewrites(schema, self.output_rewrites, &mut value, typename);
                piece = Piece::Owned(value);
            }
            piece.merge_into(schema, target);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::rename_variables;

    #[test]
    fn renames_whole_variable_names_outside_strings() {
        let renames = [("a_1", "a_1_0".to_owned())];
        assert_eq!(
            rename_variables(
                r#"{f(x:$a_1 y:$a_10 z:"$a_1 \" $a_1" w:"é") g(x:$a_1)}"#,
                &renames
            ),
            r#"{f(x:$a_1_0 y:$a_10 z:"$a_1 \" $a_1" w:"é") g(x:$a_1_0)}"#
        );
    }
}
