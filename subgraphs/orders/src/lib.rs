//! The orders subgraph: owns `Order` (with its items, status and total), adds
//! `User.orders`, and references `Product` by id. Every read is restricted to the
//! signed-in owner; tokens are verified against the users service's JWKS.
//!
//! Placing an order (reserve stock, take payment, compensate) is the checkout saga's
//! job; it and the tests create orders through [`repository::create_order`].

pub mod entity;
pub mod graphql;
pub mod repository;
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
    /// Accepted like every service's `--seed`, but orders has no reference data:
    /// orders are created by users (through checkout), so there is nothing to seed.
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
    #[error("cannot open or migrate the orders database: {0}")]
    Database(#[from] sea_orm::DbErr),
}

/// Connects, migrates and returns the service's routes (`/graphql`, `/health`).
pub async fn build_app(config: Config) -> Result<axum::Router, StartupError> {
    let db =
        shop_common::db::connect_and_migrate::<orders_migration::Migrator>(&config.database_url)
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
