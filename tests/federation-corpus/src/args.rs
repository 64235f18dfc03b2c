//! Canonical printing of a field's arguments, so data files can hold a value per
//! argument combination: `"product(id: \"1\")"` is the key for
//! `product(id: "1")`, `product(id: $id)` with `{"id": "1"}`, or
//! `product(id: "1")` written with any whitespace.
//!
//! Values are printed after coercion to JSON: variables are substituted, enum
//! values print as strings, input object fields are sorted by name, and arguments
//! are sorted by name. Arguments given a variable the request does not define are
//! left out (the spec treats them as not provided).

use apollo_compiler::ast::{self, Value};
use serde_json::{Map, Value as Json};

/// Converts a GraphQL literal to JSON, substituting variables. `None` means the
/// value is a variable that was not provided.
pub fn value_to_json(value: &Value, variables: &Map<String, Json>) -> Option<Json> {
    Some(match value {
        Value::Null => Json::Null,
        Value::Enum(name) => Json::String(name.to_string()),
        Value::Variable(name) => return variables.get(name.as_str()).cloned(),
        Value::String(text) => Json::String(text.clone()),
        Value::Float(float) => float
            .try_to_f64()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map(Json::Number)
            .unwrap_or(Json::Null),
        Value::Int(int) => int
            .as_str()
            .parse::<i64>()
            .map(|n| Json::Number(n.into()))
            .unwrap_or(Json::Null),
        Value::Boolean(flag) => Json::Bool(*flag),
        Value::List(items) => Json::Array(
            items
                .iter()
                .map(|item| value_to_json(item, variables).unwrap_or(Json::Null))
                .collect(),
        ),
        Value::Object(fields) => Json::Object(
            fields
                .iter()
                .filter_map(|(name, item)| {
                    value_to_json(item, variables).map(|json| (name.to_string(), json))
                })
                .collect(),
        ),
    })
}

/// The arguments of a field as JSON, in the order written, unprovided ones dropped.
pub fn arguments_to_json(
    arguments: &[apollo_compiler::Node<ast::Argument>],
    variables: &Map<String, Json>,
) -> Vec<(String, Json)> {
    arguments
        .iter()
        .filter_map(|argument| {
            value_to_json(&argument.value, variables).map(|json| (argument.name.to_string(), json))
        })
        .collect()
}

/// The data key of a field called with these arguments: `name(a: 1, b: "x")`,
/// or just `name` when no argument is provided.
pub fn canonical_key(name: &str, arguments: &[(String, Json)]) -> String {
    if arguments.is_empty() {
        return name.to_owned();
    }
    let mut sorted: Vec<&(String, Json)> = arguments.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let printed: Vec<String> = sorted
        .iter()
        .map(|(arg, value)| format!("{arg}: {}", print_json(value)))
        .collect();
    format!("{name}({})", printed.join(", "))
}

/// Prints JSON in the canonical argument form: GraphQL-like object syntax with
/// unquoted, sorted keys; strings quoted as JSON.
pub fn print_json(value: &Json) -> String {
    match value {
        Json::Array(items) => {
            let printed: Vec<String> = items.iter().map(print_json).collect();
            format!("[{}]", printed.join(", "))
        }
        Json::Object(fields) => {
            let mut keys: Vec<&String> = fields.keys().collect();
            keys.sort();
            let printed: Vec<String> = keys
                .iter()
                .map(|key| format!("{key}: {}", print_json(&fields[key.as_str()])))
                .collect();
            format!("{{{}}}", printed.join(", "))
        }
        other => other.to_string(),
    }
}
