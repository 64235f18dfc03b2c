//! The messages and close codes of `graphql-transport-ws`
//! (<https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md>).

use async_graphql::{Response, ServerError};
use serde::Deserialize;
use serde_json::{Value, json};

/// The WebSocket subprotocol a client must ask for.
pub(crate) const PROTOCOL: &str = "graphql-transport-ws";

/// A message the client sent: anything else (other types, a `subscribe` whose
/// payload is not a GraphQL request, binary frames) is refused with 4400.
#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum ClientMessage {
    ConnectionInit {
        #[serde(default)]
        payload: Option<Value>,
    },
    Ping {
        #[serde(default)]
        payload: Option<Value>,
    },
    Pong {
        #[serde(default)]
        #[allow(dead_code)]
        payload: Option<Value>,
    },
    Subscribe {
        id: String,
        payload: Box<async_graphql::Request>,
    },
    Complete {
        id: String,
    },
}

/// Close codes the protocol defines, and the standard one for "going away".
pub(crate) mod close {
    /// A message that is not one of the protocol's.
    pub const BAD_REQUEST: u16 = 4400;
    /// `subscribe` before `connection_ack`.
    pub const UNAUTHORIZED: u16 = 4401;
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
}

/// A close frame's reason may hold 123 bytes: longer ones are cut (at a
/// character boundary), never refused.
pub(crate) fn close_reason(reason: &str) -> String {
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

/// The close reason for a message that is not the protocol's. Says where and
/// what kind of fault, never the offending text: serde's messages quote the
/// values they refuse, which could be the client's token.
pub(crate) fn invalid_message(err: &serde_json::Error) -> String {
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

pub(crate) fn connection_ack() -> String {
    json!({ "type": "connection_ack" }).to_string()
}

pub(crate) fn ping() -> String {
    json!({ "type": "ping" }).to_string()
}

pub(crate) fn pong(payload: Option<Value>) -> String {
    match payload {
        Some(payload) => json!({ "type": "pong", "payload": payload }),
        None => json!({ "type": "pong" }),
    }
    .to_string()
}

pub(crate) fn next(id: &str, response: &Response) -> String {
    json!({ "type": "next", "id": id, "payload": response_json(response) }).to_string()
}

pub(crate) fn error(id: &str, errors: &[ServerError]) -> String {
    let errors: Vec<Value> = errors
        .iter()
        .map(|e| serde_json::to_value(e).unwrap_or_else(|_| json!({ "message": e.message })))
        .collect();
    json!({ "type": "error", "id": id, "payload": errors }).to_string()
}

pub(crate) fn complete(id: &str) -> String {
    json!({ "type": "complete", "id": id }).to_string()
}

/// A response as JSON; one that cannot be encoded (it cannot happen with the
/// services' types) becomes an error response rather than a panic.
pub(crate) fn response_json(response: &Response) -> Value {
    serde_json::to_value(response).unwrap_or_else(|err| {
        tracing::error!(%err, "cannot encode a subscription response");
        json!({ "data": null, "errors": [{
            "message": "the response could not be encoded",
            "extensions": { "code": "INTERNAL_SERVER_ERROR" },
        }]})
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_messages_parse_and_others_do_not() {
        let subscribe: ClientMessage = serde_json::from_value(json!({
            "type": "subscribe", "id": "1",
            "payload": { "query": "subscription { x }", "variables": { "a": 1 } },
        }))
        .unwrap();
        assert!(matches!(subscribe, ClientMessage::Subscribe { ref id, .. } if id == "1"));
        let init: ClientMessage =
            serde_json::from_value(json!({ "type": "connection_init" })).unwrap();
        assert!(matches!(
            init,
            ClientMessage::ConnectionInit { payload: None }
        ));
        for bad in [
            json!({ "type": "start", "id": "1", "payload": { "query": "{ x }" } }),
            json!({ "type": "subscribe", "payload": { "query": "{ x }" } }),
            json!({ "type": "subscribe", "id": "1", "payload": "subscription { x }" }),
            json!({ "type": "subscribe", "id": 1, "payload": { "query": "{ x }" } }),
            json!({ "type": "complete" }),
            json!({ "id": "1" }),
            json!("ping"),
        ] {
            assert!(
                serde_json::from_value::<ClientMessage>(bad.clone()).is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn invalid_messages_are_described_without_quoting_them() {
        let err = serde_json::from_str::<ClientMessage>(
            r#"{"type":"subscribe","id":"1","payload":"Bearer secret-token"}"#,
        )
        .unwrap_err();
        let reason = invalid_message(&err);
        assert!(reason.starts_with("Invalid message received: not a graphql-transport-ws message"));
        assert!(!reason.contains("secret"), "{reason}");
        let err = serde_json::from_str::<ClientMessage>("{oops").unwrap_err();
        assert!(invalid_message(&err).contains("not JSON"));
    }

    #[test]
    fn close_reasons_fit_a_close_frame() {
        assert_eq!(close_reason("short"), "short");
        let long = "é".repeat(100);
        let cut = close_reason(&long);
        assert!(cut.len() <= 123 && long.starts_with(&cut) && !cut.is_empty());
    }
}
