//! The errors execution itself reports about fetches, and the bookkeeping that keeps
//! null propagation from piling a second error onto paths a fetch error explains.

use apollo_compiler::ast;
use serde_json::Value;
use switchyard_planner::plan::{FetchNode, FetchRewrite, PathElement, RewritePathElement};

use crate::error::{FetchError, GraphQLError, PathSegment};

/// The error for a fetch that produced no usable response. It names the subgraph,
/// never its address: a transport failure's detail (the URL, the host, the
/// resolver's or TLS library's words) goes to the log only.
pub(crate) fn fetch_failed(subgraph: &str, error: &FetchError) -> GraphQLError {
    if let FetchError::Transport(detail) = error {
        tracing::warn!(%subgraph, %detail, "subgraph request failed");
    }
    let mut graphql = GraphQLError::new(format!(
        "Subgraph '{subgraph}' request failed: {}",
        error.client_message()
    ))
    .with_code(error.code());
    with_service_name(&mut graphql, subgraph);
    if let FetchError::HttpStatus { status } = error {
        graphql
            .extensions
            .insert("http".to_owned(), serde_json::json!({ "status": status }));
    }
    graphql
}

/// The error for a response that is GraphQL but not what the fetch asked for (for
/// example `_entities` of the wrong length).
pub(crate) fn malformed_response(subgraph: &str, detail: &str) -> GraphQLError {
    let mut graphql = GraphQLError::new(format!(
        "Subgraph '{subgraph}' returned an invalid response: {detail}"
    ))
    .with_code("SUBREQUEST_MALFORMED_RESPONSE");
    with_service_name(&mut graphql, subgraph);
    graphql
}

/// Marks an error as coming from (or about) `subgraph`.
pub(crate) fn with_service_name(error: &mut GraphQLError, subgraph: &str) {
    error
        .extensions
        .insert("serviceName".to_owned(), Value::String(subgraph.to_owned()));
}

/// The concrete path where a fetch starts: the keys of its flatten path up to the
/// first list (`@`) or type condition.
pub(crate) fn fetch_position(flatten: &[PathElement]) -> Vec<PathSegment> {
    flatten
        .iter()
        .map_while(|element| match element {
            PathElement::Key(key) => Some(PathSegment::Key(key.clone())),
            PathElement::Flatten | PathElement::TypeCondition(_) => None,
        })
        .collect()
}

/// The client paths a root fetch was responsible for: its position followed by each
/// response key its operation selects at the root, with internal aliases renamed back
/// to the client's key by the fetch's output rewrites.
///
/// A failed root fetch reports one error at each of these paths. Apollo Router puts
/// a failed root fetch's error at the fetch position (`[]` at the root) and expands a
/// failed entity fetch's error once per affected entity; we expand both ways, so that
/// every error names a field of the client's response, as the GraphQL spec asks of
/// field errors.
pub(crate) fn root_fetch_paths(
    fetch: &FetchNode,
    position: &[PathSegment],
) -> Vec<Vec<PathSegment>> {
    root_response_keys(&fetch.operation)
        .into_iter()
        .map(|key| {
            let key = fetch
                .output_rewrites
                .iter()
                .find_map(|rewrite| match rewrite {
                    FetchRewrite::KeyRenamer {
                        path,
                        rename_key_to,
                    } if matches!(path.as_slice(), [RewritePathElement::Key(renamed)] if *renamed == key) => {
                        Some(rename_key_to.clone())
                    }
                    _ => None,
                })
                .unwrap_or(key);
            let mut path = position.to_vec();
            path.push(PathSegment::Key(key));
            path
        })
        .collect()
}

/// Pushes one copy of `error` at each of `paths` (or `error` itself, pathless, when
/// there are none).
pub(crate) fn push_at_each(
    errors: &mut Vec<GraphQLError>,
    error: GraphQLError,
    paths: &[Vec<PathSegment>],
) {
    match paths {
        [] => errors.push(error),
        [rest @ .., last] => {
            for path in rest {
                errors.push(GraphQLError {
                    path: path.clone(),
                    ..error.clone()
                });
            }
            errors.push(error.with_path(last.clone()));
        }
    }
}

/// The response keys a root fetch's operation selects at its root. Only computed
/// when a root fetch failed (the plan's operation strings are otherwise never
/// parsed per request).
fn root_response_keys(operation: &str) -> Vec<String> {
    let Ok(document) = ast::Document::parse(operation, "subgraph_operation.graphql") else {
        return Vec::new();
    };
    let mut keys = Vec::new();
    for definition in &document.definitions {
        if let ast::Definition::OperationDefinition(operation) = definition {
            collect_keys(&operation.selection_set, &mut keys);
            break;
        }
    }
    keys
}

fn collect_keys(selections: &[ast::Selection], keys: &mut Vec<String>) {
    for selection in selections {
        match selection {
            ast::Selection::Field(field) => {
                let key = field.alias.as_ref().unwrap_or(&field.name).to_string();
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            ast::Selection::InlineFragment(fragment) => collect_keys(&fragment.selection_set, keys),
            ast::Selection::FragmentSpread(_) => {}
        }
    }
}

/// Whether a null at `path` is already explained: by an error at that path, at an
/// ancestor, or below it (a null that propagated up), or by a failed fetch that
/// should have filled it.
pub(crate) fn is_covered(
    errors: &[GraphQLError],
    covered: &[Vec<PathSegment>],
    path: &[PathSegment],
) -> bool {
    let related = |other: &[PathSegment]| {
        !other.is_empty() && (path.starts_with(other) || other.starts_with(path))
    };
    errors.iter().any(|error| related(&error.path)) || covered.iter().any(|other| related(other))
}
