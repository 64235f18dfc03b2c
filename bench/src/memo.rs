//! The subgraphs' answers, kept by request body: a subgraph here is a pure
//! function of the body it is sent, so a body answered before is answered again
//! with the same bytes, without parsing or executing it.
//!
//! Why: the load generator and the four subgraphs share one core, and
//! async-graphql executing the deep workload's entity calls costs that core
//! more than the gateway under test costs its own. Answering from memory keeps
//! the load side's cost small and the same for every gateway, so the gateway
//! sets the pace. A gateway that sends a body it never sent before (other
//! representations, another order) still gets it executed: the answers are
//! the subgraph's, never made up.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Largest request body read (the widest workload's entity call is a few MB).
const MAX_REQUEST_BYTES: usize = 64 << 20;

/// Bytes of bodies and answers one subgraph keeps; past it, new bodies are
/// executed every time.
const MAX_KEPT_BYTES: usize = 256 << 20;

/// The answers one subgraph keeps.
#[derive(Debug, Default)]
pub struct Memo {
    kept: Mutex<Kept>,
}

#[derive(Debug, Default)]
struct Kept {
    answers: HashMap<Bytes, Answer>,
    bytes: usize,
}

#[derive(Debug, Clone)]
struct Answer {
    content_type: Option<HeaderValue>,
    body: Bytes,
}

impl Memo {
    fn get(&self, request: &Bytes) -> Option<Answer> {
        self.kept.lock().ok()?.answers.get(request).cloned()
    }

    fn keep(&self, request: Bytes, answer: Answer) {
        let Ok(mut kept) = self.kept.lock() else {
            return;
        };
        let size = request.len() + answer.body.len();
        if kept.bytes + size <= MAX_KEPT_BYTES && !kept.answers.contains_key(&request) {
            kept.bytes += size;
            kept.answers.insert(request, answer);
        }
    }
}

/// Middleware of a subgraph's `/graphql`: the kept answer to this body, or the
/// subgraph's own, kept when it succeeded.
pub async fn answer_from_memo(
    State(memo): State<Arc<Memo>>,
    request: Request,
    next: Next,
) -> Response {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_REQUEST_BYTES).await {
        Ok(body) => body,
        Err(error) => return (StatusCode::BAD_REQUEST, error.to_string()).into_response(),
    };
    if let Some(answer) = memo.get(&body) {
        return respond(answer);
    }
    let response = next
        .run(Request::from_parts(parts, Body::from(body.clone())))
        .await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let (parts, answer) = response.into_parts();
    let answer = match axum::body::to_bytes(answer, usize::MAX).await {
        Ok(answer) => answer,
        Err(error) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, error.to_string()).into_response();
        }
    };
    memo.keep(
        body,
        Answer {
            content_type: parts.headers.get(header::CONTENT_TYPE).cloned(),
            body: answer.clone(),
        },
    );
    Response::from_parts(parts, Body::from(answer))
}

fn respond(answer: Answer) -> Response {
    let mut response = Response::new(Body::from(answer.body));
    if let Some(content_type) = answer.content_type {
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, content_type);
    }
    response
}
