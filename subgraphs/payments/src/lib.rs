//! The payments subgraph: owns `Payment` (charges through the built-in test card
//! processor, refunds, idempotency keys) and adds `Order.payment`. Charging and
//! refunding need a signed-in user; tokens are verified against the users service's
//! JWKS.

pub mod entity;
pub mod graphql;
pub mod ledger;
pub mod processor;
pub mod status;

use std::sync::Arc;

use async_graphql::SDLExportOptions;
use shop_common::JwtVerifier;

/// Where the users service publishes its signing keys by default.
pub const DEFAULT_JWKS_URL: &str = "http://127.0.0.1:4001/.well-known/jwks.json";

/// How to run the service.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Accepted like every service's `--seed`, but payments has no reference data:
    /// every payment is a real charge of a real order, so there is nothing to seed.
    pub seed: bool,
    /// The users service's JWKS, used to verify bearer tokens.
    pub jwks_url: String,
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Config {
        Config {
            database_url: database_url.into(),
            seed: false,
            jwks_url: DEFAULT_JWKS_URL.to_owned(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open or migrate the payments database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// Connects, migrates and returns the service's routes (`/graphql`, `/health`).
pub async fn build_app(config: Config) -> Result<axum::Router, StartupError> {
    let db =
        shop_common::db::connect_and_migrate::<payments_migration::Migrator>(&config.database_url)
            .await?;
    let verifier = Arc::new(JwtVerifier::from_jwks_url(config.jwks_url));
    Ok(shop_common::server::graphql_app(
        graphql::build_schema(Some(db)),
        Some(verifier),
    ))
}

/// The SDL this subgraph publishes, exactly as `_service { sdl }` returns it.
pub fn sdl() -> String {
    graphql::build_schema(None)
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
