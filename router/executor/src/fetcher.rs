//! The seam between execution and transport: the executor decides what to ask which
//! subgraph; a [`SubgraphFetcher`] (implemented by the server over HTTP, by tests in
//! memory) decides how.

use std::borrow::Cow;
use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Map;
use switchyard_planner::plan::OperationKind;

use crate::error::{FetchError, GraphQLError};
use crate::value::Value;

/// One GraphQL request to a subgraph. Its body (`to_json_bytes`) is the standard
/// `{"query", "operationName", "variables"}`, the representations of an entity
/// fetch being the variable `representations` (of a batched entity fetch, one
/// variable per part: `representations0`, `representations1`, ...).
///
/// It borrows the pre-rendered operation from the plan, so building it copies no
/// query text; a fetcher that needs to own it (for example to dedupe in-flight
/// requests) copies what it keys on.
#[derive(Debug, Clone, PartialEq)]
pub struct SubgraphRequest<'a> {
    pub query: &'a str,
    pub operation_name: Option<&'a str>,
    pub variables: Variables,
    /// Not part of the body: lets the fetcher treat mutations differently (never
    /// deduplicate or retry them).
    pub operation_kind: OperationKind,
}

/// The variables of a subgraph request: the client's (only those the fetch uses)
/// and, for an entity fetch, the representations (each list under its variable
/// name, written after the client's), kept in the executor's own value type so
/// they are written without being converted.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Variables {
    pub forwarded: Map<String, serde_json::Value>,
    pub representations: Vec<(Cow<'static, str>, Value)>,
}

impl Variables {
    pub fn is_empty(&self) -> bool {
        self.forwarded.is_empty() && self.representations.is_empty()
    }
}

/// A subgraph's GraphQL response, parsed.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubgraphResponse {
    pub data: Option<Value>,
    pub errors: Vec<GraphQLError>,
    pub extensions: Option<Map<String, serde_json::Value>>,
    /// Size in bytes of the body this was parsed from (0 when built in memory); only
    /// used for fetch traces.
    pub body_size: usize,
}

impl SubgraphResponse {
    /// Parses a response body. Anything that is not a JSON object with `data` and/or
    /// `errors` is a [`FetchError::InvalidResponse`]; individual malformed error
    /// entries are kept leniently (see [`GraphQLError::from_subgraph_json`]).
    pub fn from_slice(body: &[u8]) -> Result<Self, FetchError> {
        let value: Value = serde_json::from_slice(body)
            .map_err(|error| FetchError::InvalidResponse(format!("body is not JSON: {error}")))?;
        let mut response = Self::from_value(value)?;
        response.body_size = body.len();
        Ok(response)
    }

    /// Reads an already parsed JSON response; see [`SubgraphResponse::from_slice`].
    pub fn from_json(value: serde_json::Value) -> Result<Self, FetchError> {
        Self::from_value(Value::from(value))
    }

    fn from_value(value: Value) -> Result<Self, FetchError> {
        let Value::Object(mut object) = value else {
            return Err(FetchError::InvalidResponse(
                "response is not a JSON object".to_owned(),
            ));
        };
        if !object.contains_key("data") && !object.contains_key("errors") {
            return Err(FetchError::InvalidResponse(
                "response has neither `data` nor `errors`".to_owned(),
            ));
        }
        let data = match object.remove("data") {
            None | Some(Value::Null) => None,
            Some(data @ Value::Object(_)) => Some(data),
            Some(_) => {
                return Err(FetchError::InvalidResponse(
                    "`data` is not an object".to_owned(),
                ));
            }
        };
        let errors = match object.remove("errors") {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(errors)) => errors
                .iter()
                .map(|error| GraphQLError::from_subgraph_json(error.to_json()))
                .collect(),
            Some(_) => {
                return Err(FetchError::InvalidResponse(
                    "`errors` is not a list".to_owned(),
                ));
            }
        };
        let extensions = match object.remove("extensions") {
            Some(extensions @ Value::Object(_)) => match extensions.to_json() {
                serde_json::Value::Object(extensions) => Some(extensions),
                _ => None,
            },
            _ => None,
        };
        Ok(SubgraphResponse {
            data,
            errors,
            extensions,
            body_size: 0,
        })
    }
}

/// A subgraph's answer as a fetch hands it over: owned, or shared with the other
/// client requests that asked the same at the same time (deduplicated). A
/// shared answer is merged from by reference: what lands in this request's
/// response is copied, the rest is not, and nothing is copied twice.
#[derive(Debug, Clone)]
pub enum Fetched {
    Owned(SubgraphResponse),
    Shared(Arc<SubgraphResponse>),
}

impl Fetched {
    /// The answer, taken without a copy when nobody else holds it.
    pub fn into_owned(self) -> SubgraphResponse {
        match self {
            Fetched::Owned(response) => response,
            Fetched::Shared(response) => Arc::unwrap_or_clone(response),
        }
    }
}

impl std::ops::Deref for Fetched {
    type Target = SubgraphResponse;

    fn deref(&self) -> &SubgraphResponse {
        match self {
            Fetched::Owned(response) => response,
            Fetched::Shared(response) => response,
        }
    }
}

impl From<SubgraphResponse> for Fetched {
    fn from(response: SubgraphResponse) -> Self {
        Fetched::Owned(response)
    }
}

/// Sends subgraph requests. Implementations own transport concerns: connection
/// pooling, timeouts, deduplication of identical in-flight requests, headers.
///
/// The returned future must be `Send` so that execution can run on a multi-threaded
/// runtime; the executor never spawns, it only polls these futures concurrently.
pub trait SubgraphFetcher: Send + Sync {
    /// Sends `request` to the subgraph named `subgraph` (its `@join__graph(name:)`).
    fn fetch<'a>(
        &'a self,
        subgraph: &'a str,
        request: SubgraphRequest<'a>,
    ) -> BoxFuture<'a, Result<SubgraphResponse, FetchError>>;

    /// As [`SubgraphFetcher::fetch`], for a fetcher that may hand the same
    /// answer to several requests: what the executor calls. By default, the
    /// answer `fetch` gives, owned.
    fn fetch_shared<'a>(
        &'a self,
        subgraph: &'a str,
        request: SubgraphRequest<'a>,
    ) -> BoxFuture<'a, Result<Fetched, FetchError>> {
        Box::pin(async move { self.fetch(subgraph, request).await.map(Fetched::Owned) })
    }
}
