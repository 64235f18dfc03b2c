//! Error types: the GraphQL error objects that end up in responses, the failures a
//! [`SubgraphFetcher`](crate::SubgraphFetcher) reports, and request errors that stop
//! execution before it starts.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// One segment of a response path: an object key or a list index.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum PathSegment {
    Key(String),
    Index(usize),
}

impl fmt::Display for PathSegment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathSegment::Key(key) => f.write_str(key),
            PathSegment::Index(index) => write!(f, "{index}"),
        }
    }
}

/// A line/column position in the client's document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

/// A GraphQL error as it appears in a response (`errors[]`).
///
/// An empty `path` / `locations` / `extensions` is omitted when serialised, as the
/// spec asks for errors that are not tied to a field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GraphQLError {
    pub message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locations: Vec<Location>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub path: Vec<PathSegment>,
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub extensions: Map<String, Value>,
}

impl GraphQLError {
    pub fn new(message: impl Into<String>) -> Self {
        GraphQLError {
            message: message.into(),
            locations: Vec::new(),
            path: Vec::new(),
            extensions: Map::new(),
        }
    }

    #[must_use]
    pub fn with_path(mut self, path: Vec<PathSegment>) -> Self {
        self.path = path;
        self
    }

    #[must_use]
    pub fn with_code(mut self, code: &str) -> Self {
        self.extensions
            .insert("code".to_owned(), Value::String(code.to_owned()));
        self
    }

    /// Reads an error object a subgraph sent. Subgraphs are not trusted to follow the
    /// spec, so every member is optional and malformed members are dropped rather than
    /// failing the whole response.
    pub fn from_subgraph_json(value: Value) -> Self {
        let Value::Object(mut object) = value else {
            return GraphQLError::new(match value {
                Value::String(message) => message,
                other => format!("Malformed subgraph error: {other}"),
            });
        };
        let message = match object.remove("message") {
            Some(Value::String(message)) => message,
            _ => "Subgraph error without a message".to_owned(),
        };
        let locations = match object.remove("locations") {
            Some(value) => serde_json::from_value(value).unwrap_or_default(),
            None => Vec::new(),
        };
        let path = match object.remove("path") {
            Some(value) => serde_json::from_value(value).unwrap_or_default(),
            None => Vec::new(),
        };
        let extensions = match object.remove("extensions") {
            Some(Value::Object(extensions)) => extensions,
            _ => Map::new(),
        };
        GraphQLError {
            message,
            locations,
            path,
            extensions,
        }
    }
}

/// Why a subgraph request produced no usable GraphQL response.
///
/// The server's fetcher maps its HTTP client's failures onto these; the executor turns
/// each into one client-facing error naming the subgraph, with
/// [`FetchError::code`] as `extensions.code`.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FetchError {
    /// Connection refused, reset, DNS failure, TLS failure...
    #[error("transport error: {0}")]
    Transport(String),
    #[error("timed out after {0:?}")]
    Timeout(Duration),
    /// A non-2xx HTTP status.
    #[error("HTTP status {status}")]
    HttpStatus { status: u16 },
    /// A body that is not JSON, or JSON that is not a GraphQL response.
    #[error("invalid response: {0}")]
    InvalidResponse(String),
}

impl FetchError {
    /// The failure as a client may read it: a transport failure's detail names
    /// the subgraph's URL and address (and the resolver's or TLS library's
    /// words), so the client reads only that it was one.
    pub fn client_message(&self) -> String {
        match self {
            FetchError::Transport(_) => "transport error".to_owned(),
            other => other.to_string(),
        }
    }

    /// The `extensions.code` of the error reported to the client.
    pub fn code(&self) -> &'static str {
        match self {
            FetchError::Transport(_) | FetchError::HttpStatus { .. } => "SUBREQUEST_HTTP_ERROR",
            FetchError::Timeout(_) => "SUBREQUEST_TIMEOUT",
            FetchError::InvalidResponse(_) => "SUBREQUEST_MALFORMED_RESPONSE",
        }
    }
}

/// A request error: the request as a whole is faulty, execution does not start, and
/// the response has no `data` key (the server answers it with a 4xx status).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RequestError {
    /// `operationName` names no operation, or is missing with several operations.
    #[error("{}", .0.message)]
    UnknownOperation(Box<GraphQLError>),
    /// A variable is missing or has the wrong type.
    #[error("{}", .0.message)]
    InvalidVariables(Box<GraphQLError>),
    /// Introspection nested deeper than allowed.
    #[error("{}", .0.message)]
    TooDeep(Box<GraphQLError>),
}

impl RequestError {
    /// The error as it goes into the response's `errors`.
    pub fn to_graphql_error(&self) -> GraphQLError {
        match self {
            RequestError::UnknownOperation(error)
            | RequestError::InvalidVariables(error)
            | RequestError::TooDeep(error) => (**error).clone(),
        }
    }
}
