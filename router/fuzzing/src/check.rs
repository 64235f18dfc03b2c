//! What every client response must satisfy, whatever the subgraphs answered.

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Selection, SelectionSet};
use apollo_compiler::schema::Type;
use serde_json::Value;

/// Problems with a response body's GraphQL shape: a JSON object with only
/// `data`, `errors` and `extensions`, at least one of `data`/`errors`, `data` an
/// object or null, `errors` a non-empty list of objects with a string `message`,
/// a `path` of keys and indices and `locations` of lines and columns.
pub fn shape_problems(response: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(object) = response.as_object() else {
        return vec![format!("not a JSON object: {response}")];
    };
    for key in object.keys() {
        if !matches!(key.as_str(), "data" | "errors" | "extensions") {
            problems.push(format!("unexpected top-level key `{key}`"));
        }
    }
    if !object.contains_key("data") && !object.contains_key("errors") {
        problems.push("neither `data` nor `errors`".to_owned());
    }
    if let Some(data) = object.get("data")
        && !(data.is_null() || data.is_object())
    {
        problems.push(format!("`data` is neither an object nor null: {data}"));
    }
    if let Some(errors) = object.get("errors") {
        match errors.as_array() {
            None => problems.push(format!("`errors` is not a list: {errors}")),
            Some(list) if list.is_empty() => problems.push("`errors` is empty".to_owned()),
            Some(list) => {
                for error in list {
                    problems.extend(error_problems(error));
                }
            }
        }
    }
    if let Some(extensions) = object.get("extensions")
        && !extensions.is_object()
    {
        problems.push(format!("`extensions` is not an object: {extensions}"));
    }
    problems
}

fn error_problems(error: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let Some(object) = error.as_object() else {
        return vec![format!("an error is not an object: {error}")];
    };
    if !object.get("message").is_some_and(Value::is_string) {
        problems.push(format!("an error has no string `message`: {error}"));
    }
    if let Some(path) = object.get("path") {
        let fine = path
            .as_array()
            .is_some_and(|segments| segments.iter().all(|s| s.is_string() || s.is_u64()));
        if !fine {
            problems.push(format!(
                "an error's `path` is not keys and indices: {error}"
            ));
        }
    }
    if let Some(locations) = object.get("locations") {
        let fine = locations.as_array().is_some_and(|list| {
            list.iter().all(|l| {
                l.get("line").is_some_and(Value::is_u64)
                    && l.get("column").is_some_and(Value::is_u64)
            })
        });
        if !fine {
            problems.push(format!("an error's `locations` are malformed: {error}"));
        }
    }
    if let Some(extensions) = object.get("extensions")
        && !extensions.is_object()
    {
        problems.push(format!("an error's `extensions` is not an object: {error}"));
    }
    problems
}

/// Problems with `data` against the operation it answers: no non-null field (or
/// list item) is null, lists are lists, objects are objects, and built-in scalars
/// have their type. Fields absent from an object are not problems here (fragments
/// on other types and skipped fields are absent).
pub fn data_problems(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    data: &Value,
) -> Vec<String> {
    let mut problems = Vec::new();
    let Ok(operation) = document.operations.get(operation_name) else {
        return problems;
    };
    if let Value::Object(_) = data {
        selection_set(document, &operation.selection_set, data, "", &mut problems);
    }
    problems
}

fn selection_set(
    document: &ExecutableDocument,
    selections: &SelectionSet,
    object: &Value,
    path: &str,
    problems: &mut Vec<String>,
) {
    for selection in &selections.selections {
        match selection {
            Selection::Field(field) => {
                let key = field.response_key().as_str();
                if let Some(value) = object.get(key) {
                    let path = format!("{path}.{key}");
                    check_value(
                        document,
                        field.ty(),
                        &field.selection_set,
                        value,
                        &path,
                        problems,
                    );
                }
            }
            Selection::InlineFragment(fragment) => {
                selection_set(document, &fragment.selection_set, object, path, problems);
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.fragment_name) {
                    selection_set(document, &fragment.selection_set, object, path, problems);
                }
            }
        }
    }
}

fn check_value(
    document: &ExecutableDocument,
    ty: &Type,
    selections: &SelectionSet,
    value: &Value,
    path: &str,
    problems: &mut Vec<String>,
) {
    if value.is_null() {
        if ty.is_non_null() {
            problems.push(format!("`{path}` is null but its type `{ty}` is non-null"));
        }
        return;
    }
    if ty.is_list() {
        match value.as_array() {
            Some(items) => {
                for (index, item) in items.iter().enumerate() {
                    let path = format!("{path}.{index}");
                    check_value(document, ty.item_type(), selections, item, &path, problems);
                }
            }
            None => problems.push(format!("`{path}` of type `{ty}` is not a list: {value}")),
        }
        return;
    }
    if !selections.selections.is_empty() {
        if value.is_object() {
            selection_set(document, selections, value, path, problems);
        } else {
            problems.push(format!("`{path}` of type `{ty}` is not an object: {value}"));
        }
        return;
    }
    let fine = match ty.inner_named_type().as_str() {
        "Int" => value.as_i64().is_some_and(|int| i32::try_from(int).is_ok()),
        "Float" => value.is_number(),
        "String" => value.is_string(),
        // Integer IDs pass through as the subgraph sent them (as Apollo Router does).
        "ID" => value.is_string() || value.is_i64() || value.is_u64(),
        "Boolean" => value.is_boolean(),
        _ => true,
    };
    if !fine {
        problems.push(format!("`{path}` of type `{ty}` has the value {value}"));
    }
}

#[cfg(test)]
mod tests {
    use apollo_compiler::{ExecutableDocument, Schema};
    use serde_json::json;

    use super::*;

    #[test]
    fn nulls_in_non_null_positions_and_malformed_errors_are_reported() {
        let schema = Schema::parse_and_validate(
            "type Query { a: A! b: [Int!] } type A { id: ID! n: Int }",
            "s.graphql",
        )
        .unwrap();
        let document =
            ExecutableDocument::parse_and_validate(&schema, "{ a { x: id n } b }", "q.graphql")
                .unwrap();
        let fine = json!({"a": {"x": 1, "n": null}, "b": [1]});
        assert!(data_problems(&document, None, &fine).is_empty());
        let bad = json!({"a": {"x": null, "n": "1"}, "b": [null]});
        assert_eq!(data_problems(&document, None, &bad).len(), 3);
        assert!(shape_problems(&json!({"data": null, "errors": [{"message": "m"}]})).is_empty());
        assert_eq!(
            shape_problems(&json!({"errors": [{"path": [-1]}], "x": 1})).len(),
            3
        );
    }
}
