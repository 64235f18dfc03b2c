//! A subgraph subscription over `graphql-transport-ws`: one WebSocket
//! connection per subscription (the header rules may give each client's
//! subscription different headers, so connections are not shared).

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use http::HeaderValue;
use switchyard_executor::{FetchError, GraphQLError, SubgraphResponse};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message as Frame;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{StreamRequest, SubgraphEvent, SubgraphEvents, ended};
use crate::subscriptions::Heartbeat;
use crate::subscriptions::protocol::{self, Message};

type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// The id of the one operation on the connection.
const ID: &str = "1";

pub(super) async fn open(
    url: &str,
    request: StreamRequest<'_>,
    timeout: Duration,
    heartbeat: Duration,
) -> Result<SubgraphEvents, FetchError> {
    let mut upgrade = url
        .into_client_request()
        .map_err(|e| FetchError::Transport(format!("invalid subscription URL {url:?}: {e}")))?;
    let headers = upgrade.headers_mut();
    headers.insert(
        http::header::SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static(protocol::PROTOCOL),
    );
    for (name, value) in request.headers {
        headers.insert(name.clone(), value.clone());
    }
    let handshake = async {
        // Small buffers, as for clients' connections: one is held per
        // subscription (tungstenite's default is 128 KiB each way).
        let config = WebSocketConfig::default()
            .read_buffer_size(crate::subscriptions::client_ws::BUFFER_BYTES)
            .write_buffer_size(0);
        let (mut socket, _) =
            tokio_tungstenite::connect_async_with_config(upgrade, Some(config), true)
                .await
                .map_err(|e| FetchError::Transport(format!("WebSocket to {url}: {e}")))?;
        send(&mut socket, protocol::connection_init(None)).await?;
        loop {
            match receive(&mut socket).await? {
                Some(Message::ConnectionAck { .. }) => break,
                Some(Message::Ping { payload }) => {
                    send(&mut socket, protocol::pong(payload)).await?
                }
                Some(_) => continue,
                None => return Err(ended("closed before connection_ack")),
            }
        }
        send(&mut socket, protocol::subscribe(ID, request.body)).await?;
        Ok(socket)
    };
    let socket = tokio::time::timeout(timeout, handshake)
        .await
        .map_err(|_| FetchError::Timeout(timeout))??;
    let connection = Connection {
        socket,
        heartbeat: Heartbeat::new(heartbeat),
    };
    Ok(futures::stream::unfold(Some(connection), next_event).boxed())
}

/// An open subscription. The router pings the subgraph every heartbeat: a
/// quiet subscription on a connection that died without a close would
/// otherwise wait for ever.
struct Connection {
    socket: Socket,
    heartbeat: Heartbeat,
}

/// The next event; `None` once the subgraph completed (or after an error,
/// which is always the last item).
async fn next_event(
    connection: Option<Connection>,
) -> Option<(Result<SubgraphEvent, FetchError>, Option<Connection>)> {
    let mut connection = connection?;
    loop {
        let received = tokio::select! {
            received = receive(&mut connection.socket) => received,
            ping = connection.heartbeat.due() => {
                if !ping {
                    return Some((Err(ended("the subgraph did not answer a ping")), None));
                }
                if let Err(error) = send(&mut connection.socket, protocol::ping()).await {
                    return Some((Err(error), None));
                }
                continue;
            }
        };
        let socket = &mut connection.socket;
        let message = match received {
            Ok(Some(message)) => message,
            Ok(None) => return Some((Err(ended("the subgraph closed the connection")), None)),
            Err(error) => return Some((Err(error), None)),
        };
        match message {
            Message::Next { id, payload } if id == ID => {
                let event = SubgraphResponse::from_json(payload).map(SubgraphEvent::Next);
                return Some((event, Some(connection)));
            }
            // The subgraph refused or failed the operation: its errors are the
            // answer (for example "not found" for someone else's order).
            Message::Error { id, payload } if id == ID => {
                let errors = match payload {
                    serde_json::Value::Array(errors) => errors
                        .into_iter()
                        .map(GraphQLError::from_subgraph_json)
                        .collect(),
                    other => vec![GraphQLError::from_subgraph_json(other)],
                };
                let _ = socket.close(None).await;
                let response = SubgraphResponse {
                    errors,
                    ..SubgraphResponse::default()
                };
                return Some((Ok(SubgraphEvent::Refused(response)), None));
            }
            Message::Complete { id } if id == ID => {
                let _ = socket.close(None).await;
                return None;
            }
            Message::Ping { payload } => {
                if let Err(error) = send(socket, protocol::pong(payload)).await {
                    return Some((Err(error), None));
                }
            }
            Message::Pong { .. } => connection.heartbeat.pong(),
            _ => {}
        }
    }
}

async fn send(socket: &mut Socket, text: String) -> Result<(), FetchError> {
    socket
        .send(Frame::text(text))
        .await
        .map_err(|e| ended(format!("cannot send: {e}")))
}

/// The next protocol message; `None` when the connection closed.
async fn receive(socket: &mut Socket) -> Result<Option<Message>, FetchError> {
    loop {
        let frame = match socket.next().await {
            None => return Ok(None),
            Some(Err(e)) => return Err(ended(e)),
            Some(Ok(frame)) => frame,
        };
        match frame {
            Frame::Text(text) => {
                return serde_json::from_str(text.as_str())
                    .map(Some)
                    .map_err(|e| FetchError::InvalidResponse(protocol::invalid_message(&e)));
            }
            Frame::Close(frame) => {
                return match frame {
                    Some(frame) if u16::from(frame.code) != 1000 => Err(ended(format!(
                        "the subgraph closed the connection ({} {})",
                        u16::from(frame.code),
                        frame.reason
                    ))),
                    _ => Ok(None),
                };
            }
            // Pings are answered by tungstenite; binary frames are not the protocol's.
            Frame::Binary(_) => {
                return Err(FetchError::InvalidResponse(
                    "a binary frame is not a graphql-transport-ws message".into(),
                ));
            }
            _ => continue,
        }
    }
}
