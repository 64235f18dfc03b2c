//! The read side of an entity fetch: finding the objects a `Flatten` path points at
//! and building their deduplicated representations from the fetch's `requires`.

use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

use apollo_compiler::Schema;
use foldhash::fast::RandomState;
use switchyard_planner::plan::{PathElement, Selection};

use crate::path::{ObjectPaths, PathRef};
use crate::types::type_matches;
use crate::value::{Object, Str, Value};

/// Objects reached by walking `path` from `data`, with their concrete response
/// paths (in `paths`, same order). Nulls, scalars and objects filtered out by a type
/// condition are skipped; lists are walked element by element (also where the path
/// has a key rather than `@`, so a plan and a response that disagree on list depth
/// still work).
pub(crate) fn collect_objects<'v, 'p>(
    schema: &Schema,
    data: &'v Value,
    path: &'p [PathElement],
    paths: &mut ObjectPaths<'p>,
) -> Vec<&'v Object> {
    let mut found = Vec::new();
    let mut current = Vec::with_capacity(path.len() + 2);
    walk(schema, data, path, &mut current, &mut found, paths);
    found
}

fn walk<'v, 'p>(
    schema: &Schema,
    value: &'v Value,
    path: &'p [PathElement],
    current: &mut Vec<PathRef<'p>>,
    found: &mut Vec<&'v Object>,
    paths: &mut ObjectPaths<'p>,
) {
    if let Value::Array(items) = value {
        // `@`, or a list met where the plan expected an object.
        let rest = match path.first() {
            Some(PathElement::Flatten) => &path[1..],
            _ => path,
        };
        for (index, item) in items.iter().enumerate() {
            current.push(PathRef::Index(index));
            walk(schema, item, rest, current, found, paths);
            current.pop();
        }
        return;
    }
    let Value::Object(object) = value else {
        return;
    };
    match path.first() {
        None => {
            paths.push(current);
            found.push(object);
        }
        Some(PathElement::Key(key)) => {
            if let Some(child) = object.get(key) {
                current.push(PathRef::Key(key));
                walk(schema, child, &path[1..], current, found, paths);
                current.pop();
            }
        }
        // An object where the plan expected a list: treat it as a list of one.
        Some(PathElement::Flatten) => walk(schema, value, &path[1..], current, found, paths),
        Some(PathElement::TypeCondition(types)) => {
            let typename = object.get("__typename").and_then(Value::as_str);
            if typename.is_some_and(|typename| {
                types
                    .iter()
                    .any(|condition| type_matches(schema, condition, typename))
            }) {
                walk(schema, value, &path[1..], current, found, paths);
            }
        }
    }
}

/// The representation of `object` for a fetch whose `requires` is given, or `None`
/// when the object cannot be sent: no `__typename`, no fragment targeting its type,
/// or a key/required field that is missing, or null where the schema says it can't be.
pub(crate) fn representation(
    schema: &Schema,
    object: &Object,
    requires: &[Selection],
) -> Option<Object> {
    let typename = object.get("__typename")?.as_str()?;
    let mut representation = Object::with_capacity(4);
    let mut matched = false;
    for selection in requires {
        match selection {
            Selection::InlineFragment(fragment) => {
                let applies = fragment
                    .type_condition
                    .as_deref()
                    .is_none_or(|condition| type_matches(schema, condition, typename));
                if applies {
                    matched = true;
                    let parent = fragment.type_condition.as_deref().unwrap_or(typename);
                    select_into(
                        schema,
                        object,
                        &fragment.selections,
                        Some(parent),
                        &mut representation,
                    )?;
                }
            }
            Selection::Field(_) => {
                matched = true;
                select_into(
                    schema,
                    object,
                    std::slice::from_ref(selection),
                    Some(typename),
                    &mut representation,
                )?;
            }
        }
    }
    matched.then_some(representation)
}

fn select_into(
    schema: &Schema,
    object: &Object,
    selections: &[Selection],
    parent_type: Option<&str>,
    out: &mut Object,
) -> Option<()> {
    for selection in selections {
        match selection {
            Selection::Field(field) => {
                let (key, value) = object.get_key_value(&field.response_key)?;
                // Looked up only when needed: most required fields are non-null
                // scalar keys.
                let definition =
                    || parent_type.and_then(|parent| schema.type_field(parent, &field.name).ok());
                let selected = if value.is_null() {
                    // Null is only valid where the API schema knows the field is
                    // nullable; a null key would only make the subgraph fail.
                    if definition().is_none_or(|definition| definition.ty.is_non_null()) {
                        return None;
                    }
                    Value::Null
                } else if field.selections.is_empty() {
                    value.clone()
                } else {
                    let field_type =
                        definition().map(|definition| definition.ty.inner_named_type().as_str());
                    select_value(schema, value, &field.selections, field_type)?
                };
                // The object's own key when it is the field name (no alias): shared,
                // not copied.
                let name = if **key == *field.name {
                    key.clone()
                } else {
                    Str::from(field.name.as_str())
                };
                out.insert(name, selected);
            }
            Selection::InlineFragment(fragment) => {
                let typename = object
                    .get("__typename")
                    .and_then(Value::as_str)
                    .or(parent_type);
                let applies = match (&fragment.type_condition, typename) {
                    (None, _) => true,
                    (Some(condition), Some(typename)) => type_matches(schema, condition, typename),
                    (Some(_), None) => false,
                };
                if applies {
                    let parent = fragment.type_condition.as_deref().or(parent_type);
                    select_into(schema, object, &fragment.selections, parent, out)?;
                }
            }
        }
    }
    Some(())
}

fn select_value(
    schema: &Schema,
    value: &Value,
    selections: &[Selection],
    value_type: Option<&str>,
) -> Option<Value> {
    match value {
        Value::Array(items) => items
            .iter()
            .map(|item| select_value(schema, item, selections, value_type))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array),
        Value::Object(object) => {
            let typename = object
                .get("__typename")
                .and_then(Value::as_str)
                .or(value_type);
            let mut out = Object::with_capacity(selections.len());
            select_into(schema, object, selections, typename, &mut out)?;
            Some(Value::Object(out))
        }
        scalar => Some(scalar.clone()),
    }
}

/// Representations with duplicates removed, each with the indexes (into the
/// original list) of the objects it stands for.
pub(crate) struct Deduplicated {
    pub(crate) representations: Vec<Value>,
    pub(crate) sources: Vec<Vec<usize>>,
}

/// Deduplicates equal representations, keeping first-seen order.
///
/// Equal hashes chain through `next` (index of the next unique representation
/// with the same hash), so no list is allocated per unique representation, and
/// the table keys, already hashes, are not hashed again.
pub(crate) fn deduplicate(representations: Vec<(usize, Value)>) -> Deduplicated {
    let hasher = RandomState::default();
    let mut first_by_hash: HashMap<u64, usize, BuildHasherDefault<Prehashed>> =
        HashMap::with_capacity_and_hasher(representations.len(), BuildHasherDefault::default());
    let mut next: Vec<Option<usize>> = Vec::with_capacity(representations.len());
    let mut unique: Vec<Value> = Vec::with_capacity(representations.len());
    let mut sources: Vec<Vec<usize>> = Vec::with_capacity(representations.len());
    for (source, representation) in representations {
        let mut state = hasher.build_hasher();
        hash_value(&representation, &mut state, &hasher);
        let hash = state.finish();
        let mut candidate = first_by_hash.get(&hash).copied();
        let mut last = None;
        while let Some(index) = candidate {
            if unique[index] == representation {
                break;
            }
            last = Some(index);
            candidate = next[index];
        }
        match candidate {
            Some(index) => sources[index].push(source),
            None => {
                let index = unique.len();
                match last {
                    Some(last) => next[last] = Some(index),
                    None => {
                        first_by_hash.insert(hash, index);
                    }
                }
                next.push(None);
                unique.push(representation);
                sources.push(vec![source]);
            }
        }
    }
    Deduplicated {
        representations: unique,
        sources,
    }
}

/// A hasher for keys that are already 64-bit hashes: passes them through.
#[derive(Default)]
struct Prehashed(u64);

impl Hasher for Prehashed {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}

/// Hashes a JSON value consistently with `==` (object key order is ignored by
/// [`Value`]'s equality, so object entries are combined order-independently).
///
/// foldhash, seeded per call: representations are short, and SipHash (the std
/// default) cost more than the comparisons it saves.
fn hash_value<H: Hasher>(value: &Value, state: &mut H, hasher: &RandomState) {
    match value {
        Value::Null => 0u8.hash(state),
        Value::Bool(boolean) => (1u8, boolean).hash(state),
        Value::Number(number) => {
            2u8.hash(state);
            match (number.as_u64(), number.as_i64()) {
                (Some(unsigned), _) => unsigned.hash(state),
                (None, Some(signed)) => signed.hash(state),
                (None, None) => number.as_f64().map(f64::to_bits).hash(state),
            }
        }
        Value::String(string) => (3u8, &**string).hash(state),
        Value::Array(items) => {
            (4u8, items.len()).hash(state);
            for item in items {
                hash_value(item, state, hasher);
            }
        }
        Value::Object(object) => {
            (5u8, object.len()).hash(state);
            let mut combined = 0u64;
            for (key, value) in object.iter() {
                let mut entry = hasher.build_hasher();
                (**key).hash(&mut entry);
                hash_value(value, &mut entry, hasher);
                combined ^= entry.finish();
            }
            combined.hash(state);
        }
    }
}
