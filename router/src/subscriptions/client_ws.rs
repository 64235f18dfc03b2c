//! Clients over `graphql-transport-ws` at `/graphql` (a `GET` with
//! `Upgrade: websocket` and the subprotocol `graphql-transport-ws`).
//!
//! A connection starts with `connection_init`; its payload may carry the
//! caller's token (`{"authorization": "Bearer ..."}`, or any header name the
//! router reads), which wins over the upgrade request's own headers. The
//! token is verified as for a query: a token that does not verify closes the
//! connection with 4403; none at all is an anonymous caller, whose operations
//! meet the same authorization as over HTTP. The merged headers are those
//! the header rules forward to subgraphs.
//!
//! Each `subscribe` runs the operation through the same pipeline as HTTP
//! (persisted documents, limits, authorization, demand control): a query or
//! mutation answers one `next` and `complete` (one `next` per part with
//! `@defer`: the initial result, then each deferred one); a subscription streams `next`
//! per event, then `complete`, or `error` when it fails (subgraph gone,
//! schema reloaded). The router pings every `heartbeat_interval_ms` and
//! closes a connection whose client did not answer the previous ping. A
//! reload closes the connection (1012) after ending its subscriptions, so the
//! client reconnects to the new schema.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::extract::ws::{CloseFrame, Message as Frame, WebSocket, WebSocketUpgrade};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use serde_json::{Map, Value};
use switchyard_executor::GraphQLError;
use tokio::sync::mpsc;
use tokio::task::AbortHandle;

use super::protocol::{self, Message, close};
use super::{Heartbeat, StreamSlot, SubscriptionEvent};
use crate::authentication::Claims;
use crate::pipeline::{self, Executed};
use crate::router::RouterInner;
use crate::server::graphql_request;
use crate::server::negotiation::ResponseFormat;
use crate::server::{RequestKind, request_context, response};
use crate::telemetry::traces::RequestTrace;

/// The read buffer of a WebSocket connection, client's or subgraph's.
pub(super) const BUFFER_BYTES: usize = 4 * 1024;

/// Extractor: the WebSocket upgrade when the request asks for one.
pub(crate) struct MaybeUpgrade(pub Option<WebSocketUpgrade>);

impl<S: Send + Sync> FromRequestParts<S> for MaybeUpgrade {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let wants = parts
            .headers
            .get(http::header::UPGRADE)
            .is_some_and(|v| v.as_bytes().eq_ignore_ascii_case(b"websocket"));
        if !wants {
            return Ok(MaybeUpgrade(None));
        }
        WebSocketUpgrade::from_request_parts(parts, state)
            .await
            .map(|upgrade| MaybeUpgrade(Some(upgrade)))
            .map_err(IntoResponse::into_response)
    }
}

/// Accepts the upgrade, or refuses it (HTTP 400 without the subprotocol, 403
/// from an origin CORS does not allow, 503 when every stream slot is taken).
pub(crate) fn upgrade(
    inner: Arc<RouterInner>,
    upgrade: WebSocketUpgrade,
    headers: HeaderMap,
    peer: Option<std::net::SocketAddr>,
) -> Response {
    let format = ResponseFormat::from_headers(&headers);
    let offers_protocol = headers
        .get_all(http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == protocol::PROTOCOL);
    if !offers_protocol {
        return response::error(
            StatusCode::BAD_REQUEST,
            format,
            "WebSocket connections must use the graphql-transport-ws subprotocol",
            "BAD_REQUEST",
        );
    }
    if !origin_allowed(&inner, &headers) {
        // Browsers send WebSockets across origins without CORS: the origin is
        // checked here, as CORS would for a request.
        return response::error(
            StatusCode::FORBIDDEN,
            format,
            "WebSocket connections from this origin are not allowed",
            "FORBIDDEN",
        );
    }
    if !inner.config.subscriptions.enabled {
        return response::error(
            StatusCode::BAD_REQUEST,
            format,
            "This router does not execute subscriptions (subscriptions.enabled is off)",
            "SUBSCRIPTION_NOT_SUPPORTED",
        );
    }
    let Some(slot) = inner.stream_slots.take() else {
        return response::error(
            StatusCode::SERVICE_UNAVAILABLE,
            format,
            "The router holds as many subscriptions as it may \
             (subscriptions.max_connections): try again later",
            "TOO_MANY_SUBSCRIPTIONS",
        );
    };
    let max_message = inner.config.limits.max_body_bytes;
    upgrade
        .protocols([protocol::PROTOCOL])
        // Small buffers: a connection mostly waits, and thousands are held
        // at once (tungstenite's default is 128 KiB each way). A client's
        // message is a GraphQL request: bounded as a request body is.
        .read_buffer_size(BUFFER_BYTES)
        .write_buffer_size(0)
        .max_message_size(max_message)
        .max_frame_size(max_message)
        .on_upgrade(move |socket| {
            let connection = Connection {
                inner,
                headers,
                peer,
                _slot: slot,
            };
            connection.run(socket)
        })
}

/// No `Origin` (not a browser), or one CORS allows.
fn origin_allowed(inner: &RouterInner, headers: &HeaderMap) -> bool {
    let Some(origin) = headers.get(http::header::ORIGIN) else {
        return true;
    };
    let allowed = &inner.config.cors.allow_origins;
    allowed
        .iter()
        .any(|o| o == "*" || o.as_bytes() == origin.as_bytes())
        || headers
            .get(http::header::HOST)
            .and_then(|host| host.to_str().ok())
            .zip(origin.to_str().ok())
            .is_some_and(|(host, origin)| {
                origin
                    .split_once("://")
                    .is_some_and(|(_, origin_host)| origin_host == host)
            })
}

/// What an operation's task sends to the connection.
enum Out {
    Text(String),
    /// The operation with this id is over.
    Finished(String),
}

struct Connection {
    inner: Arc<RouterInner>,
    headers: HeaderMap,
    peer: Option<std::net::SocketAddr>,
    _slot: StreamSlot,
}

/// What ends a connection: a close frame to send, or nothing when the client
/// is gone.
type Closing = Option<(u16, String)>;

/// The connection after `connection_init`: who the caller is, and the headers
/// its operations carry (the upgrade's, with the payload's over them).
struct Caller {
    claims: Option<Arc<Claims>>,
    headers: Arc<HeaderMap>,
}

impl Connection {
    async fn run(self, socket: WebSocket) {
        let (mut sink, mut frames) = socket.split();
        let closing = match self.initialise(&mut sink, &mut frames).await {
            Ok(caller) => self.serve(caller, &mut sink, &mut frames).await,
            Err(closing) => closing,
        };
        if let Some((code, reason)) = closing {
            let frame = CloseFrame {
                code,
                reason: protocol::close_reason(&reason).into(),
            };
            let _ = sink.send(Frame::Close(Some(frame))).await;
        }
    }

    /// Waits for `connection_init`, verifies its token, acknowledges it.
    async fn initialise(&self, sink: &mut Sink, frames: &mut Frames) -> Result<Caller, Closing> {
        let timeout = self.inner.config.subscriptions.connection_init_timeout();
        let waiting = async {
            loop {
                match receive(frames).await? {
                    Message::ConnectionInit { payload } => return Ok(payload),
                    Message::Ping { payload } => send(sink, protocol::pong(payload)).await?,
                    Message::Subscribe { .. } => {
                        return Err(Some((close::UNAUTHORIZED, "Unauthorized".to_owned())));
                    }
                    _ => {}
                }
            }
        };
        let payload = match tokio::time::timeout(timeout, waiting).await {
            Ok(result) => result?,
            Err(_) => {
                return Err(Some((
                    close::INIT_TIMEOUT,
                    "Connection initialisation timeout".to_owned(),
                )));
            }
        };
        let headers = with_payload_headers(&self.headers, payload);
        let claims = match &self.inner.jwt {
            None => None,
            Some(jwt) => jwt
                .authenticate(&headers)
                .await
                .map_err(|rejection| Some((close::FORBIDDEN, format!("Forbidden: {rejection}"))))?,
        };
        send(sink, protocol::connection_ack()).await?;
        Ok(Caller {
            claims,
            headers: Arc::new(headers),
        })
    }

    /// Runs the client's operations until it closes, stops answering pings,
    /// breaks the protocol, or the router reloads.
    async fn serve(&self, caller: Caller, sink: &mut Sink, frames: &mut Frames) -> Closing {
        let settings = &self.inner.config.subscriptions;
        let (out, mut outgoing) = mpsc::channel::<Out>(64);
        let mut running: HashMap<String, AbortHandle> = HashMap::new();
        let mut heartbeat = Heartbeat::new(settings.heartbeat_interval());
        let mut retired = self.inner.retired.subscribe();
        let closing = loop {
            tokio::select! {
                message = receive(frames) => {
                    let message = match message {
                        Ok(message) => message,
                        Err(closing) => break closing,
                    };
                    match message {
                        Message::Subscribe { id, payload } => {
                            if running.contains_key(&id) {
                                break Some((
                                    close::SUBSCRIBER_EXISTS,
                                    format!("Subscriber for {id} already exists"),
                                ));
                            }
                            if running.len() >= settings.max_subscriptions_per_connection {
                                let refusal = GraphQLError::new(format!(
                                    "This connection runs as many operations as it may ({})",
                                    settings.max_subscriptions_per_connection
                                ))
                                .with_code("TOO_MANY_SUBSCRIPTIONS");
                                if let Err(closing) = send(sink, error(&id, &[refusal])).await {
                                    break closing;
                                }
                                continue;
                            }
                            let operation = Operation {
                                inner: self.inner.clone(),
                                id: id.clone(),
                                claims: caller.claims.clone(),
                                headers: caller.headers.clone(),
                                peer: self.peer,
                                out: out.clone(),
                            };
                            let task = tokio::spawn(operation.run(payload));
                            running.insert(id, task.abort_handle());
                        }
                        Message::Complete { id } => {
                            if let Some(task) = running.remove(&id) {
                                task.abort();
                            }
                        }
                        Message::Ping { payload } => {
                            if let Err(closing) = send(sink, protocol::pong(payload)).await {
                                break closing;
                            }
                        }
                        Message::Pong { .. } => heartbeat.pong(),
                        Message::ConnectionInit { .. } => {
                            break Some((
                                close::TOO_MANY_INITS,
                                "Too many initialisation requests".to_owned(),
                            ));
                        }
                        _ => {
                            break Some((
                                close::BAD_REQUEST,
                                "Invalid message received: not one a client sends".to_owned(),
                            ));
                        }
                    }
                }
                Some(message) = outgoing.recv() => {
                    let text = match message {
                        Out::Text(text) => text,
                        Out::Finished(id) => {
                            running.remove(&id);
                            continue;
                        }
                    };
                    if let Err(closing) = send(sink, text).await {
                        break closing;
                    }
                }
                ping = heartbeat.due() => {
                    if !ping {
                        break Some((close::GOING_AWAY, "The client did not answer a ping".to_owned()));
                    }
                    if let Err(closing) = send(sink, protocol::ping()).await {
                        break closing;
                    }
                }
                _ = retired.changed() => {
                    // Each subscription ends with its reload error (its task
                    // sends it), then the connection closes.
                    break self.drain_on_reload(&mut running, &mut outgoing, sink).await;
                }
            }
        };
        for task in running.values() {
            task.abort();
        }
        closing
    }

    /// After a reload (or at shutdown): passes on what the running operations still send
    /// (their subscriptions end with `SUBSCRIPTION_SCHEMA_RELOAD`), then asks
    /// the client to reconnect.
    async fn drain_on_reload(
        &self,
        running: &mut HashMap<String, AbortHandle>,
        outgoing: &mut mpsc::Receiver<Out>,
        sink: &mut Sink,
    ) -> Closing {
        let deadline =
            tokio::time::sleep(self.inner.config.subscriptions.connection_init_timeout());
        tokio::pin!(deadline);
        while !running.is_empty() {
            let message = tokio::select! {
                _ = &mut deadline => break,
                message = outgoing.recv() => message,
            };
            match message {
                Some(Out::Text(text)) => {
                    if let Err(closing) = send(sink, text).await {
                        return closing;
                    }
                }
                Some(Out::Finished(id)) => {
                    running.remove(&id);
                }
                None => break,
            }
        }
        let reason = match *self.inner.retired.borrow() {
            super::Retired::ShuttingDown => "The router is shutting down",
            _ => "The router reloaded its schema: reconnect",
        };
        Some((close::SERVICE_RESTART, reason.to_owned()))
    }
}

/// One `subscribe` of a connection, on its own task.
struct Operation {
    inner: Arc<RouterInner>,
    id: String,
    claims: Option<Arc<Claims>>,
    headers: Arc<HeaderMap>,
    peer: Option<std::net::SocketAddr>,
    out: mpsc::Sender<Out>,
}

impl Operation {
    async fn run(self, payload: Map<String, Value>) {
        self.answer(payload).await;
        let _ = self.out.send(Out::Finished(self.id.clone())).await;
    }

    async fn answer(&self, payload: Map<String, Value>) {
        let id = &self.id;
        let mut request = match graphql_request::from_object(payload) {
            Ok(request) => request,
            Err(rejection) => {
                let refusal = GraphQLError::new(rejection.message).with_code(rejection.code);
                return self.send(error(id, &[refusal])).await;
            }
        };
        if let Err(rejection) = self.inner.persisted.resolve(&mut request).await {
            let refusal = GraphQLError::new(rejection.message).with_code(rejection.code);
            return self.send(error(id, &[refusal])).await;
        }
        let kind = RequestKind {
            is_get: false,
            plan_only: false,
            streaming: true,
            // `@defer`: each part is a `next` of its own.
            incremental: true,
        };
        let (context, _) = request_context(
            &self.inner,
            &self.headers,
            self.peer,
            self.claims.clone(),
            // A subscription's operations are not traced: the connection's
            // upgrade request was, and is long over.
            RequestTrace::Off,
            kind,
        );
        let timeout = self.inner.config.timeouts.request();
        let deadline = tokio::time::Instant::now() + timeout;
        let timed_out = || {
            GraphQLError::new(format!(
                "The request did not complete within {} ms",
                timeout.as_millis()
            ))
            .with_code("REQUEST_TIMEOUT")
        };
        let executed =
            tokio::time::timeout_at(deadline, pipeline::run(&self.inner, &request, context));
        match executed.await {
            Ok(Ok(Executed::Response(response))) => {
                self.send(next(id, &response)).await;
                self.send(protocol::complete(id)).await;
            }
            Ok(Ok(Executed::Incremental(mut parts))) => {
                // The initial part, then each deferred one, as graphql-ws
                // clients read incremental results.
                // The whole answer keeps the request's deadline, as over HTTP.
                loop {
                    match tokio::time::timeout_at(deadline, parts.next()).await {
                        Ok(Some(part)) => self.send(next_raw(id, &part.into_json_bytes())).await,
                        Ok(None) => break,
                        Err(_) => return self.send(error(id, &[timed_out()])).await,
                    }
                }
                self.send(protocol::complete(id)).await;
            }
            Ok(Ok(Executed::Subscription(mut events))) => {
                while let Some(event) = events.recv().await {
                    match event {
                        SubscriptionEvent::Next(response) => self.send(next(id, &response)).await,
                        SubscriptionEvent::Failed(errors) => {
                            return self.send(error(id, &errors)).await;
                        }
                    }
                }
                self.send(protocol::complete(id)).await;
            }
            Ok(Err(rejection)) => self.send(error(id, &rejection.into_errors())).await,
            Err(_) => self.send(error(id, &[timed_out()])).await,
        }
    }

    async fn send(&self, text: String) {
        let _ = self.out.send(Out::Text(text)).await;
    }
}

type Sink = futures::stream::SplitSink<WebSocket, Frame>;
type Frames = futures::stream::SplitStream<WebSocket>;

fn next(id: &str, response: &switchyard_executor::Response) -> String {
    let payload = serde_json::to_value(response).unwrap_or_else(
        |_| serde_json::json!({ "errors": [{ "message": "the response could not be encoded" }] }),
    );
    protocol::next(id, payload)
}

/// A `next` whose payload is JSON already written (an incremental part).
fn next_raw(id: &str, payload: &[u8]) -> String {
    let id = serde_json::to_string(id).unwrap_or_else(|_| "\"\"".to_owned());
    format!(
        "{{\"type\":\"next\",\"id\":{id},\"payload\":{}}}",
        String::from_utf8_lossy(payload)
    )
}

fn error(id: &str, errors: &[GraphQLError]) -> String {
    protocol::error(id, serde_json::to_value(errors).unwrap_or_default())
}

async fn send(sink: &mut Sink, text: String) -> Result<(), Closing> {
    sink.send(Frame::Text(text.into())).await.map_err(|_| None)
}

/// The next protocol message; a frame that is not one closes with 4400.
async fn receive(frames: &mut Frames) -> Result<Message, Closing> {
    loop {
        match frames.next().await {
            None | Some(Err(_)) | Some(Ok(Frame::Close(_))) => return Err(None),
            Some(Ok(Frame::Text(text))) => {
                return serde_json::from_str(text.as_str())
                    .map_err(|e| Some((close::BAD_REQUEST, protocol::invalid_message(&e))));
            }
            Some(Ok(Frame::Binary(_))) => {
                return Err(Some((
                    close::BAD_REQUEST,
                    "Binary frames are not graphql-transport-ws messages".to_owned(),
                )));
            }
            Some(Ok(_)) => continue,
        }
    }
}

/// The upgrade request's headers with the string entries of
/// `connection_init`'s payload (header names, any case) over them.
fn with_payload_headers(headers: &HeaderMap, payload: Option<Value>) -> HeaderMap {
    let mut merged = headers.clone();
    let Some(Value::Object(payload)) = payload else {
        return merged;
    };
    let entries = payload.iter().chain(
        payload
            .get("headers")
            .and_then(Value::as_object)
            .into_iter()
            .flatten(),
    );
    for (name, value) in entries {
        let (Value::String(value), Ok(name)) = (
            value,
            HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()),
        ) else {
            continue;
        };
        if let Ok(value) = HeaderValue::from_str(value) {
            merged.insert(name, value);
        }
    }
    merged
}
