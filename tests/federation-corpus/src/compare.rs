//! How an actual response is held against an expected file.
//!
//! `data` must be exactly equal (an absent `data` differs from `data: null`): no
//! extra or missing field at any depth, lists item by item in order, `1.0` is not
//! `1`; only the order of an object's keys is not compared.
//! Error messages are free text and not compared: errors must be present on both
//! sides or on neither, every path the expected file gives must occur among the
//! actual errors' paths, and every actual path must be expected, unless the
//! expected file lists an error without `path`, which stands for "any errors"
//! (used where the specs leave the path open, e.g. a subgraph outage).

use std::collections::BTreeSet;

use serde_json::Value as Json;

/// Compares a response with the expected one; `Err` says how they differ.
pub fn compare_response(expected: &Json, actual: &Json) -> Result<(), String> {
    let mut problems = Vec::new();
    if expected.get("data") != actual.get("data") {
        problems.push(format!(
            "data differs:\n    expected: {}\n    actual:   {}",
            show(expected.get("data")),
            show(actual.get("data"))
        ));
    }
    let expected_errors = errors(expected);
    let actual_errors = errors(actual);
    match (expected_errors.is_empty(), actual_errors.is_empty()) {
        (true, false) => {
            problems.push(format!("unexpected errors: {}", show(actual.get("errors"))))
        }
        (false, true) => problems.push("expected errors, got none".to_owned()),
        (true, true) => {}
        (false, false) => {
            let wildcard = expected_errors.iter().any(|e| e.get("path").is_none());
            let expected_paths = paths(&expected_errors);
            let actual_paths = paths(&actual_errors);
            let missing: Vec<&String> = expected_paths.difference(&actual_paths).collect();
            if !missing.is_empty() {
                problems.push(format!(
                    "missing error paths {missing:?}; actual errors: {}",
                    show(actual.get("errors"))
                ));
            }
            let extra: Vec<&String> = actual_paths.difference(&expected_paths).collect();
            if !wildcard && !extra.is_empty() {
                problems.push(format!(
                    "unexpected error paths {extra:?}; actual errors: {}",
                    show(actual.get("errors"))
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n  "))
    }
}

fn errors(response: &Json) -> Vec<Json> {
    match response.get("errors") {
        Some(Json::Array(errors)) => errors.clone(),
        _ => Vec::new(),
    }
}

fn paths(errors: &[Json]) -> BTreeSet<String> {
    errors
        .iter()
        .filter_map(|error| error.get("path"))
        .map(Json::to_string)
        .collect()
}

fn show(value: Option<&Json>) -> String {
    value.map_or_else(|| "<absent>".to_owned(), Json::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn data_must_match_exactly() {
        let expected = json!({ "data": { "a": 1 } });
        assert!(compare_response(&expected, &json!({ "data": { "a": 1 } })).is_ok());
        assert!(compare_response(&expected, &json!({ "data": { "a": 2 } })).is_err());
        assert!(
            compare_response(
                &json!({ "errors": [{}] }),
                &json!({ "data": null, "errors": [{}] })
            )
            .is_err()
        );
    }

    #[test]
    fn data_has_no_extra_or_missing_fields_at_any_depth() {
        let expected = json!({ "data": { "a": { "b": [{ "c": 1, "d": null }] } } });
        let cases = [
            // an extra field, nested
            json!({ "data": { "a": { "b": [{ "c": 1, "d": null, "e": 2 }] } } }),
            // a missing field (absent is not null)
            json!({ "data": { "a": { "b": [{ "c": 1 }] } } }),
            // an extra top-level field
            json!({ "data": { "a": { "b": [{ "c": 1, "d": null }] }, "x": 0 } }),
            // an extra list item, and a reordered list
            json!({ "data": { "a": { "b": [{ "c": 1, "d": null }, { "c": 1, "d": null }] } } }),
            // 1.0 is not the Int 1, "1" is not 1
            json!({ "data": { "a": { "b": [{ "c": 1.0, "d": null }] } } }),
            json!({ "data": { "a": { "b": [{ "c": "1", "d": null }] } } }),
        ];
        for actual in cases {
            assert!(
                compare_response(&expected, &actual).is_err(),
                "accepted {actual}"
            );
        }
        let reordered_keys = json!({ "data": { "a": { "b": [{ "d": null, "c": 1 }] } } });
        assert!(compare_response(&expected, &reordered_keys).is_ok());
    }

    #[test]
    fn errors_compare_by_path_not_message() {
        let expected = json!({ "data": null, "errors": [{ "message": "x", "path": ["a", 0] }] });
        let same = json!({ "data": null, "errors": [{ "message": "other", "path": ["a", 0] }] });
        let other = json!({ "data": null, "errors": [{ "message": "x", "path": ["b"] }] });
        let none = json!({ "data": null });
        assert!(compare_response(&expected, &same).is_ok());
        assert!(compare_response(&expected, &other).is_err());
        assert!(compare_response(&expected, &none).is_err());
        assert!(compare_response(&none, &same).is_err());
    }

    #[test]
    fn pathless_expected_error_accepts_any_paths() {
        let expected = json!({ "data": null, "errors": [{ "message": "any" }] });
        let actual = json!({ "data": null, "errors": [{ "message": "down", "path": ["a"] }] });
        assert!(compare_response(&expected, &actual).is_ok());
    }
}
