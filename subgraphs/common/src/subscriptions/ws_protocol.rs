//! `graphql-transport-ws` as the services speak it: the messages and close
//! codes are the shared `switchyard_ws_protocol` (the router speaks the same);
//! this adds what async-graphql's types need.

use async_graphql::{Response, ServerError};
use serde_json::{Value, json};

pub(crate) use switchyard_ws_protocol::{
    PROTOCOL, close, close_reason, complete, connection_ack, invalid_message, ping, pong,
};

/// A message from a client, `subscribe`'s payload read as a GraphQL request:
/// a payload that is not one, another type, or a message only servers send
/// is refused with 4400.
pub(crate) type ClientMessage = switchyard_ws_protocol::Message<Box<async_graphql::Request>>;

pub(crate) fn next(id: &str, response: &Response) -> String {
    switchyard_ws_protocol::next(id, response_json(response))
}

pub(crate) fn error(id: &str, errors: &[ServerError]) -> String {
    let errors: Vec<Value> = errors
        .iter()
        .map(|e| serde_json::to_value(e).unwrap_or_else(|_| json!({ "message": e.message })))
        .collect();
    switchyard_ws_protocol::error(id, Value::Array(errors))
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
