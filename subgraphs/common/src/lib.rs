//! Plumbing every shop service needs, and nothing of one service's domain:
//! connecting to and migrating its own database, telling who calls (customers'
//! tokens from the users service, service tokens between services, the client's
//! address behind the router), rate limits, the card checks both orders and
//! payments apply, serving a GraphQL schema over HTTP with `/health`, `/metrics` and
//! graceful shutdown, its subscriptions over WebSocket and Server-Sent Events, and
//! tracing setup. Each service owns its data and its schema; this
//! crate owns none.

pub mod auth;
pub mod card;
pub mod client_ip;
pub mod db;
pub mod directives;
pub mod errors;
pub mod jwks;
pub mod metrics;
pub mod money;
pub mod rate_limit;
pub mod server;
pub mod signing;
pub mod subscriptions;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use auth::{Authenticator, Caller, Claims, JwtVerifier};
pub use errors::coded_error;
pub use money::Money;
