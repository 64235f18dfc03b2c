//! The caller's bearer token, kept for the duration of their request so that the
//! checkout can charge as the customer: payments records who paid from the token it
//! verifies itself, so orders forwards it rather than holding a credential of its
//! own that could charge anyone.

use axum::extract::Request;
use axum::middleware::Next;
use axum::response::Response;

tokio::task_local! {
    static BEARER: Option<String>;
}

/// Middleware: runs the request with its `Authorization: Bearer` token in reach.
pub async fn capture(request: Request, next: Next) -> Response {
    let token = request
        .headers()
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(|t| t.trim().to_owned());
    BEARER.scope(token, next.run(request)).await
}

/// The current request's token, if it carried one.
pub fn current() -> Option<String> {
    BEARER.try_with(Clone::clone).ok().flatten()
}
