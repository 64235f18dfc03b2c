//! A mock subgraph over HTTP: `POST /graphql` on an ephemeral 127.0.0.1 port,
//! executing operations against JSON data and recording each request body, so
//! tests can snapshot exactly what the router sent.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use serde::Serialize;
use serde_json::{Map, Value as Json, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::data::{FailMode, SubgraphData};
use crate::error::CorpusError;
use crate::execute::{GraphQLRequest, execute};
use crate::schema_info::SchemaInfo;

/// Default delay of a `slow` subgraph: longer than any sane test timeout.
const DEFAULT_SLOW_DELAY: Duration = Duration::from_secs(10);

/// One request body as the subgraph received it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RecordedRequest {
    pub query: Option<String>,
    #[serde(rename = "operationName", skip_serializing_if = "Option::is_none")]
    pub operation_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub variables: Option<Json>,
}

struct Shared {
    schema: SchemaInfo,
    data: SubgraphData,
    recorded: Mutex<Vec<RecordedRequest>>,
}

/// A running mock subgraph; it stops when dropped.
pub struct MockSubgraph {
    name: String,
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: Option<JoinHandle<()>>,
}

impl MockSubgraph {
    /// Starts a mock subgraph serving `data` with the schema `sdl`. A subgraph
    /// whose data says `"fail": "down"` gets a port nothing listens on.
    pub async fn start(name: &str, sdl: &str, data: SubgraphData) -> Result<Self, CorpusError> {
        let bind_error = |source| CorpusError::Bind {
            name: name.to_owned(),
            source,
        };
        let listener = TcpListener::bind("127.0.0.1:0").await.map_err(bind_error)?;
        let addr = listener.local_addr().map_err(bind_error)?;
        let down = data.behaviour.fail == Some(FailMode::Down);
        let shared = Arc::new(Shared {
            schema: SchemaInfo::parse(sdl),
            data,
            recorded: Mutex::new(Vec::new()),
        });
        let task = if down {
            drop(listener);
            None
        } else {
            let app = Router::new()
                .route("/graphql", post(handle))
                .route("/", post(handle))
                .with_state(shared.clone());
            Some(tokio::spawn(async move {
                // A serve error only ends this mock; the test sees the failure as
                // connection errors at the router.
                let _ = axum::serve(listener, app).await;
            }))
        };
        Ok(Self {
            name: name.to_owned(),
            addr,
            shared,
            task,
        })
    }

    /// The subgraph's name in the case.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The URL the router must call.
    pub fn url(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }

    /// The listening address (closed for a `down` subgraph).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request received so far, in arrival order.
    pub fn recorded(&self) -> Vec<RecordedRequest> {
        self.shared
            .recorded
            .lock()
            .map(|recorded| recorded.clone())
            .unwrap_or_default()
    }

    /// Forgets the recorded requests (between operations of one case).
    pub fn clear_recorded(&self) {
        if let Ok(mut recorded) = self.shared.recorded.lock() {
            recorded.clear();
        }
    }
}

impl Drop for MockSubgraph {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

async fn handle(State(shared): State<Arc<Shared>>, body: Bytes) -> Response {
    let parsed: Result<Json, _> = serde_json::from_slice(&body);
    let Ok(Json::Object(body)) = parsed else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "errors": [{ "message": "request body is not a JSON object" }] })),
        )
            .into_response();
    };
    let query = body.get("query").and_then(Json::as_str).map(str::to_owned);
    let operation_name = body
        .get("operationName")
        .and_then(Json::as_str)
        .map(str::to_owned);
    let variables = body.get("variables").filter(|v| !v.is_null()).cloned();
    if let Ok(mut recorded) = shared.recorded.lock() {
        recorded.push(RecordedRequest {
            query: query.clone(),
            operation_name: operation_name.clone(),
            variables: variables.clone(),
        });
    }
    match shared.data.behaviour.fail {
        Some(FailMode::Http500) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, "internal server error").into_response();
        }
        Some(FailMode::InvalidJson) => {
            return (
                StatusCode::OK,
                [("content-type", "application/json")],
                "{\"data\": this is not json",
            )
                .into_response();
        }
        Some(FailMode::Slow) => {
            let delay = shared
                .data
                .behaviour
                .delay_ms
                .map(Duration::from_millis)
                .unwrap_or(DEFAULT_SLOW_DELAY);
            tokio::time::sleep(delay).await;
        }
        Some(FailMode::Down) | None => {}
    }
    let Some(query) = query else {
        return (
            StatusCode::BAD_REQUEST,
            axum::Json(json!({ "errors": [{ "message": "missing query" }] })),
        )
            .into_response();
    };
    let variables = match variables {
        Some(Json::Object(map)) => map,
        _ => Map::new(),
    };
    let request = GraphQLRequest {
        query,
        operation_name,
        variables,
    };
    axum::Json(execute(&shared.schema, &shared.data, &request)).into_response()
}
