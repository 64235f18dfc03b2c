//! Clients of the subscription transports, for tests over real sockets: a
//! `graphql-transport-ws` client (tokio-tungstenite) and an SSE client
//! (reqwest, reading the body as it comes). Every read waits at most
//! [`DEADLINE`] and then fails the test, so a server that hangs fails instead
//! of hanging the suite.

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::subscriptions::{SSE_PATH, WS_PATH};

/// How long a test waits for the next message.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// `http://host:port/graphql` → the same service's `path`.
fn service_url(graphql_url: &str, path: &str) -> String {
    let base = graphql_url
        .strip_suffix("/graphql")
        .unwrap_or_else(|| panic!("{graphql_url} does not end with /graphql"));
    format!("{base}{path}")
}

/// A WebSocket connection speaking `graphql-transport-ws`.
pub struct WsClient {
    socket: WebSocketStream<MaybeTlsStream<TcpStream>>,
    /// Answer the server's pings (a client that does not is disconnected).
    pub answer_pings: bool,
}

impl WsClient {
    /// Connects to the service whose GraphQL URL is `graphql_url`, asking for
    /// the subprotocol, with `authorization` as the upgrade request's header.
    pub async fn connect(graphql_url: &str, authorization: Option<&str>) -> WsClient {
        let url = service_url(graphql_url, WS_PATH).replacen("http", "ws", 1);
        WsClient::connect_url(&url, authorization).await
    }

    /// Connects to the WebSocket URL `url` itself (a router's is its
    /// `/graphql`), as [`WsClient::connect`] does.
    pub async fn connect_url(url: &str, authorization: Option<&str>) -> WsClient {
        let mut request = url.into_client_request().expect("a WebSocket URL");
        request.headers_mut().insert(
            "sec-websocket-protocol",
            "graphql-transport-ws".parse().expect("header value"),
        );
        if let Some(authorization) = authorization {
            request.headers_mut().insert(
                "authorization",
                authorization.parse().expect("header value"),
            );
        }
        let (socket, response) =
            tokio::time::timeout(DEADLINE, tokio_tungstenite::connect_async(request))
                .await
                .expect("the WebSocket handshake within the deadline")
                .expect("the WebSocket handshake");
        assert_eq!(
            response
                .headers()
                .get("sec-websocket-protocol")
                .and_then(|v| v.to_str().ok()),
            Some("graphql-transport-ws"),
            "the server agrees on the subprotocol"
        );
        WsClient {
            socket,
            answer_pings: true,
        }
    }

    /// Connects and initialises with `payload`; panics unless acknowledged.
    pub async fn connect_and_init(graphql_url: &str, payload: Value) -> WsClient {
        let mut client = WsClient::connect(graphql_url, None).await;
        client.init(payload).await;
        client
    }

    /// Sends `connection_init` and expects `connection_ack`.
    pub async fn init(&mut self, payload: Value) {
        self.send(json!({ "type": "connection_init", "payload": payload }))
            .await;
        let ack = self.next().await;
        assert_eq!(ack["type"], "connection_ack", "{ack}");
    }

    pub async fn send(&mut self, message: Value) {
        self.send_text(message.to_string()).await;
    }

    pub async fn send_text(&mut self, text: String) {
        tokio::time::timeout(DEADLINE, self.socket.send(Message::Text(text.into())))
            .await
            .expect("the send within the deadline")
            .expect("send");
    }

    /// Starts operation `id`.
    pub async fn subscribe(&mut self, id: &str, query: &str, variables: Value) {
        self.send(json!({
            "type": "subscribe",
            "id": id,
            "payload": { "query": query, "variables": variables },
        }))
        .await;
    }

    /// The next protocol message as JSON (server pings are answered and
    /// skipped when [`Self::answer_pings`]); a close frame as
    /// `{"close": {"code", "reason"}}`, and `{"closed": true}` once the
    /// connection ended without one.
    pub async fn next(&mut self) -> Value {
        // One deadline for the call: the server's pings must not keep it alive.
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let message = tokio::time::timeout_at(deadline, self.socket.next())
                .await
                .unwrap_or_else(|_| panic!("no message within {DEADLINE:?}"));
            let text = match message {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(frame))) => {
                    let (code, reason) = frame
                        .map(|f| (u16::from(f.code), f.reason.to_string()))
                        .unwrap_or((1005, String::new()));
                    return json!({ "close": { "code": code, "reason": reason } });
                }
                Some(Ok(_)) => continue,
                Some(Err(_)) | None => return json!({ "closed": true }),
            };
            let value: Value = serde_json::from_str(text.as_str())
                .unwrap_or_else(|e| panic!("the server sent a non-JSON message {text}: {e}"));
            if value["type"] == "ping" && self.answer_pings {
                self.send(json!({ "type": "pong" })).await;
                continue;
            }
            return value;
        }
    }

    /// The next message about operation `id`, skipping others' (which a test
    /// running several operations looks at separately).
    pub async fn next_of(&mut self, id: &str) -> Value {
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            let message = tokio::time::timeout_at(deadline, self.next())
                .await
                .unwrap_or_else(|_| panic!("no message about {id} within {DEADLINE:?}"));
            if message["id"] == id || message.get("id").is_none() {
                return message;
            }
        }
    }

    /// The next `next` payload of operation `id`; panics on anything else.
    pub async fn next_payload(&mut self, id: &str) -> Value {
        let message = self.next_of(id).await;
        assert_eq!(
            message["type"], "next",
            "expected a next of {id}: {message}"
        );
        message["payload"].clone()
    }
}

/// One subscription over graphql-sse's distinct connections mode.
pub struct SseClient {
    response: reqwest::Response,
    buffer: String,
}

/// One event of an SSE stream.
#[derive(Debug, Clone, PartialEq)]
pub struct SseEvent {
    pub event: String,
    /// The `data` lines, joined; parsed when JSON.
    pub data: Value,
}

impl SseClient {
    /// POSTs `query` with `variables` to the service's SSE endpoint (with a
    /// bearer `token`); the response must be an event stream.
    pub async fn subscribe(
        graphql_url: &str,
        query: &str,
        variables: Value,
        token: Option<&str>,
    ) -> SseClient {
        SseClient::subscribe_url(&service_url(graphql_url, SSE_PATH), query, variables, token).await
    }

    /// Subscribes at the SSE URL `url` itself (a router's is its `/graphql`),
    /// as [`SseClient::subscribe`] does.
    pub async fn subscribe_url(
        url: &str,
        query: &str,
        variables: Value,
        token: Option<&str>,
    ) -> SseClient {
        let response = Self::post_url(url, query, variables, token).await;
        assert_eq!(response.status(), 200, "the subscription is answered");
        assert!(
            response
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/event-stream")),
            "an event stream: {:?}",
            response.headers()
        );
        SseClient {
            response,
            buffer: String::new(),
        }
    }

    /// The raw response to such a POST (for tests of refused requests).
    pub async fn post(
        graphql_url: &str,
        query: &str,
        variables: Value,
        token: Option<&str>,
    ) -> reqwest::Response {
        Self::post_url(&service_url(graphql_url, SSE_PATH), query, variables, token).await
    }

    /// The raw response to such a POST at `url` itself.
    pub async fn post_url(
        url: &str,
        query: &str,
        variables: Value,
        token: Option<&str>,
    ) -> reqwest::Response {
        // No overall timeout: the body is a stream; each read has the deadline.
        let client = reqwest::Client::builder()
            .connect_timeout(DEADLINE)
            .build()
            .expect("client");
        let mut request = client
            .post(url)
            .header("accept", "text/event-stream")
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        tokio::time::timeout(DEADLINE, request.send())
            .await
            .expect("an answer within the deadline")
            .expect("the request")
    }

    /// The next event (comments, the keep-alive, are skipped); `None` once the
    /// server ended the response.
    pub async fn next_event(&mut self) -> Option<SseEvent> {
        // One deadline for the call: keep-alive comments must not extend it.
        let deadline = tokio::time::Instant::now() + DEADLINE;
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                if let Some(event) = parse_event(&block) {
                    return Some(event);
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.response.chunk())
                .await
                .unwrap_or_else(|_| panic!("no event within {DEADLINE:?}"))
                .expect("reading the stream");
            match chunk {
                Some(bytes) => self.buffer.push_str(&String::from_utf8_lossy(&bytes)),
                None => return None,
            }
        }
    }

    /// The next event, which must be `next`: its `{data, errors}` payload.
    pub async fn next_payload(&mut self) -> Value {
        let event = self.next_event().await.expect("the stream goes on");
        assert_eq!(event.event, "next", "{event:?}");
        event.data
    }
}

/// An event block: `event:` and `data:` lines; `None` for comments only.
fn parse_event(block: &str) -> Option<SseEvent> {
    let mut event = None;
    let mut data: Vec<&str> = Vec::new();
    for line in block.lines() {
        if let Some(value) = line.strip_prefix("event:") {
            event = Some(value.trim().to_owned());
        } else if let Some(value) = line.strip_prefix("data:") {
            data.push(value.strip_prefix(' ').unwrap_or(value));
        }
    }
    if event.is_none() && data.is_empty() {
        return None;
    }
    let data = data.join("\n");
    Some(SseEvent {
        event: event.unwrap_or_else(|| "message".to_owned()),
        data: serde_json::from_str(&data).unwrap_or(Value::String(data)),
    })
}
