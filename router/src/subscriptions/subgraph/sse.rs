//! A subgraph subscription over Server-Sent Events, in the graphql-sse
//! "distinct connections" mode: one `POST` whose response is the stream,
//! `next` events carrying responses and a `complete` event at the end.

use std::time::Duration;

use futures::StreamExt;
use http::header;
use switchyard_executor::{FetchError, SubgraphResponse};

use super::{StreamRequest, SubgraphEvent, SubgraphEvents, ended};

/// An event larger than this is refused rather than buffered without end.
const MAX_EVENT_BYTES: usize = 16 * 1024 * 1024;

pub(super) async fn open(
    http: &reqwest::Client,
    url: &str,
    request: StreamRequest<'_>,
    timeout: Duration,
) -> Result<SubgraphEvents, FetchError> {
    let mut builder = http
        .post(url)
        .header(header::ACCEPT, "text/event-stream")
        .header(header::CONTENT_TYPE, "application/json")
        .body(request.body.to_string());
    for (name, value) in request.headers {
        builder = builder.header(name, value);
    }
    let response = tokio::time::timeout(timeout, builder.send())
        .await
        .map_err(|_| FetchError::Timeout(timeout))?
        .map_err(|e| FetchError::Transport(crate::subgraph_client::error_chain(&e)))?;
    if !response.status().is_success() {
        return Err(FetchError::HttpStatus {
            status: response.status().as_u16(),
        });
    }
    let is_event_stream = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/event-stream"));
    if !is_event_stream {
        return Err(FetchError::InvalidResponse(
            "the subgraph did not answer with text/event-stream".into(),
        ));
    }
    let reader = Reader {
        response,
        buffer: Vec::new(),
    };
    Ok(futures::stream::unfold(Some(reader), next_event).boxed())
}

struct Reader {
    response: reqwest::Response,
    buffer: Vec<u8>,
}

/// One parsed event: its `event:` name and its `data:` lines joined.
struct Event {
    name: String,
    data: String,
}

async fn next_event(
    reader: Option<Reader>,
) -> Option<(Result<SubgraphEvent, FetchError>, Option<Reader>)> {
    let mut reader = reader?;
    loop {
        while let Some(event) = take_event(&mut reader.buffer) {
            match event.name.as_str() {
                "next" => {
                    let parsed = SubgraphResponse::from_slice(event.data.as_bytes())
                        .map(SubgraphEvent::Next);
                    return Some((parsed, Some(reader)));
                }
                "complete" => return None,
                // Comments, heartbeats and events of other kinds.
                _ => continue,
            }
        }
        if reader.buffer.len() > MAX_EVENT_BYTES {
            return Some((
                Err(FetchError::InvalidResponse("an event is too large".into())),
                None,
            ));
        }
        match reader.response.chunk().await {
            Ok(Some(chunk)) => reader.buffer.extend_from_slice(&chunk),
            Ok(None) => return Some((Err(ended("the subgraph closed the stream")), None)),
            Err(e) => return Some((Err(ended(crate::subgraph_client::error_chain(&e))), None)),
        }
    }
}

/// Removes the first complete event (ended by a blank line) from `buffer`.
fn take_event(buffer: &mut Vec<u8>) -> Option<Event> {
    let (end, separator) = find_blank_line(buffer)?;
    let raw: Vec<u8> = buffer.drain(..end + separator).collect();
    let text = String::from_utf8_lossy(&raw[..end]);
    let mut event = Event {
        name: "message".to_owned(),
        data: String::new(),
    };
    for line in text.lines() {
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "event" => event.name = value.to_owned(),
            "data" => {
                if !event.data.is_empty() {
                    event.data.push('\n');
                }
                event.data.push_str(value);
            }
            _ => {}
        }
    }
    Some(event)
}

/// Where the first event ends, and the length of the blank line ending it.
fn find_blank_line(buffer: &[u8]) -> Option<(usize, usize)> {
    (0..buffer.len()).find_map(|i| {
        let rest = &buffer[i..];
        if rest.starts_with(b"\r\n\r\n") {
            Some((i, 4))
        } else if rest.starts_with(b"\n\n") {
            Some((i, 2))
        } else {
            None
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_split_on_blank_lines_with_either_line_ending() {
        let mut buffer =
            b": heartbeat\n\nevent: next\ndata: {\"data\":\ndata: 1}\n\nevent: complete\r\ndata:\r\n\r\nevent: ne"
                .to_vec();
        let comment = take_event(&mut buffer).unwrap();
        assert_eq!(comment.name, "message");
        let next = take_event(&mut buffer).unwrap();
        assert_eq!(
            (next.name.as_str(), next.data.as_str()),
            ("next", "{\"data\":\n1}")
        );
        assert_eq!(take_event(&mut buffer).unwrap().name, "complete");
        assert!(take_event(&mut buffer).is_none());
        assert_eq!(buffer, b"event: ne");
    }
}
