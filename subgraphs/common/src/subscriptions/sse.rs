//! Subscriptions over Server-Sent Events: the graphql-sse protocol's "distinct
//! connections" mode at [`super::SSE_PATH`]
//! (<https://github.com/enisdenjo/graphql-sse/blob/master/PROTOCOL.md>).
//!
//! One request, one operation: `POST` a GraphQL request as JSON (or `GET` with
//! `query`, `variables`, `operationName` in the query string) with
//! `Accept: text/event-stream`; the answer is a stream of `next` events, each
//! carrying one `{data, errors}` result, then one `complete` event, after which
//! the server ends the response. A request that is not a GraphQL request is
//! answered 400 with a JSON `errors` body; everything else (a refused
//! subscription, a limit reached) is a `next` event with `errors`, then
//! `complete`. When the service stops, a `next` with a `SHUTTING_DOWN` error
//! and `complete` end every stream.
//!
//! The response body is written as the client reads it: a client that reads
//! slowly holds back its subscription's stream, which then reads nothing new
//! (live updates wait as a flag). Idle streams get a comment line every
//! keep-alive interval, so proxies do not time them out.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_graphql::{Executor, Response, ServerError};
use axum::Extension;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::response::{IntoResponse, Response as HttpResponse};
use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use serde_json::json;
use tokio::sync::OwnedSemaphorePermit;

use super::drain::Draining;
use super::ws_protocol::response_json;
use super::{Live, shutting_down};
use crate::client_ip::PeerAddr;

/// `GET` or `POST /graphql/stream`.
pub(crate) async fn handler<E: Executor>(
    State(live): State<Arc<Live<E>>>,
    draining: Option<Extension<Draining>>,
    PeerAddr(peer): PeerAddr,
    method: Method,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
    body: Bytes,
) -> HttpResponse {
    if !accepts_event_stream(&headers) {
        return bad_request(
            StatusCode::NOT_ACCEPTABLE,
            "this endpoint answers with text/event-stream: send `Accept: text/event-stream`",
        );
    }
    // The reasons say where, never quote the input: it could hold a token.
    let request = if method == Method::GET {
        async_graphql::http::parse_query_string(query.as_deref().unwrap_or_default()).map_err(
            |_| "expected `query` (and optionally `variables` as JSON, `operationName`)".to_owned(),
        )
    } else {
        serde_json::from_slice::<async_graphql::Request>(&body).map_err(|err| {
            format!(
                "expected a JSON object with `query` (line {}, column {})",
                err.line(),
                err.column()
            )
        })
    };
    let request = match request {
        Ok(request) => request,
        Err(why) => {
            return bad_request(
                StatusCode::BAD_REQUEST,
                &format!("not a GraphQL request: {why}"),
            );
        }
    };
    let caller = crate::server::caller(&headers, live.identity.authenticator.as_deref()).await;
    let client_ip = live.identity.trusted_proxies.client_ip(peer, &headers);
    let draining = draining.map(|Extension(d)| d).unwrap_or_default();
    let results = match live.admission.admit(client_ip) {
        Ok(permit) => Results::Running {
            responses: live
                .executor
                .execute_stream(request.data(caller).data(client_ip), None),
            _permit: permit,
        },
        Err(refused) => Results::Refused(refused),
    };
    Sse::new(events(results, draining.started()))
        .keep_alive(KeepAlive::new().interval(live.limits.keep_alive))
        .into_response()
}

/// A missing `Accept` takes what comes; otherwise it must allow an event stream.
fn accepts_event_stream(headers: &HeaderMap) -> bool {
    let accepted: Vec<&str> = headers
        .get_all(http::header::ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(|media| media.split(';').next().unwrap_or_default().trim())
        .collect();
    accepted.is_empty()
        || accepted
            .iter()
            .any(|media| matches!(*media, "text/event-stream" | "text/*" | "*/*"))
}

fn bad_request(status: StatusCode, message: &str) -> HttpResponse {
    (
        status,
        axum::Json(json!({ "errors": [{ "message": message }] })),
    )
        .into_response()
}

enum Results {
    Running {
        responses: BoxStream<'static, Response>,
        /// The subscription's place among the service's open ones.
        _permit: OwnedSemaphorePermit,
    },
    Refused(ServerError),
}

type Stopping = Pin<Box<dyn Future<Output = ()> + Send>>;

enum Phase {
    Streaming(Results, Stopping),
    /// The last `next` went out; `complete` follows.
    Completing,
    Done,
}

/// `next` per result, then `complete`; a `SHUTTING_DOWN` `next` and `complete`
/// when `stopping` completes first.
fn events(
    results: Results,
    stopping: impl Future<Output = ()> + Send + 'static,
) -> impl Stream<Item = Result<Event, Infallible>> + Send + 'static {
    let start = Phase::Streaming(results, Box::pin(stopping));
    futures::stream::unfold(start, |phase| async move {
        match phase {
            Phase::Streaming(Results::Refused(error), _) => Some((
                next_event(&Response::from_errors(vec![error])),
                Phase::Completing,
            )),
            Phase::Streaming(
                Results::Running {
                    mut responses,
                    _permit,
                },
                mut stopping,
            ) => {
                tokio::select! {
                    biased;
                    () = &mut stopping => Some((
                        next_event(&Response::from_errors(vec![shutting_down()])),
                        Phase::Completing,
                    )),
                    response = responses.next() => match response {
                        Some(response) => Some((
                            next_event(&response),
                            Phase::Streaming(Results::Running { responses, _permit }, stopping),
                        )),
                        None => Some((complete_event(), Phase::Done)),
                    },
                }
            }
            Phase::Completing => Some((complete_event(), Phase::Done)),
            Phase::Done => None,
        }
    })
}

fn next_event(response: &Response) -> Result<Event, Infallible> {
    Ok(Event::default()
        .event("next")
        .data(response_json(response).to_string()))
}

/// Without data, as graphql-sse's own server writes it.
fn complete_event() -> Result<Event, Infallible> {
    Ok(Event::default().event("complete"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for value in accept {
            headers.append(http::header::ACCEPT, value.parse().unwrap());
        }
        headers
    }

    #[test]
    fn accept_must_allow_an_event_stream() {
        assert!(accepts_event_stream(&headers(&[])));
        assert!(accepts_event_stream(&headers(&["text/event-stream"])));
        assert!(accepts_event_stream(&headers(&[
            "application/json, text/event-stream;q=0.9"
        ])));
        assert!(accepts_event_stream(&headers(&["*/*"])));
        assert!(!accepts_event_stream(&headers(&["application/json"])));
    }

    fn running(responses: BoxStream<'static, Response>) -> Results {
        Results::Running {
            responses,
            _permit: Arc::new(tokio::sync::Semaphore::new(1))
                .try_acquire_owned()
                .expect("a permit"),
        }
    }

    #[tokio::test]
    async fn results_then_complete_or_the_shutdown_error() {
        let one = Response::new(async_graphql::Value::Null);
        let ended: Vec<_> = events(
            running(futures::stream::iter(vec![one]).boxed()),
            std::future::pending(),
        )
        .collect()
        .await;
        assert_eq!(ended.len(), 2, "next, complete");

        // A subscription that never yields ends when the service stops.
        let stopped: Vec<_> = events(
            running(futures::stream::pending().boxed()),
            std::future::ready(()),
        )
        .collect()
        .await;
        assert_eq!(stopped.len(), 2, "the shutdown next, complete");

        let refused: Vec<_> = events(
            Results::Refused(ServerError::new("no", None)),
            std::future::pending(),
        )
        .collect()
        .await;
        assert_eq!(refused.len(), 2, "the refusal next, complete");
    }
}
