//! What execution hands back: the client response and, when asked for, a trace of
//! every subgraph fetch.

use std::time::Duration;

use serde::Serialize;
use serde_json::Map;

use crate::error::{GraphQLError, RequestError};
use crate::value::Value;

/// The `data` of a response, as the shaper wrote it: JSON text, never a tree.
///
/// The text sits after the body's opening `{"data":` in the same buffer, so the
/// client body is this buffer with the rest appended ([`Response::into_json_bytes`]):
/// the response is never copied.
#[derive(Debug, Clone, PartialEq)]
pub struct ResponseData(Vec<u8>);

/// What precedes the data in its buffer.
pub(crate) const DATA_PREFIX: &[u8] = b"{\"data\":";

impl ResponseData {
    /// A buffer to write data into, starting with [`DATA_PREFIX`].
    pub(crate) fn buffer(capacity: usize) -> Vec<u8> {
        let mut buffer = Vec::with_capacity(capacity + DATA_PREFIX.len() + 2);
        buffer.extend_from_slice(DATA_PREFIX);
        buffer
    }

    /// `buffer` as [`ResponseData::buffer`] gave it, with the data written after.
    pub(crate) fn from_buffer(buffer: Vec<u8>) -> Self {
        debug_assert!(buffer.starts_with(DATA_PREFIX));
        ResponseData(buffer)
    }

    /// Writes `value` (a response built by hand, in tests for example).
    pub fn from_value(value: &Value) -> Self {
        let mut buffer = Self::buffer(0);
        crate::json_writer::write_value(&mut buffer, value);
        ResponseData(buffer)
    }

    /// The JSON text.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0[DATA_PREFIX.len()..]
    }

    /// The buffer: `{"data":` and the JSON text.
    pub(crate) fn into_buffer(self) -> Vec<u8> {
        self.0
    }

    /// The data parsed back into a value.
    pub fn to_value(&self) -> Value {
        // The shaper only writes valid JSON.
        serde_json::from_slice(self.as_bytes()).unwrap_or_default()
    }
}

impl Serialize for ResponseData {
    /// Through a parsed value, so any serializer gets a proper value; the router
    /// itself sends the buffer (`Response::into_json_bytes`).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

/// A GraphQL response. Serialises as `{"data": ..., "errors": [...]}`: `data` is absent
/// only for request errors (`None`), `null` when null propagation reached the root,
/// and `errors` is omitted when empty.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Response {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<ResponseData>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<GraphQLError>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extensions: Option<Map<String, serde_json::Value>>,
}

impl Response {
    /// The response to a request that failed before execution: errors, no `data`.
    pub fn from_request_error(error: &RequestError) -> Self {
        Response {
            data: None,
            errors: vec![error.to_graphql_error()],
            extensions: None,
        }
    }
}

/// The timing of one subgraph fetch, for waterfall views.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FetchTrace {
    pub subgraph: String,
    /// When the request was sent, relative to the start of execution.
    pub start: Duration,
    pub duration: Duration,
    /// Size of the response body (0 when the fetcher did not report it).
    pub response_bytes: usize,
    /// Errors the subgraph returned, or 1 when the fetch itself failed.
    pub error_count: usize,
    /// Number of entity representations sent (0 for a root fetch).
    pub representations: usize,
}

/// The result of [`crate::Executor::execute`].
#[derive(Debug, Clone, PartialEq)]
pub struct ExecutionOutcome {
    pub response: Response,
    /// One entry per subgraph request, in completion order; empty unless
    /// [`crate::ExecutionOptions::trace`] was set.
    pub traces: Vec<FetchTrace>,
}
