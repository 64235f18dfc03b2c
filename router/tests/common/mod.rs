//! Test harness: mock subgraphs (tiny axum servers on ephemeral ports that answer
//! through a handler and record every request they receive) and an in-process
//! router serving a supergraph fixture.

#![allow(dead_code)] // each test binary uses a different part of the harness

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Value, json};
use switchyard::Router;
use switchyard::config::RouterConfig;
use tokio::sync::oneshot;

pub mod binary;
pub mod jwt;
pub mod streaming;
pub mod ws;

pub const SUPERGRAPH: &str = include_str!("../fixtures/supergraph.graphql");

/// What a mock subgraph answers.
#[derive(Debug, Clone)]
pub enum Reply {
    /// HTTP 200 with this JSON body.
    Json(Value),
    /// Any status, content type and body (garbage included).
    Raw {
        status: u16,
        content_type: &'static str,
        body: String,
    },
    /// The reply, after a delay.
    Delayed(Duration, Box<Reply>),
    /// The reply, with these response headers added.
    WithHeaders(&'static [(&'static str, &'static str)], Box<Reply>),
}

/// One request a mock subgraph received.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Recorded {
    /// The headers that matter to these tests (others, like `host`, vary per run).
    pub headers: BTreeMap<String, String>,
    pub body: Value,
    /// `X-Forwarded-For`, kept out of snapshots (it names the test's address).
    #[serde(skip)]
    pub forwarded_for: Option<String>,
    /// Every header, in arrival order (kept out of snapshots).
    #[serde(skip)]
    pub all_headers: Vec<(String, String)>,
}

type Handler = Arc<dyn Fn(&Value) -> Reply + Send + Sync>;

#[derive(Clone)]
struct MockState {
    handler: Handler,
    requests: Arc<Mutex<Vec<Recorded>>>,
}

/// A running mock subgraph; stops when dropped.
pub struct MockSubgraph {
    pub url: String,
    requests: Arc<Mutex<Vec<Recorded>>>,
    _stop: oneshot::Sender<()>,
}

impl MockSubgraph {
    pub async fn start(handler: impl Fn(&Value) -> Reply + Send + Sync + 'static) -> Self {
        let requests = Arc::new(Mutex::new(Vec::new()));
        let state = MockState {
            handler: Arc::new(handler),
            requests: requests.clone(),
        };
        let app = axum::Router::new()
            .route("/graphql", axum::routing::post(answer))
            .with_state(state);
        let (base, stop) = serve_app(app).await;
        MockSubgraph {
            url: format!("{base}/graphql"),
            requests,
            _stop: stop,
        }
    }

    /// A mock that always answers the same JSON.
    pub async fn constant(body: Value) -> Self {
        Self::start(move |_| Reply::Json(body.clone())).await
    }

    /// Every request received so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.requests.lock().unwrap().clone()
    }
}

async fn answer(State(state): State<MockState>, headers: HeaderMap, body: Bytes) -> Response {
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let mut recorded_headers = BTreeMap::new();
    for name in ["accept", "authorization", "content-type", "x-custom"] {
        if let Some(value) = headers.get(name) {
            recorded_headers.insert(name.to_owned(), value.to_str().unwrap_or("").to_owned());
        }
    }
    state.requests.lock().unwrap().push(Recorded {
        headers: recorded_headers,
        body: body.clone(),
        forwarded_for: headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned),
        all_headers: headers
            .iter()
            .map(|(name, value)| (name.to_string(), value.to_str().unwrap_or("").to_owned()))
            .collect(),
    });
    let mut reply = (state.handler)(&body);
    let mut extra_headers = Vec::new();
    let mut response = loop {
        match reply {
            Reply::Delayed(delay, inner) => {
                tokio::time::sleep(delay).await;
                reply = *inner;
            }
            Reply::WithHeaders(headers, inner) => {
                extra_headers.extend_from_slice(headers);
                reply = *inner;
            }
            Reply::Json(value) => break axum::Json(value).into_response(),
            Reply::Raw {
                status,
                content_type,
                body,
            } => {
                break (
                    StatusCode::from_u16(status).unwrap(),
                    [(header::CONTENT_TYPE, content_type)],
                    body,
                )
                    .into_response();
            }
        }
    };
    for (name, value) in extra_headers {
        response.headers_mut().append(
            header::HeaderName::from_static(name),
            header::HeaderValue::from_static(value),
        );
    }
    response
}

/// Serves `app` on an ephemeral port of 127.0.0.1 until the returned sender is
/// dropped; returns its base URL (`http://127.0.0.1:PORT`).
pub async fn serve_app(app: axum::Router) -> (String, oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await;
    });
    (base, stop)
}

/// A URL on which nothing listens (connection refused).
pub async fn closed_url() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{address}/graphql")
}

/// A config pointing the fixture's subgraphs at the given URLs; the ones not
/// given point at a closed port.
pub async fn config_with(urls: &[(&str, &str)]) -> RouterConfig {
    let mut config = RouterConfig::default();
    for name in ["accounts", "products", "reviews"] {
        let url = match urls.iter().find(|(n, _)| *n == name) {
            Some((_, url)) => (*url).to_owned(),
            None => closed_url().await,
        };
        config.override_subgraph_urls.insert(name.to_owned(), url);
    }
    config
}

/// A router serving the fixture supergraph in-process; stops when dropped.
pub struct TestRouter {
    pub base: String,
    pub http: reqwest::Client,
    pub router: Router,
    _stop: oneshot::Sender<()>,
}

impl TestRouter {
    pub async fn start(config: RouterConfig) -> Self {
        Self::start_with_sdl(SUPERGRAPH, config).await
    }

    pub async fn start_with_sdl(sdl: &str, config: RouterConfig) -> Self {
        let router = Router::from_supergraph_sdl(sdl, config).expect("router starts");
        Self::from_router(router).await
    }

    pub async fn from_router(router: Router) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = router.clone();
        tokio::spawn(async move {
            let _ = serving
                .serve(listener, async {
                    let _ = stopped.await;
                })
                .await;
        });
        TestRouter {
            base,
            http: reqwest::Client::new(),
            router,
            _stop: stop,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// POSTs a JSON GraphQL request with `content-type: application/json`.
    pub async fn post(&self, body: Value) -> Answer {
        self.post_with(body, &[]).await
    }

    pub async fn post_with(&self, body: Value, headers: &[(&str, &str)]) -> Answer {
        let mut request = self
            .http
            .post(self.url("/graphql"))
            .header("content-type", "application/json")
            .body(body.to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Answer::read(request.send().await.unwrap()).await
    }

    /// POSTs raw bytes with the given headers (no content type unless given).
    pub async fn post_raw(
        &self,
        body: impl Into<reqwest::Body>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut request = self.http.post(self.url("/graphql")).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Answer::read(request.send().await.unwrap()).await
    }

    pub async fn get(&self, path_and_query: &str, headers: &[(&str, &str)]) -> Answer {
        let mut request = self.http.get(self.url(path_and_query));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        Answer::read(request.send().await.unwrap()).await
    }
}

/// A response as the tests look at it.
#[derive(Debug, Clone, Serialize)]
pub struct Answer {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: Value,
    #[serde(skip)]
    pub headers: reqwest::header::HeaderMap,
}

impl Answer {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let content_type = headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_owned());
        let text = response.text().await.unwrap();
        let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
        Answer {
            status,
            content_type,
            body,
            headers,
        }
    }
}

fn representations(body: &Value) -> Vec<Value> {
    body.pointer("/variables/representations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn query_text(body: &Value) -> &str {
    body.get("query").and_then(Value::as_str).unwrap_or("")
}

fn product(upc: &str) -> Option<Value> {
    let (name, price) = match upc {
        "1" => ("Table", 899),
        "2" => ("Couch", 1299),
        "3" => ("Chair", 54),
        _ => return None,
    };
    Some(json!({"__typename": "Product", "upc": upc, "name": name, "price": price}))
}

fn user(id: &str) -> Option<Value> {
    let (name, username) = match id {
        "1" => ("Ada Lovelace", "@ada"),
        "2" => ("Alan Turing", "@complete"),
        _ => return None,
    };
    Some(json!({"__typename": "User", "id": id, "name": name, "username": username}))
}

/// (review id, product upc, author id, body).
const REVIEWS: [(&str, &str, &str, &str); 4] = [
    ("1", "1", "1", "Love it!"),
    ("2", "1", "2", "Too expensive."),
    ("3", "2", "2", "Could be better."),
    ("4", "2", "1", "Prefer something else."),
];

fn reviews_where(keep: impl Fn(&(&str, &str, &str, &str)) -> bool) -> Value {
    Value::Array(
        REVIEWS
            .iter()
            .filter(|r| keep(r))
            .map(|(id, product, author, body)| review(id, product, author, body))
            .collect(),
    )
}

fn review(id: &str, product: &str, author: &str, body: &str) -> Value {
    json!({
        "__typename": "Review", "id": id, "body": body,
        "author": {"__typename": "User", "id": author},
        "product": {"__typename": "Product", "upc": product}
    })
}

/// The `accounts` subgraph: `me`, `user(id:)`, and `User` entities.
pub fn accounts(body: &Value) -> Reply {
    let query = query_text(body);
    if query.contains("_entities") {
        let entities: Vec<Value> = representations(body)
            .iter()
            .map(|r| user(r["id"].as_str().unwrap_or("")).unwrap_or(Value::Null))
            .collect();
        return Reply::Json(json!({"data": {"_entities": entities}}));
    }
    let mut data = serde_json::Map::new();
    if query.contains("me") {
        data.insert("me".into(), user("1").unwrap_or(Value::Null));
    }
    if query.contains("user") {
        let id = body
            .pointer("/variables/id")
            .and_then(Value::as_str)
            .unwrap_or("2");
        data.insert("user".into(), user(id).unwrap_or(Value::Null));
    }
    Reply::Json(json!({ "data": data }))
}

/// The `products` subgraph: `topProducts`, `product(upc:)`, `addProduct`, and
/// `Product` entities.
pub fn products(body: &Value) -> Reply {
    let query = query_text(body);
    if query.contains("_entities") {
        let entities: Vec<Value> = representations(body)
            .iter()
            .map(|r| product(r["upc"].as_str().unwrap_or("")).unwrap_or(Value::Null))
            .collect();
        return Reply::Json(json!({"data": {"_entities": entities}}));
    }
    let mut data = serde_json::Map::new();
    if query.contains("topProducts") {
        let first = body
            .pointer("/variables/first")
            .and_then(Value::as_u64)
            .unwrap_or(5) as usize;
        let all: Vec<Value> = ["1", "2", "3"]
            .iter()
            .take(first)
            .filter_map(|u| product(u))
            .collect();
        data.insert("topProducts".into(), Value::Array(all));
    }
    if query.contains("product(") || query.contains("product (") {
        let upc = body
            .pointer("/variables/upc")
            .and_then(Value::as_str)
            .unwrap_or("1");
        data.insert("product".into(), product(upc).unwrap_or(Value::Null));
    }
    if query.contains("addProduct") {
        data.insert(
            "addProduct".into(),
            json!({"__typename": "Product", "upc": "9", "name": "New", "price": 1}),
        );
    }
    Reply::Json(json!({ "data": data }))
}

/// The `reviews` subgraph: `Product` and `User` entities with their reviews.
pub fn reviews(body: &Value) -> Reply {
    let entities: Vec<Value> = representations(body)
        .iter()
        .map(|r| match r["__typename"].as_str() {
            Some("Product") => {
                let upc = r["upc"].as_str().unwrap_or("");
                json!({"__typename": "Product", "upc": upc,
                        "reviews": reviews_where(|r| r.1 == upc)})
            }
            Some("User") => {
                let id = r["id"].as_str().unwrap_or("");
                json!({"__typename": "User", "id": id,
                        "reviews": reviews_where(|r| r.2 == id)})
            }
            _ => Value::Null,
        })
        .collect();
    Reply::Json(json!({"data": {"_entities": entities}}))
}

/// The three subgraphs of the fixture, answering from canned data.
pub struct Shop {
    pub accounts: MockSubgraph,
    pub products: MockSubgraph,
    pub reviews: MockSubgraph,
}

impl Shop {
    pub async fn start() -> Self {
        Shop {
            accounts: MockSubgraph::start(accounts).await,
            products: MockSubgraph::start(products).await,
            reviews: MockSubgraph::start(reviews).await,
        }
    }

    pub async fn config(&self) -> RouterConfig {
        config_with(&[
            ("accounts", &self.accounts.url),
            ("products", &self.products.url),
            ("reviews", &self.reviews.url),
        ])
        .await
    }

    /// The requests each subgraph received, for snapshots.
    pub fn requests(&self) -> Value {
        json!({
            "accounts": self.accounts.requests(),
            "products": self.products.requests(),
            "reviews": self.reviews.requests(),
        })
    }
}
