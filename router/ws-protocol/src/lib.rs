//! The messages and close codes of `graphql-transport-ws`
//! (<https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>), as the
//! router speaks it to clients (as the server) and to subgraphs (as a client),
//! and the shop's services speak it to theirs.

use serde::Deserialize;
use serde_json::{Map, Value, json};

/// The WebSocket subprotocol both sides must name.
pub const PROTOCOL: &str = "graphql-transport-ws";

/// A message of the protocol, from either side, with `subscribe`'s payload
/// read as `P` (a JSON object by default; a server may read it straight into
/// its GraphQL request type). Unknown types, missing fields and binary frames
/// are protocol errors (close 4400); so is a message of the other side's.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Message<P = Map<String, Value>> {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    ConnectionAck {
        #[serde(default)]
        payload: Option<Value>,
    },
    Ping {
        #[serde(default)]
        payload: Option<Value>,
    },
    Pong {
        #[serde(default)]
        payload: Option<Value>,
    },
    Subscribe {
        id: String,
        payload: P,
    },
    Next {
        id: String,
        payload: Value,
    },
    Error {
        id: String,
        payload: Value,
    },
    Complete {
        id: String,
    },
}

/// Close codes the protocol defines, and the standard ones the router uses.
pub mod close {
    /// A message that is not one of the protocol's.
    pub const BAD_REQUEST: u16 = 4400;
    /// `subscribe` before `connection_ack`.
    pub const UNAUTHORIZED: u16 = 4401;
    /// The token in `connection_init` (or the upgrade request) does not verify.
    pub const FORBIDDEN: u16 = 4403;
    /// No `connection_init` in time.
    pub const INIT_TIMEOUT: u16 = 4408;
    /// `subscribe` with the id of a running operation.
    pub const SUBSCRIBER_EXISTS: u16 = 4409;
    /// A second `connection_init`.
    pub const TOO_MANY_INITS: u16 = 4429;
    /// The service shuts down, or the client stopped answering pings: clients
    /// may reconnect (graphql-ws does, for any code the protocol does not call
    /// fatal).
    pub const GOING_AWAY: u16 = 1001;
    /// The router reloaded its schema: reconnect.
    pub const SERVICE_RESTART: u16 = 1012;
}

/// A close frame's reason may hold 123 bytes: longer ones are cut (at a
/// character boundary), never refused.
pub fn close_reason(reason: &str) -> String {
    const MAX: usize = 123;
    if reason.len() <= MAX {
        return reason.to_owned();
    }
    let mut end = MAX;
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    reason[..end].to_owned()
}

/// Why a frame is not a message of the protocol. Says where and what kind of
/// fault, never the offending text: serde's messages quote the values they
/// refuse, which could be a token.
pub fn invalid_message(err: &serde_json::Error) -> String {
    use serde_json::error::Category;
    let what = match err.classify() {
        Category::Syntax | Category::Eof | Category::Io => "not JSON",
        Category::Data => "not a graphql-transport-ws message",
    };
    format!(
        "Invalid message received: {what} (line {}, column {})",
        err.line(),
        err.column()
    )
}

pub fn connection_init(payload: Option<Value>) -> String {
    match payload {
        Some(payload) => json!({ "type": "connection_init", "payload": payload }),
        None => json!({ "type": "connection_init" }),
    }
    .to_string()
}

pub fn connection_ack() -> String {
    json!({ "type": "connection_ack" }).to_string()
}

pub fn ping() -> String {
    json!({ "type": "ping" }).to_string()
}

pub fn pong(payload: Option<Value>) -> String {
    match payload {
        Some(payload) => json!({ "type": "pong", "payload": payload }),
        None => json!({ "type": "pong" }),
    }
    .to_string()
}

pub fn subscribe(id: &str, payload: Value) -> String {
    json!({ "type": "subscribe", "id": id, "payload": payload }).to_string()
}

pub fn next(id: &str, payload: Value) -> String {
    json!({ "type": "next", "id": id, "payload": payload }).to_string()
}

pub fn error(id: &str, errors: Value) -> String {
    json!({ "type": "error", "id": id, "payload": errors }).to_string()
}

pub fn complete(id: &str) -> String {
    json!({ "type": "complete", "id": id }).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_parse_and_others_do_not() {
        let subscribe: Message = serde_json::from_value(json!({
            "type": "subscribe", "id": "1",
            "payload": { "query": "subscription { x }", "variables": { "a": 1 } },
        }))
        .unwrap();
        assert!(matches!(subscribe, Message::Subscribe { id, .. } if id == "1"));
        let next: Message =
            serde_json::from_str(&super::next("7", json!({ "data": { "x": 1 } }))).unwrap();
        assert!(matches!(next, Message::Next { id, .. } if id == "7"));
        for bad in [
            json!({ "type": "subscribe", "id": "1" }),
            json!({ "type": "launch" }),
            json!({ "id": "1" }),
        ] {
            assert!(serde_json::from_value::<Message>(bad).is_err());
        }
        let err = serde_json::from_str::<Message>("{\"type\": \"secret-token\"").unwrap_err();
        assert!(!invalid_message(&err).contains("secret"));
    }

    #[test]
    fn long_close_reasons_are_cut_at_a_character_boundary() {
        let reason = "é".repeat(100);
        let cut = close_reason(&reason);
        assert!(cut.len() <= 123);
        assert!(reason.starts_with(&cut));
    }
}
