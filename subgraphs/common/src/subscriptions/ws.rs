//! Subscriptions over WebSocket: `graphql-transport-ws` at [`super::WS_PATH`].
//!
//! One task per connection runs the protocol and polls every operation's
//! response stream itself (no task per operation, no queue between them), so
//! writing to a slow client holds back the operations' streams: they read
//! nothing while the client reads nothing, and what changed meanwhile waits as
//! a flag, not as messages (see the module above). A client that takes longer
//! than the write timeout for one message is disconnected.
//!
//! async-graphql's own `GraphQLWebSocket` is not used: it has no server ping,
//! no limit on operations, no init timeout, silently replaces an operation
//! whose id is reused, and cannot be told to end its operations when the
//! service stops.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::{Executor, Response};
use axum::Extension;
use axum::extract::State;
use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response as HttpResponse};
use futures::StreamExt;
use futures::future::{AbortHandle, Abortable};
use futures::stream::{BoxStream, SelectAll};
use serde_json::Value;
use tokio::sync::OwnedSemaphorePermit;
use tokio::time::Instant;

use super::drain::Draining;
use super::ws_protocol::{self as protocol, ClientMessage, PROTOCOL, close};
use super::{Live, coded_server_error, shutting_down};
use crate::auth::Caller;
use crate::client_ip::{ClientIp, PeerAddr};

/// `GET /graphql/ws`: upgrades to `graphql-transport-ws`; a request that does
/// not ask for that subprotocol is refused (400), as the protocol requires.
pub(crate) async fn upgrade<E: Executor>(
    State(live): State<Arc<Live<E>>>,
    draining: Option<Extension<Draining>>,
    PeerAddr(peer): PeerAddr,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> HttpResponse {
    let upgrade = upgrade
        .protocols([PROTOCOL])
        .max_message_size(live.limits.max_message_bytes)
        .max_frame_size(live.limits.max_message_bytes);
    if upgrade.selected_protocol().is_none() {
        return (
            StatusCode::BAD_REQUEST,
            format!("ask for the WebSocket subprotocol `{PROTOCOL}` (Sec-WebSocket-Protocol)"),
        )
            .into_response();
    }
    let connection = Connection {
        client_ip: live.identity.trusted_proxies.client_ip(peer, &headers),
        authorization: headers.get(http::header::AUTHORIZATION).cloned(),
        draining: draining.map(|Extension(d)| d).unwrap_or_default(),
        live,
        caller: None,
        initialised: false,
        running: HashMap::new(),
        streams: SelectAll::new(),
        next_generation: 0,
        heard_at: Instant::now(),
        pinged_at: None,
    };
    upgrade.on_upgrade(move |socket| connection.run(socket))
}

struct Connection<E> {
    live: Arc<Live<E>>,
    client_ip: ClientIp,
    /// The upgrade request's `Authorization`, used when `connection_init`
    /// carries no token.
    authorization: Option<HeaderValue>,
    draining: Draining,
    /// Who the connection acts as; `Some` once acknowledged.
    caller: Option<Caller>,
    initialised: bool,
    /// Operations by id. The generation tells an operation from an earlier one
    /// with the same id whose stream has not wound down yet.
    running: HashMap<String, Running>,
    streams: SelectAll<BoxStream<'static, Output>>,
    next_generation: u64,
    /// When the client last sent anything (a message, a ping or pong frame).
    heard_at: Instant,
    /// When the unanswered keep-alive ping went out.
    pinged_at: Option<Instant>,
}

struct Running {
    generation: u64,
    abort: AbortHandle,
    /// The operation's place among the service's open subscriptions.
    _permit: OwnedSemaphorePermit,
}

/// What an operation's stream gives the connection.
enum Output {
    Next {
        id: String,
        generation: u64,
        response: Box<Response>,
    },
    Done {
        id: String,
        generation: u64,
    },
}

/// What the connection does after handling something.
enum Then {
    Continue,
    Close(u16, String),
    /// The client is gone (or will not read): nothing more can be sent.
    Drop,
}

impl<E: Executor> Connection<E> {
    async fn run(mut self, mut socket: WebSocket) {
        let _open = self.draining.open_connection();
        let stopping = self.draining.started();
        tokio::pin!(stopping);
        let init_deadline = tokio::time::sleep(self.live.limits.init_timeout);
        tokio::pin!(init_deadline);
        let keep_alive = self.live.limits.keep_alive;
        let mut ticks = tokio::time::interval_at(Instant::now() + keep_alive, keep_alive);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            let then = tokio::select! {
                biased;
                () = &mut stopping => self.shut_down(&mut socket).await,
                message = socket.recv() => self.received(&mut socket, message).await,
                Some(output) = self.streams.next(), if !self.streams.is_empty() => {
                    self.output(&mut socket, output).await
                }
                () = &mut init_deadline, if !self.initialised => Then::Close(
                    close::INIT_TIMEOUT,
                    "Connection initialisation timeout".to_owned(),
                ),
                _ = ticks.tick() => self.keep_alive(&mut socket).await,
            };
            match then {
                Then::Continue => {}
                Then::Close(code, reason) => {
                    self.close(&mut socket, code, &reason).await;
                    return;
                }
                Then::Drop => return,
            }
        }
    }

    /// Sends `text`, or gives up on the client after the write timeout.
    async fn send(&mut self, socket: &mut WebSocket, text: String) -> Result<(), Gone> {
        match tokio::time::timeout(
            self.live.limits.write_timeout,
            socket.send(Message::Text(text.into())),
        )
        .await
        {
            Ok(Ok(())) => Ok(()),
            Ok(Err(_)) | Err(_) => Err(Gone),
        }
    }

    async fn close(&mut self, socket: &mut WebSocket, code: u16, reason: &str) {
        let frame = CloseFrame {
            code,
            reason: protocol::close_reason(reason).into(),
        };
        let _ = tokio::time::timeout(
            self.live.limits.write_timeout,
            socket.send(Message::Close(Some(frame))),
        )
        .await;
    }

    async fn received(
        &mut self,
        socket: &mut WebSocket,
        message: Option<Result<Message, axum::Error>>,
    ) -> Then {
        let Some(Ok(message)) = message else {
            return Then::Drop;
        };
        self.heard_at = Instant::now();
        self.pinged_at = None;
        let text = match message {
            Message::Text(text) => text,
            // Answered by the WebSocket layer itself; they show the client lives.
            Message::Ping(_) | Message::Pong(_) => return Then::Continue,
            Message::Close(_) => return Then::Drop,
            Message::Binary(_) => {
                return Then::Close(
                    close::BAD_REQUEST,
                    "Invalid message received: binary frames are not graphql-transport-ws"
                        .to_owned(),
                );
            }
        };
        let message = match serde_json::from_str::<ClientMessage>(text.as_str()) {
            Ok(message) => message,
            Err(err) => {
                return Then::Close(close::BAD_REQUEST, protocol::invalid_message(&err));
            }
        };
        let sent = match message {
            ClientMessage::ConnectionInit { payload } => {
                if self.initialised {
                    return Then::Close(
                        close::TOO_MANY_INITS,
                        "Too many initialisation requests".to_owned(),
                    );
                }
                self.initialised = true;
                self.caller = Some(self.identify(payload).await);
                self.send(socket, protocol::connection_ack()).await
            }
            ClientMessage::Ping { payload } => self.send(socket, protocol::pong(payload)).await,
            ClientMessage::Pong { .. } => Ok(()),
            ClientMessage::Subscribe { id, payload } => {
                return self.subscribe(socket, id, *payload).await;
            }
            ClientMessage::Complete { id } => {
                if let Some(running) = self.running.remove(&id) {
                    running.abort.abort();
                }
                Ok(())
            }
            ClientMessage::ConnectionAck { .. }
            | ClientMessage::Next { .. }
            | ClientMessage::Error { .. } => {
                return Then::Close(
                    close::BAD_REQUEST,
                    "Invalid message received: only a server sends it".to_owned(),
                );
            }
        };
        match sent {
            Ok(()) => Then::Continue,
            Err(Gone) => Then::Drop,
        }
    }

    /// The caller of this connection: the token in `connection_init`'s payload
    /// (`authorization: "Bearer …"` or `token: "…"`), else the upgrade
    /// request's `Authorization` header, verified as for HTTP requests.
    async fn identify(&mut self, payload: Option<Value>) -> Caller {
        let authorization = match init_authorization(payload.as_ref()) {
            InitAuthorization::Given(value) => match HeaderValue::from_str(&value) {
                Ok(value) => Some(value),
                Err(_) => {
                    return Caller::Rejected(
                        "the authorization in connection_init is not a valid header value".into(),
                    );
                }
            },
            InitAuthorization::Malformed(why) => return Caller::Rejected(why.into()),
            InitAuthorization::Absent => self.authorization.clone(),
        };
        let mut headers = HeaderMap::new();
        if let Some(value) = authorization {
            headers.insert(http::header::AUTHORIZATION, value);
        }
        crate::server::caller(&headers, self.live.identity.authenticator.as_deref()).await
    }

    async fn subscribe(
        &mut self,
        socket: &mut WebSocket,
        id: String,
        request: async_graphql::Request,
    ) -> Then {
        let Some(caller) = self.caller.clone() else {
            return Then::Close(close::UNAUTHORIZED, "Unauthorized".to_owned());
        };
        if self.running.contains_key(&id) {
            return Then::Close(
                close::SUBSCRIBER_EXISTS,
                format!("Subscriber for {id} already exists"),
            );
        }
        let refused = if self.running.len() >= self.live.limits.per_connection {
            Some(coded_server_error(
                "TOO_MANY_SUBSCRIPTIONS",
                format!(
                    "at most {} operations at once on one connection",
                    self.live.limits.per_connection
                ),
            ))
        } else {
            None
        };
        let permit = match refused.map_or_else(|| self.live.admission.admit(self.client_ip), Err) {
            Ok(permit) => permit,
            Err(error) => {
                return match self.send(socket, protocol::error(&id, &[error])).await {
                    Ok(()) => Then::Continue,
                    Err(Gone) => Then::Drop,
                };
            }
        };
        let responses = self
            .live
            .executor
            .execute_stream(request.data(caller).data(self.client_ip), None);
        let (abort, registration) = AbortHandle::new_pair();
        let generation = self.next_generation;
        self.next_generation += 1;
        let (next_id, done_id) = (id.clone(), id.clone());
        let stream = Abortable::new(responses, registration)
            .map(move |response| Output::Next {
                id: next_id.clone(),
                generation,
                response: Box::new(response),
            })
            .chain(futures::stream::once(async move {
                Output::Done {
                    id: done_id,
                    generation,
                }
            }));
        self.streams.push(stream.boxed());
        self.running.insert(
            id,
            Running {
                generation,
                abort,
                _permit: permit,
            },
        );
        Then::Continue
    }

    async fn output(&mut self, socket: &mut WebSocket, output: Output) -> Then {
        let sent = match output {
            Output::Next {
                id,
                generation,
                response,
            } => {
                if !self.is_current(&id, generation) {
                    return Then::Continue;
                }
                self.send(socket, protocol::next(&id, &response)).await
            }
            Output::Done { id, generation } => {
                if !self.is_current(&id, generation) {
                    // Completed by the client, who needs no `complete`.
                    return Then::Continue;
                }
                self.running.remove(&id);
                self.send(socket, protocol::complete(&id)).await
            }
        };
        match sent {
            Ok(()) => Then::Continue,
            Err(Gone) => Then::Drop,
        }
    }

    fn is_current(&self, id: &str, generation: u64) -> bool {
        self.running
            .get(id)
            .is_some_and(|running| running.generation == generation)
    }

    /// Pings, or gives up on a client that sent nothing since the last ping.
    async fn keep_alive(&mut self, socket: &mut WebSocket) -> Then {
        if let Some(pinged_at) = self.pinged_at
            && self.heard_at < pinged_at
        {
            return Then::Close(
                close::GOING_AWAY,
                "no pong to the keep-alive ping".to_owned(),
            );
        }
        self.pinged_at = Some(Instant::now());
        match self.send(socket, protocol::ping()).await {
            Ok(()) => Then::Continue,
            Err(Gone) => Then::Drop,
        }
    }

    /// Every running operation ends with a `SHUTTING_DOWN` error; then the
    /// connection closes with 1001.
    async fn shut_down(&mut self, socket: &mut WebSocket) -> Then {
        let mut ids: Vec<String> = self.running.keys().cloned().collect();
        ids.sort();
        for id in ids {
            if let Some(running) = self.running.remove(&id) {
                running.abort.abort();
            }
            if self
                .send(socket, protocol::error(&id, &[shutting_down()]))
                .await
                .is_err()
            {
                return Then::Drop;
            }
        }
        Then::Close(close::GOING_AWAY, "the service is shutting down".to_owned())
    }
}

/// The client did not take a message in time, or the connection broke.
struct Gone;

/// What `connection_init`'s payload says about the caller's token.
#[derive(Debug, PartialEq, Eq)]
enum InitAuthorization {
    /// An `Authorization` value: `authorization` as given, or `Bearer <token>`.
    Given(String),
    /// A token key whose value is not a string.
    Malformed(&'static str),
    Absent,
}

fn init_authorization(payload: Option<&Value>) -> InitAuthorization {
    let Some(Value::Object(payload)) = payload else {
        return InitAuthorization::Absent;
    };
    let authorization = payload
        .get("authorization")
        .or_else(|| payload.get("Authorization"));
    match (authorization, payload.get("token")) {
        (Some(Value::String(value)), _) => InitAuthorization::Given(value.clone()),
        (Some(_), _) => InitAuthorization::Malformed(
            "connection_init's authorization must be a string: `Bearer <token>`",
        ),
        (None, Some(Value::String(token))) => InitAuthorization::Given(format!("Bearer {token}")),
        (None, Some(_)) => InitAuthorization::Malformed("connection_init's token must be a string"),
        (None, None) => InitAuthorization::Absent,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn the_init_payload_names_the_token_either_way() {
        use InitAuthorization::*;
        assert_eq!(
            init_authorization(Some(&json!({ "authorization": "Bearer abc" }))),
            Given("Bearer abc".into())
        );
        assert_eq!(
            init_authorization(Some(&json!({ "Authorization": "Bearer abc" }))),
            Given("Bearer abc".into())
        );
        assert_eq!(
            init_authorization(Some(&json!({ "token": "abc" }))),
            Given("Bearer abc".into())
        );
        assert!(matches!(
            init_authorization(Some(&json!({ "token": 42 }))),
            Malformed(_)
        ));
        assert!(matches!(
            init_authorization(Some(&json!({ "authorization": ["x"] }))),
            Malformed(_)
        ));
        assert_eq!(init_authorization(Some(&json!({ "other": 1 }))), Absent);
        assert_eq!(init_authorization(Some(&json!("Bearer abc"))), Absent);
        assert_eq!(init_authorization(None), Absent);
    }
}
