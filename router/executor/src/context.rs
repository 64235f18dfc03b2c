//! `@fromContext` values: for an entity fetch with `context_arguments`, the value of
//! each argument variable per entity object, read on the object's nearest ancestor
//! setting the context (see [`switchyard_planner::plan::ContextArgument`]).

use apollo_compiler::Schema;
use switchyard_planner::plan::{ContextArgument, ContextSource, Selection};

use crate::path::PathRef;
use crate::types::type_matches;
use crate::value::Value;

/// The values of `arguments` (in order) for the object at `path` in `data`.
pub(crate) fn context_values(
    schema: &Schema,
    data: &Value,
    path: &[PathRef<'_>],
    arguments: &[ContextArgument],
) -> Vec<Value> {
    arguments
        .iter()
        .map(|argument| {
            argument
                .sources
                .iter()
                .find_map(|source| from_source(schema, data, path, source))
                .unwrap_or(Value::Null)
        })
        .collect()
}

/// The value read on the ancestor `source` points at, if that ancestor exists and
/// has one of its types (a field missing there reads as `null`).
fn from_source(
    schema: &Schema,
    data: &Value,
    path: &[PathRef<'_>],
    source: &ContextSource,
) -> Option<Value> {
    let ancestor = value_at(data, ancestor_path(path, source.levels_up)?)?;
    let Value::Object(object) = ancestor else {
        return None;
    };
    if !source.type_conditions.is_empty() {
        let typename = object.get("__typename").and_then(Value::as_str)?;
        if !source
            .type_conditions
            .iter()
            .any(|condition| type_matches(schema, condition, typename))
        {
            return None;
        }
    }
    Some(read(schema, ancestor, &source.selection).unwrap_or(Value::Null))
}

/// `path` with `levels` response keys (and the list indexes after each) removed
/// from its end.
fn ancestor_path<'a, 'p>(path: &'a [PathRef<'p>], levels: usize) -> Option<&'a [PathRef<'p>]> {
    let mut end = path.len();
    for _ in 0..levels {
        while end > 0 && matches!(path[end - 1], PathRef::Index(_)) {
            end -= 1;
        }
        if end == 0 {
            return None;
        }
        end -= 1;
    }
    Some(&path[..end])
}

fn value_at<'v>(root: &'v Value, path: &[PathRef<'_>]) -> Option<&'v Value> {
    let mut current = root;
    for segment in path {
        current = match (segment, current) {
            (PathRef::Key(key), Value::Object(object)) => object.get(key)?,
            (PathRef::Index(index), Value::Array(list)) => list.get(*index)?,
            _ => return None,
        };
    }
    Some(current)
}

/// The innermost field's value of `selections` read on `value` (the first field or
/// matching fragment that has one); lists met on the way give lists.
fn read(schema: &Schema, value: &Value, selections: &[Selection]) -> Option<Value> {
    match value {
        Value::Array(items) => Some(Value::Array(
            items
                .iter()
                .map(|item| read(schema, item, selections).unwrap_or(Value::Null))
                .collect(),
        )),
        Value::Object(object) => selections.iter().find_map(|selection| match selection {
            Selection::Field(field) => {
                let child = object.get(&field.response_key)?;
                if field.selections.is_empty() || child.is_null() {
                    Some(child.clone())
                } else {
                    read(schema, child, &field.selections)
                }
            }
            Selection::InlineFragment(fragment) => {
                let applies = match (&fragment.type_condition, object.get("__typename")) {
                    (None, _) => true,
                    (Some(condition), Some(Value::String(typename))) => {
                        type_matches(schema, condition, typename)
                    }
                    // No `__typename`: the planner unwrapped fragments that
                    // could not be told apart, so the first one that reads wins.
                    (Some(_), _) => true,
                };
                if applies {
                    read(schema, value, &fragment.selections)
                } else {
                    None
                }
            }
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ancestor_paths_skip_list_indexes() {
        let path = [
            PathRef::Key("users"),
            PathRef::Index(1),
            PathRef::Key("posts"),
            PathRef::Index(0),
        ];
        assert_eq!(
            ancestor_path(&path, 1),
            Some(&[PathRef::Key("users"), PathRef::Index(1)][..])
        );
        assert_eq!(ancestor_path(&path, 2), Some(&[][..]));
        assert_eq!(ancestor_path(&path, 3), None);
    }
}
