//! The inventory subgraph: stock levels on `Product` (with a shipping estimate
//! that `@requires` the price and weight owned by products), and reservations
//! that hold stock for an order all-or-nothing without ever overselling.

mod clock;
mod entity;
mod error;
mod expiry;
mod live;
mod loader;
pub mod model;
mod mutation;
mod product;
mod query;
mod reactions;
mod reservations;
mod seed;
pub mod shipping;
mod status;
mod stock;
mod subscription;

use std::time::Duration;

use async_graphql::{SDLExportOptions, Schema};
/// The type of [`Config::bus`], for launchers that share one bus.
pub use shop_events::EventBus;

pub use error::InventoryError;
pub use shop_common::auth::TrustedService;

pub use mutation::Mutation;
pub use query::Query;
pub use reservations::Reservations;
pub use seed::{SEED_PRODUCT_COUNT, seed_if_empty, seed_product_ids};
use shop_common::auth::{self, DEFAULT_USERS_JWKS_URL};
use shop_common::server::Identity;
pub use shop_common::subscriptions::SubscriptionLimits;
pub use subscription::Subscription;

/// The service's GraphQL schema type.
pub type InventorySchema = Schema<Query, Mutation, Subscription>;

/// How to run the service.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Load demo stock when the database holds none.
    pub seed: bool,
    /// How long a reservation holds its stock unless committed.
    pub reservation_ttl: Duration,
    /// How often the background sweep looks for expired reservations.
    pub expiry_interval: Duration,
    /// `memory` or `nats://host:port`; ignored when `bus` is given.
    pub event_bus: String,
    /// A bus shared with other services of this process (the all-in-one launcher).
    pub bus: Option<EventBus>,
    /// The users service's JWKS: admins' tokens (restocking).
    pub jwks_url: String,
    /// Services whose service tokens are accepted (the checkout in orders).
    pub trusted_services: Vec<TrustedService>,
    /// Limits of `stockChanged` subscriptions (`/graphql/ws`, `/graphql/stream`).
    pub subscriptions: SubscriptionLimits,
}

impl Config {
    /// Reservations last 15 minutes; the sweep runs every 10 seconds.
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            seed: false,
            reservation_ttl: Duration::from_secs(15 * 60),
            expiry_interval: Duration::from_secs(10),
            event_bus: "memory".to_owned(),
            bus: None,
            jwks_url: DEFAULT_USERS_JWKS_URL.to_owned(),
            trusted_services: vec![TrustedService::default_orders()],
            subscriptions: SubscriptionLimits::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open or migrate the inventory database: {0}")]
    Database(#[source] sea_orm::DbErr),
    #[error("cannot seed the inventory database: {0}")]
    Seed(#[source] sea_orm::DbErr),
    #[error("cannot connect to the event bus: {0}")]
    Bus(#[from] shop_events::BusError),
    #[error("the expiry interval must be positive")]
    ZeroExpiryInterval,
}

/// Connects, migrates, seeds when asked, and serves what [`app_on`] does. Must be
/// called inside a Tokio runtime (the sweep is a task).
pub async fn build_app(config: Config) -> Result<axum::Router, StartupError> {
    // Refused before connecting: a bad flag should not touch the database.
    if config.expiry_interval.is_zero() {
        return Err(StartupError::ZeroExpiryInterval);
    }
    let db =
        shop_common::db::connect_and_migrate::<inventory_migration::Migrator>(&config.database_url)
            .await
            .map_err(StartupError::Database)?;
    if config.seed {
        let added = seed::seed_if_empty(&db).await.map_err(StartupError::Seed)?;
        if added > 0 {
            tracing::info!(added, "seeded stock");
        }
    }
    app_on(db, config).await
}

/// Over a connection already migrated (and seeded): starts the expiry sweep, the
/// outbox relay, the event consumer and the live feed of stock changes, and
/// returns the HTTP routes. For a caller that owns the connection (a test that
/// records its statements, say); `database_url` and `seed` are not used.
pub async fn app_on(
    db: sea_orm::DatabaseConnection,
    config: Config,
) -> Result<axum::Router, StartupError> {
    if config.expiry_interval.is_zero() {
        return Err(StartupError::ZeroExpiryInterval);
    }
    let bus = match config.bus {
        Some(bus) => bus,
        None => EventBus::connect(&config.event_bus).await?,
    };
    let relay = shop_events::outbox::Relay::spawn(db.clone(), bus.clone(), Duration::from_secs(1));
    let reservations = Reservations::new(db, config.reservation_ttl);
    expiry::spawn_sweeper(reservations.clone(), config.expiry_interval);
    reactions::spawn(reservations.clone(), bus.clone());
    let schema = shop_common::telemetry::with_spans(schema_builder())
        .data(live::feed(bus))
        .data(relay)
        .data(loader::stock_loader(reservations.db().clone()))
        .data(reservations)
        .finish();
    let authenticator =
        auth::authenticator("inventory", &config.jwks_url, &config.trusted_services);
    Ok(shop_common::server::graphql_app_with(
        "inventory",
        schema,
        Identity::new(authenticator),
        config.subscriptions,
    ))
}

fn schema_builder() -> async_graphql::SchemaBuilder<Query, Mutation, Subscription> {
    Schema::build(Query, Mutation, Subscription)
        .enable_federation()
        // async-graphql leaves the subscription type out of a federated SDL unless told.
        .enable_subscription_in_federation()
}

/// The SDL this subgraph serves at `_service { sdl }`.
pub fn sdl() -> String {
    schema_builder()
        .finish()
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
