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

/// A value to merge into the response: owned (moved in), or borrowed from an
/// answer shared with other requests (copied in, only as far as it lands).
pub(crate) enum Piece<'a> {
    Owned(Value),
    Borrowed(&'a Value),
}

impl Piece<'_> {
    pub(crate) fn as_value(&self) -> &Value {
        match self {
            Piece::Owned(value) => value,
            Piece::Borrowed(value) => value,
        }
    }

    /// The same value, borrowed: to merge it somewhere and keep it.
    pub(crate) fn reborrow(&self) -> Piece<'_> {
        Piece::Borrowed(self.as_value())
    }

    pub(crate) fn into_owned(self) -> Value {
        match self {
            Piece::Owned(value) => value,
            Piece::Borrowed(value) => value.clone(),
        }
    }

    /// [`deep_merge`] of this value into `target`.
    pub(crate) fn merge_into(self, schema: &Schema, target: &mut Value) {
        match self {
            Piece::Owned(value) => deep_merge(schema, target, value),
            Piece::Borrowed(value) => deep_merge_ref(schema, target, value),
        }
    }
}

/// [`deep_merge`] from a borrowed `source`: the same result, each part of
/// `source` copied where it lands (a copy of the whole first would allocate
/// every object twice: once copied, once merged).
pub(crate) fn deep_merge_ref(schema: &Schema, target: &mut Value, source: &Value) {
    match (target, source) {
        (Value::Object(target), Value::Object(source)) => merge_objects_ref(schema, target, source),
        (Value::Array(target), Value::Array(source)) => {
            let common = target.len().min(source.len());
            for (target, source) in target.iter_mut().zip(&source[..common]) {
                deep_merge_ref(schema, target, source);
            }
            target.extend_from_slice(&source[common..]);
        }
        (target, source) => *target = source.clone(),
    }
}

fn merge_objects_ref(schema: &Schema, target: &mut Object, source: &Object) {
    if target.is_empty() {
        *target = source.clone();
        return;
    }
    let new_keys = source
        .iter()
        .filter(|(key, _)| !target.contains_key(key))
        .count();
    target.reserve_exact(new_keys);
    for (key, value) in source.iter() {
        match target.get_mut(key) {
            Some(existing) => {
                if &**key == "__typename" && keeps_typename(schema, existing, value) {
                    continue;
                }
                deep_merge_ref(schema, existing, value);
            }
            None => target.push_new(key.clone(), value.clone()),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn value(json: serde_json::Value) -> Value {
        Value::from(json)
    }

    #[test]
    fn merging_by_reference_gives_what_merging_by_move_gives() {
        let schema = Schema::parse_and_validate(
            "type Query { book: Book } type Book { id: ID title: String }",
            "schema.graphql",
        )
        .unwrap();
        let cases = [
            // Objects field by field, a longer list extended, a shorter one kept,
            // scalars replaced, an object over null.
            (
                serde_json::json!({"a": [{"x": 1}, {"x": 2}], "b": [1, 2, 3], "c": 1, "d": null}),
                serde_json::json!({"a": [{"y": 1}, {"y": 2}, {"y": 3}], "b": [9], "c": "s", "d": {"e": 1}}),
            ),
            // The concrete `__typename` is kept over an interface's name.
            (
                serde_json::json!({"__typename": "Book", "id": "1"}),
                serde_json::json!({"__typename": "Node", "title": "T"}),
            ),
            // Into an empty object: the whole source.
            (
                serde_json::json!({}),
                serde_json::json!({"k": [1, {"n": null}]}),
            ),
        ];
        for (target, source) in cases {
            let (target, source) = (value(target), value(source));
            let mut by_move = target.clone();
            deep_merge(&schema, &mut by_move, source.clone());
            let mut by_reference = target;
            deep_merge_ref(&schema, &mut by_reference, &source);
            assert_eq!(by_reference, by_move);
        }
    }
}
