//! The orders subgraph: owns `Order` (with its items, status, status history and
//! total), adds `User.orders`, references `Product` by id, and runs checkout:
//! `placeOrder` is a saga orchestrated here ([`saga`]) across products (prices),
//! inventory (reservation) and payments (charge), with its state in the orders
//! database so that it survives a crash. Every read is restricted to the signed-in
//! owner; tokens are verified against the users service's JWKS.

pub mod bearer;
pub mod entity;
pub mod graphql;
pub mod repository;
pub mod saga;
pub mod services;
pub mod status;

use std::sync::Arc;
use std::time::Duration;

use async_graphql::SDLExportOptions;
use shop_common::JwtVerifier;
/// The type of [`Config::bus`], for launchers that share one bus.
pub use shop_events::EventBus;

/// Where the users service publishes its signing keys by default.
pub const DEFAULT_JWKS_URL: &str = "http://127.0.0.1:4001/.well-known/jwks.json";
pub const DEFAULT_PRODUCTS_URL: &str = "http://127.0.0.1:4002/graphql";
pub const DEFAULT_INVENTORY_URL: &str = "http://127.0.0.1:4003/graphql";
pub const DEFAULT_PAYMENTS_URL: &str = "http://127.0.0.1:4005/graphql";

/// How to run the service.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Accepted like every service's `--seed`, but orders has no reference data:
    /// orders are created by users (through checkout), so there is nothing to seed.
    pub seed: bool,
    /// The users service's JWKS, used to verify bearer tokens.
    pub jwks_url: String,
    pub products_url: String,
    pub inventory_url: String,
    pub payments_url: String,
    /// How long a call to another service may take.
    pub call_timeout: Duration,
    /// `memory` or `nats://host:port`; ignored when `bus` is given.
    pub event_bus: String,
    /// A bus shared with other services of this process (the all-in-one launcher).
    pub bus: Option<EventBus>,
    /// Test hook: the saga sleeps after this step (`reserved`), so a test can kill
    /// the process there.
    pub pause_after_step: Option<saga::Step>,
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Config {
        Config {
            database_url: database_url.into(),
            seed: false,
            jwks_url: DEFAULT_JWKS_URL.to_owned(),
            products_url: DEFAULT_PRODUCTS_URL.to_owned(),
            inventory_url: DEFAULT_INVENTORY_URL.to_owned(),
            payments_url: DEFAULT_PAYMENTS_URL.to_owned(),
            call_timeout: Duration::from_secs(10),
            event_bus: "memory".to_owned(),
            bus: None,
            pause_after_step: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open or migrate the orders database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot connect to the event bus: {0}")]
    Bus(#[from] shop_events::BusError),
}

/// Connects, migrates, starts the outbox relay, resumes interrupted checkouts, and
/// returns the service's routes (`/graphql`, `/health`). Must run inside Tokio.
pub async fn build_app(config: Config) -> Result<axum::Router, StartupError> {
    let db =
        shop_common::db::connect_and_migrate::<orders_migration::Migrator>(&config.database_url)
            .await?;
    let bus = match config.bus {
        Some(bus) => bus,
        None => EventBus::connect(&config.event_bus).await?,
    };
    let relay = shop_events::outbox::Relay::spawn(db.clone(), bus, Duration::from_secs(1));
    let services = services::Services::new(services::ServiceUrls {
        products: config.products_url,
        inventory: config.inventory_url,
        payments: config.payments_url,
        timeout: config.call_timeout,
    });
    let checkout = saga::Checkout::new(db, services, relay, config.pause_after_step);
    let resumed = checkout.recover().await?;
    if resumed > 0 {
        tracing::info!(resumed, "resuming interrupted checkouts");
    }
    let verifier = Arc::new(JwtVerifier::from_jwks_url(config.jwks_url));
    Ok(
        shop_common::server::graphql_app(graphql::build_schema(Some(checkout)), Some(verifier))
            .layer(axum::middleware::from_fn(bearer::capture)),
    )
}

/// The SDL this subgraph publishes, exactly as `_service { sdl }` returns it.
pub fn sdl() -> String {
    graphql::build_schema(None)
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
