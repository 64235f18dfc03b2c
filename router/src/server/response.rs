//! Building HTTP responses that carry GraphQL bodies.
//!
//! Every answer of `/graphql`, including the refusals that happen before any
//! GraphQL processing (oversize body, CSRF, malformed JSON), is a GraphQL response
//! object (`{"errors": [...]}`), so clients need one code path to read errors.

use axum::body::Body;
use axum::response::Response;
use http::{HeaderValue, StatusCode, header};
use serde_json::{Map, Value};
use switchyard_executor::{GraphQLError, Response as GraphQLResponse};

use super::negotiation::ResponseFormat;

/// A response with a serialised GraphQL body.
pub fn graphql_body(status: StatusCode, format: ResponseFormat, body: GraphQLResponse) -> Response {
    bytes_response(status, format, body.into_json_bytes())
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
