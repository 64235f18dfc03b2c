//! `GET /.well-known/jwks.json`: the public key(s) a service signs its tokens with
//! (customers' tokens from users, service tokens from a calling service), which
//! verifiers fetch to check tokens without a shared secret.

use std::sync::Arc;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use jsonwebtoken::jwk::JwkSet;

pub const JWKS_PATH: &str = "/.well-known/jwks.json";

pub fn routes(set: JwkSet) -> Router {
    let set = Arc::new(set);
    Router::new().route(
        JWKS_PATH,
        get(move || {
            let set = Arc::clone(&set);
            async move {
                // Verifiers refetch on an unknown `kid`, so caching for a few
                // minutes only delays nothing but needless requests.
                (
                    [(header::CACHE_CONTROL, "public, max-age=300")],
                    Json(set.as_ref().clone()),
                )
                    .into_response()
            }
        }),
    )
}
