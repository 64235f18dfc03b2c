//! CORS from the config: which browser origins may call the router.
//!
//! With no origins configured, no `access-control-allow-origin` is ever sent,
//! so only same-origin pages can read responses (the safe default).

use std::time::Duration;

use http::{HeaderValue, Method};
use tower_http::cors::{AllowHeaders, AllowOrigin, CorsLayer};

use crate::config::CorsConfig;

/// Builds the layer. `config` must have passed `RouterConfig::check` (which
/// refuses `*` together with credentials, a combination browsers reject).
pub fn layer(config: &CorsConfig) -> CorsLayer {
    let origin = if config.allow_origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            config
                .allow_origins
                .iter()
                .filter_map(|origin| HeaderValue::from_str(origin).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(origin)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        // Clients send their own headers (authorization, CSRF headers, tracing);
        // mirroring what the preflight asks for is what browsers need.
        .allow_headers(AllowHeaders::mirror_request())
        .allow_credentials(config.allow_credentials)
        .max_age(Duration::from_secs(600))
}
