//! The plan's `input_rewrites` (applied to representations before they are sent) and
//! `output_rewrites` (applied to fetched data before it is merged).

use apollo_compiler::Schema;
use switchyard_planner::plan::{FetchRewrite, RewritePathElement};

use crate::types::type_matches;
use crate::value::Value;

/// Applies every rewrite to `value`.
///
/// Lists met on the way are walked element by element. A type condition is checked
/// against the object's `__typename`, or `typename` when the object has none (an
/// entity whose fetch did not select it: its type is the one of the object it merges
/// into).
pub(crate) fn apply_rewrites(
    schema: &Schema,
    rewrites: &[FetchRewrite],
    value: &mut Value,
    typename: Option<&str>,
) {
    for rewrite in rewrites {
        let path = match rewrite {
            FetchRewrite::ValueSetter { path, .. } | FetchRewrite::KeyRenamer { path, .. } => path,
        };
        apply(schema, rewrite, path, value, typename);
    }
}

fn apply(
    schema: &Schema,
    rewrite: &FetchRewrite,
    path: &[RewritePathElement],
    value: &mut Value,
    typename: Option<&str>,
) {
    match value {
        Value::Array(items) => {
            for item in items {
                apply(schema, rewrite, path, item, typename);
            }
        }
        Value::Object(object) => match path {
            [] => {}
            [RewritePathElement::TypeCondition(condition), rest @ ..] => {
                let actual = object
                    .get("__typename")
                    .and_then(Value::as_str)
                    .or(typename);
                if actual.is_some_and(|actual| type_matches(schema, condition, actual)) {
                    apply(schema, rewrite, rest, value, typename);
                }
            }
            [RewritePathElement::Key(key)] => match rewrite {
                FetchRewrite::ValueSetter { value: new, .. } => {
                    object.insert(key.as_str(), Value::from(new));
                }
                FetchRewrite::KeyRenamer { rename_key_to, .. } => {
                    if let Some(renamed) = object.remove(key) {
                        object.insert(rename_key_to.as_str(), renamed);
                    }
                }
            },
            [RewritePathElement::Key(key), rest @ ..] => {
                if let Some(child) = object.get_mut(key) {
                    apply(schema, rewrite, rest, child, None);
                }
            }
        },
        _ => {}
    }
}
