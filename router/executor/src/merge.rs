//! Merging fetch results into the response tree, and finding values in it by path.

use apollo_compiler::Schema;

use crate::error::PathSegment;
use crate::value::{Object, Value};

/// Deep-merges `source` into `target`: objects field by field, lists element by
/// element, anything else replaced by `source`.
///
/// A `__typename` naming a concrete object type is never replaced by one that does
/// not: an `@interfaceObject` subgraph reports the interface's name, while the
/// concrete type comes from (or is fetched later from) a subgraph that owns it.
pub(crate) fn deep_merge(schema: &Schema, target: &mut Value, source: Value) {
    match (target, source) {
        (Value::Object(target), Value::Object(source)) => merge_objects(schema, target, source),
        (Value::Array(target), Value::Array(source)) => {
            let mut source = source.into_iter();
            for (target, source) in target.iter_mut().zip(source.by_ref()) {
                deep_merge(schema, target, source);
            }
            target.extend(source);
        }
        (target, source) => *target = source,
    }
}

fn merge_objects(schema: &Schema, target: &mut Object, source: Object) {
    if target.is_empty() {
        *target = source;
        return;
    }
    // Room for exactly the new keys: growing by doubling left a merged entity
    // up to half empty, and a response holds many of them while it waits for
    // its other fetches.
    let new_keys = source
        .iter()
        .filter(|(key, _)| !target.contains_key(key))
        .count();
    target.reserve_exact(new_keys);
    for (key, value) in source {
        match target.get_mut(&key) {
            Some(existing) => {
                if &*key == "__typename" && keeps_typename(schema, existing, &value) {
                    continue;
                }
                deep_merge(schema, existing, value);
            }
            None => target.push_new(key, value),
        }
    }
}

fn keeps_typename(schema: &Schema, existing: &Value, new: &Value) -> bool {
    let is_object_type = |value: &Value| {
        value
            .as_str()
            .is_some_and(|name| schema.get_object(name).is_some())
    };
    is_object_type(existing) && !is_object_type(new)
}

/// The value at a path of keys, creating empty objects (over nulls and missing
/// entries) along the way; `None` when a step meets a non-object value.
pub(crate) fn object_at_keys_mut<'v>(
    root: &'v mut Value,
    keys: &[PathSegment],
) -> Option<&'v mut Value> {
    let mut current = root;
    for segment in keys {
        if current.is_null() {
            *current = Value::Object(Object::new());
        }
        current = match (segment, current) {
            (PathSegment::Key(key), Value::Object(object)) => object.get_or_insert_null(key),
            (PathSegment::Index(index), Value::Array(list)) => list.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(current)
}
