//! The payments subgraph: owns `Payment` (charges through the built-in test card
//! processor, one per order; refunds when an order is cancelled or fails) and adds
//! `Order.payment`. Charging is internal: only the checkout (a service token of
//! orders) may charge, and refunds follow events; customers read their own
//! payments. Customers' tokens are verified against the users service's JWKS,
//! service tokens against the calling service's.

pub mod entity;
pub mod graphql;
pub mod ledger;
pub mod processor;
pub mod reactions;
pub mod status;

use std::time::Duration;

use async_graphql::SDLExportOptions;
pub use shop_common::auth::TrustedService;
use shop_common::auth::{self, DEFAULT_USERS_JWKS_URL};
use shop_common::server::Identity;
/// The type of [`Config::bus`], for launchers that share one bus.
pub use shop_events::EventBus;

/// How to run the service.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Accepted like every service's `--seed`, but payments has no reference data:
    /// every payment is a real charge of a real order, so there is nothing to seed.
    pub seed: bool,
    /// The users service's JWKS, used to verify bearer tokens.
    pub jwks_url: String,
    /// `memory` or `nats://host:port`; ignored when `bus` is given.
    pub event_bus: String,
    /// A bus shared with other services of this process (the all-in-one launcher).
    pub bus: Option<EventBus>,
    /// Services whose service tokens are accepted (the checkout in orders).
    pub trusted_services: Vec<TrustedService>,
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Config {
        Config {
            database_url: database_url.into(),
            seed: false,
            jwks_url: DEFAULT_USERS_JWKS_URL.to_owned(),
            event_bus: "memory".to_owned(),
            bus: None,
            trusted_services: vec![TrustedService::default_orders()],
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open or migrate the payments database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot connect to the event bus: {0}")]
    Bus(#[from] shop_events::BusError),
}

/// Connects, migrates, starts the outbox relay and the event consumer, and returns
/// the service's routes (`/graphql`, `/health`). Must run inside Tokio.
pub async fn build_app(config: Config) -> Result<axum::Router, StartupError> {
    let db =
        shop_common::db::connect_and_migrate::<payments_migration::Migrator>(&config.database_url)
            .await?;
    let bus = match config.bus {
        Some(bus) => bus,
        None => EventBus::connect(&config.event_bus).await?,
    };
    let relay = shop_events::outbox::Relay::spawn(db.clone(), bus.clone(), Duration::from_secs(1));
    reactions::spawn(db.clone(), bus);
    let authenticator = auth::authenticator("payments", &config.jwks_url, &config.trusted_services);
    Ok(shop_common::server::graphql_app(
        "payments",
        graphql::build_schema(Some((db, relay))),
        Identity::new(authenticator),
    ))
}

/// The SDL this subgraph publishes, exactly as `_service { sdl }` returns it.
pub fn sdl() -> String {
    graphql::build_schema(None)
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
