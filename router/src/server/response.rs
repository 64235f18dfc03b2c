//! Building HTTP responses that carry GraphQL bodies.
//!
//! Every answer of `/graphql`, including the refusals that happen before any
//! GraphQL processing (oversize body, CSRF, malformed JSON), is a GraphQL response
//! object (`{"errors": [...]}`), so clients need one code path to read errors.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::{Map, Value};
use switchyard_executor::{GraphQLError, Response as GraphQLResponse};

use super::negotiation::ResponseFormat;

/// Size of the last GraphQL body written, as the starting capacity of the next:
/// a busy router answers the same few operations, and a right-sized buffer saves
/// the copies of growing one (an 87 KB body grows through a dozen sizes).
static LAST_BODY_SIZE: AtomicUsize = AtomicUsize::new(1024);

/// Bound on that starting capacity, so one huge answer does not make every later
/// small one reserve as much.
const MAX_BODY_CAPACITY: usize = 256 * 1024;

/// A response with a serialised GraphQL body.
pub fn graphql_body(
    status: StatusCode,
    format: ResponseFormat,
    body: &GraphQLResponse,
) -> Response {
    let capacity = LAST_BODY_SIZE
        .load(Ordering::Relaxed)
        .min(MAX_BODY_CAPACITY);
    let bytes = body.to_json_bytes(capacity);
    LAST_BODY_SIZE.store(bytes.len() + bytes.len() / 8, Ordering::Relaxed);
    bytes_response(status, format, bytes)
}

/// A response whose body is `{"errors": [...]}` (no `data`: a request error).
pub fn errors(status: StatusCode, format: ResponseFormat, errors: &[GraphQLError]) -> Response {
    bytes_response(status, format, errors_body(errors))
}

/// One error with a code, the usual shape of a refusal.
pub fn error(status: StatusCode, format: ResponseFormat, message: &str, code: &str) -> Response {
    errors(
        status,
        format,
        &[GraphQLError::new(message).with_code(code)],
    )
}

fn errors_body(errors: &[GraphQLError]) -> Vec<u8> {
    let mut object = Map::new();
    object.insert(
        "errors".to_owned(),
        serde_json::to_value(errors).unwrap_or(Value::Array(Vec::new())),
    );
    serde_json::to_vec(&object).unwrap_or_else(|_| br#"{"errors":[]}"#.to_vec())
}

fn bytes_response(status: StatusCode, format: ResponseFormat, bytes: Vec<u8>) -> Response {
    let mut response = Response::new(Body::from(bytes));
    *response.status_mut() = status;
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    response
}

/// The status of a response to a well-formed request that failed GraphQL
/// processing (parse, validation, variables): 400 in the modern media type, 200 in
/// legacy `application/json`, as the GraphQL-over-HTTP spec asks.
pub fn request_error_status(format: ResponseFormat) -> StatusCode {
    match format {
        ResponseFormat::GraphQLResponseJson => StatusCode::BAD_REQUEST,
        ResponseFormat::Json => StatusCode::OK,
    }
}
