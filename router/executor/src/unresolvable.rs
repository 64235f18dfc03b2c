//! Client fields the planner found nothing to resolve, or left out because the
//! request is not authorized to see them (`QueryPlan::unresolvable`):
//! no fetch asked for them, and each object that holds one gets a field error at
//! the field's concrete path. Shaping then writes `null` there and propagates it
//! like any other null, without a second error.

use apollo_compiler::Schema;
use serde_json::Map;
use switchyard_planner::plan::{UnresolvableField, UnresolvableReason};

use crate::entity::collect_objects;
use crate::error::{GraphQLError, PathSegment};
use crate::path::{ObjectPaths, owned_path, value_at_mut};
use crate::run::conditions_hold;
use crate::types::type_matches;
use crate::value::Value;

/// Adds one error per object (at `field.path`, of the field's parent type) that
/// the client selected an unresolvable field on. An unauthorized field is also
/// taken out of those objects: no fetch asked for it, but a subgraph that
/// answers more than it was asked, or a key or required field that shares its
/// response key, must not put its value in front of the client.
pub(crate) fn report(
    schema: &Schema,
    fields: &[UnresolvableField],
    data: &mut Value,
    variables: &Map<String, serde_json::Value>,
    errors: &mut Vec<GraphQLError>,
) {
    for field in fields {
        if !conditions_hold(&field.conditions, variables) {
            continue;
        }
        let mut paths = ObjectPaths::default();
        let objects = collect_objects(schema, data, &field.path, &mut paths);
        let mut reported = Vec::new();
        for (index, object) in objects.iter().enumerate() {
            let typename = object.get("__typename").and_then(Value::as_str);
            if typename.is_some_and(|t| !type_matches(schema, &field.parent_type, t)) {
                continue;
            }
            let mut path = owned_path(paths.get(index));
            path.push(PathSegment::Key(field.response_key.clone()));
            errors.push(error(field).with_path(path));
            reported.push(index);
        }
        if field.reason == UnresolvableReason::Unauthorized {
            for index in reported {
                if let Some(Value::Object(object)) = value_at_mut(data, paths.get(index)) {
                    object.remove(&field.response_key);
                }
            }
        }
    }
}

/// The error for one object's field: the message and code say why it has no value.
fn error(field: &UnresolvableField) -> GraphQLError {
    match field.reason {
        UnresolvableReason::NoSubgraph => GraphQLError::new(format!(
            "Cannot resolve field {}.{} here: no subgraph can resolve it at this path",
            field.parent_type, field.field_name
        ))
        .with_code("UNRESOLVABLE_FIELD"),
        UnresolvableReason::Unauthorized => GraphQLError::new(format!(
            "Not authorized to access {}.{}",
            field.parent_type, field.field_name
        ))
        .with_code("UNAUTHORIZED"),
    }
}
