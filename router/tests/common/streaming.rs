//! A mock subgraph that streams: `graphql-transport-ws` at `/ws` and
//! graphql-sse (distinct connections) at `/stream`. Every subscription gets
//! the events the test publishes from then on; the subgraph records what each
//! subscription asked for and the headers it came with.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::HeaderMap;
use axum::response::sse::{Event, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::{broadcast, oneshot};

/// What the test makes every open subscription do.
#[derive(Debug, Clone)]
pub enum Control {
    /// Send this response as the next event.
    Next(Value),
    /// Complete the subscription.
    Complete,
    /// Drop the connection without completing (the subgraph went away).
    Drop,
    /// Stop answering pings (WebSocket): the connection is there, the
    /// subgraph is not.
    Mute,
}

/// One subscription the subgraph was asked for.
#[derive(Debug, Clone)]
pub struct Subscribed {
    /// `{"query", "operationName"?, "variables"?}` as received.
    pub request: Value,
    /// The HTTP headers of the upgrade request or of the SSE POST.
    pub headers: HeaderMap,
    /// `connection_init`'s payload (WebSocket only).
    pub init: Option<Value>,
}

#[derive(Clone)]
struct Shared {
    controls: broadcast::Sender<Control>,
    subscribed: Arc<Mutex<Vec<Subscribed>>>,
}

pub struct StreamingSubgraph {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    shared: Shared,
    _stop: oneshot::Sender<()>,
}

impl StreamingSubgraph {
    pub async fn start() -> Self {
        let (controls, _) = broadcast::channel(64);
        let shared = Shared {
            controls,
            subscribed: Arc::default(),
        };
        let app = axum::Router::new()
            .route("/ws", get(websocket))
            .route("/stream", post(sse))
            .with_state(shared.clone());
        let (base, stop) = super::serve_app(app).await;
        StreamingSubgraph {
            base,
            shared,
            _stop: stop,
        }
    }

    pub fn ws_url(&self) -> String {
        format!("{}/ws", self.base.replacen("http://", "ws://", 1))
    }

    pub fn sse_url(&self) -> String {
        format!("{}/stream", self.base)
    }

    pub fn subscribed(&self) -> Vec<Subscribed> {
        self.shared.subscribed.lock().unwrap().clone()
    }

    /// Waits until `count` subscriptions were made (so published events reach them).
    pub async fn wait_for_subscriptions(&self, count: usize) {
        for _ in 0..500 {
            if self.subscribed().len() >= count && self.shared.controls.receiver_count() >= count {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "{count} subscriptions were not made: {:?}",
            self.subscribed()
        );
    }

    /// Sends `control` to every open subscription.
    pub fn publish(&self, control: Control) {
        let _ = self.shared.controls.send(control);
    }

    /// Open subscriptions now.
    pub fn open(&self) -> usize {
        self.shared.controls.receiver_count()
    }
}

async fn websocket(
    State(shared): State<Shared>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    upgrade
        .protocols(["graphql-transport-ws"])
        .on_upgrade(move |socket| serve_socket(socket, shared, headers))
}

async fn serve_socket(mut socket: WebSocket, shared: Shared, headers: HeaderMap) {
    let mut init = None;
    let mut controls: Option<broadcast::Receiver<Control>> = None;
    let mut id = String::new();
    let mut muted = false;
    loop {
        let control = async {
            match &mut controls {
                Some(receiver) => receiver.recv().await.ok(),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            frame = socket.next() => {
                let Some(Ok(Message::Text(text))) = frame else { return };
                let message: Value = serde_json::from_str(text.as_str()).unwrap();
                match message["type"].as_str() {
                    Some("connection_init") => {
                        init = Some(message["payload"].clone());
                        let ack = json!({ "type": "connection_ack" }).to_string();
                        let _ = socket.send(Message::Text(ack.into())).await;
                    }
                    Some("subscribe") => {
                        id = message["id"].as_str().unwrap().to_owned();
                        controls = Some(shared.controls.subscribe());
                        shared.subscribed.lock().unwrap().push(Subscribed {
                            request: message["payload"].clone(),
                            headers: headers.clone(),
                            init: init.clone(),
                        });
                    }
                    Some("ping") if !muted => {
                        let pong = json!({ "type": "pong" }).to_string();
                        let _ = socket.send(Message::Text(pong.into())).await;
                    }
                    Some("complete") => return,
                    _ => {}
                }
            }
            Some(control) = control => match control {
                Control::Next(payload) => {
                    let next = json!({ "type": "next", "id": id, "payload": payload });
                    let _ = socket.send(Message::Text(next.to_string().into())).await;
                }
                Control::Complete => {
                    let complete = json!({ "type": "complete", "id": id });
                    let _ = socket.send(Message::Text(complete.to_string().into())).await;
                }
                // Dropped without a close frame.
                Control::Drop => return,
                Control::Mute => muted = true,
            },
        }
    }
}

async fn sse(State(shared): State<Shared>, headers: HeaderMap, body: String) -> Response {
    let request: Value = serde_json::from_str(&body).unwrap();
    let controls = shared.controls.subscribe();
    shared.subscribed.lock().unwrap().push(Subscribed {
        request,
        headers,
        init: None,
    });
    let events = futures::stream::unfold(Some(controls), |controls| async move {
        let mut controls = controls?;
        match controls.recv().await.ok()? {
            Control::Next(payload) => Some((
                Ok::<_, Infallible>(Event::default().event("next").data(payload.to_string())),
                Some(controls),
            )),
            Control::Complete => Some((Ok(Event::default().event("complete")), None)),
            Control::Drop => None,
            // SSE has no pings: a comment, and the stream goes on.
            Control::Mute => Some((Ok(Event::default().comment("muted")), Some(controls))),
        }
    });
    Sse::new(events).into_response()
}
