//! Merging fetch results into the response tree, and finding values in it by path.

use serde_json::{Map, Value};

use crate::error::PathSegment;

/// Deep-merges `source` into `target`: objects field by field, lists element by
/// element, anything else replaced by `source`.
///
/// An existing `__typename` string is never overwritten: the first fetch to reach an
/// object knows its concrete type, while a later entity fetch through an
/// `@interfaceObject` would report the interface's name instead.
pub(crate) fn deep_merge(target: &mut Value, source: Value) {
    match (target, source) {
        (Value::Object(target), Value::Object(source)) => merge_objects(target, source),
        (Value::Array(target), Value::Array(source)) => {
            let mut source = source.into_iter();
            for (target, source) in target.iter_mut().zip(source.by_ref()) {
                deep_merge(target, source);
            }
            target.extend(source);
        }
        (target, source) => *target = source,
    }
}

pub(crate) fn merge_objects(target: &mut Map<String, Value>, source: Map<String, Value>) {
    if target.is_empty() {
        *target = source;
        return;
    }
    for (key, value) in source {
        match target.get_mut(&key) {
            Some(existing) => {
                if key == "__typename" && existing.is_string() {
                    continue;
                }
                deep_merge(existing, value);
            }
            None => {
                target.insert(key, value);
            }
        }
    }
}

/// The value at `path`, if every step exists.
pub(crate) fn value_at_mut<'v>(root: &'v mut Value, path: &[PathSegment]) -> Option<&'v mut Value> {
    let mut current = root;
    for segment in path {
        current = match (segment, current) {
            (PathSegment::Key(key), Value::Object(object)) => object.get_mut(key)?,
            (PathSegment::Index(index), Value::Array(list)) => list.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(current)
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
            *current = Value::Object(Map::new());
        }
        current = match (segment, current) {
            (PathSegment::Key(key), Value::Object(object)) => {
                object.entry(key.clone()).or_insert(Value::Null)
            }
            (PathSegment::Index(index), Value::Array(list)) => list.get_mut(*index)?,
            _ => return None,
        };
    }
    Some(current)
}
