//! Plumbing every shop service needs, and nothing domain-specific: connecting to
//! and migrating its own database, verifying the JWTs the users service signs,
//! serving a GraphQL schema over HTTP with `/health` and graceful shutdown, and
//! tracing setup. Each service owns its data and its schema; this crate owns none.

pub mod auth;
pub mod db;
pub mod errors;
pub mod money;
pub mod server;
pub mod telemetry;
#[cfg(feature = "testing")]
pub mod testing;

pub use auth::{Claims, CurrentUser, JwtVerifier};
pub use errors::coded_error;
pub use money::Money;
