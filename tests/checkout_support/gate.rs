//! A gate in front of a service: a proxy that holds every request until the test
//! opens it, then forwards them as they are. The checkout's calls to inventory go
//! through one when a test must act while a saga waits at its reservation (subscribe
//! to an order that is `PENDING`, say).

use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::watch;

/// The gate's handle; closed when made.
#[derive(Clone)]
pub struct Gate {
    inner: Arc<Inner>,
    /// The gate's own `/graphql` URL, to give the caller instead of the service's.
    pub url: String,
}

struct Inner {
    target: String,
    open: watch::Sender<bool>,
    /// Bodies of the requests that arrived, in order.
    seen: Mutex<Vec<Value>>,
    arrived: watch::Sender<usize>,
    client: reqwest::Client,
}

impl Gate {
    /// A closed gate in front of the GraphQL endpoint `target`.
    pub async fn start(target: &str) -> Gate {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind gate");
        let url = format!("http://{}/graphql", listener.local_addr().expect("addr"));
        let inner = Arc::new(Inner {
            target: target.to_owned(),
            open: watch::channel(false).0,
            seen: Mutex::new(Vec::new()),
            arrived: watch::channel(0).0,
            client: reqwest::Client::new(),
        });
        let app = axum::Router::new()
            .route("/graphql", axum::routing::post(forward))
            .with_state(inner.clone());
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Gate { inner, url }
    }

    /// Lets every held request, and all later ones, through.
    pub fn open(&self) {
        self.inner.open.send_replace(true);
    }

    /// Waits (up to 20 s) until `count` requests arrived; their bodies.
    pub async fn arrived(&self, count: usize) -> Vec<Value> {
        let mut arrived = self.inner.arrived.subscribe();
        tokio::time::timeout(
            std::time::Duration::from_secs(20),
            arrived.wait_for(|n| *n >= count),
        )
        .await
        .expect("the requests reach the gate within 20 s")
        .expect("the gate lives");
        self.inner.seen.lock().unwrap().clone()
    }
}

async fn forward(State(gate): State<Arc<Inner>>, headers: HeaderMap, body: Bytes) -> Response {
    gate.seen
        .lock()
        .unwrap()
        .push(serde_json::from_slice(&body).unwrap_or(Value::Null));
    gate.arrived.send_modify(|n| *n += 1);
    let mut open = gate.open.subscribe();
    if open.wait_for(|open| *open).await.is_err() {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let mut request = gate.client.post(&gate.target).body(body);
    for name in [http_header("authorization"), http_header("content-type")] {
        if let Some(value) = headers.get(&name) {
            request = request.header(name, value);
        }
    }
    match request.send().await {
        Ok(answer) => {
            let status =
                StatusCode::from_u16(answer.status().as_u16()).unwrap_or(StatusCode::BAD_GATEWAY);
            let body = answer.bytes().await.unwrap_or_default();
            (status, [("content-type", "application/json")], body).into_response()
        }
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

fn http_header(name: &'static str) -> axum::http::HeaderName {
    axum::http::HeaderName::from_static(name)
}
