//! The orders subgraph: owns `Order` (with its items, status, status history and
//! total), adds `User.orders`, references `Product` by id, and runs checkout:
//! `placeOrder` is a saga orchestrated here ([`saga`]) across products (prices),
//! inventory (reservation) and payments (charge), with its state in the orders
//! database so that it survives a crash. Every read is restricted to the signed-in
//! owner (or an admin); customers' tokens are verified against the users service's
//! JWKS. The checkout calls inventory and payments with service tokens it signs
//! itself, whose public key it serves at `/.well-known/jwks.json`.

pub mod entity;
pub mod graphql;
pub mod live;
pub mod repository;
pub mod saga;
pub mod services;
pub mod status;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::SDLExportOptions;
pub use shop_common::auth::TrustedService;
use shop_common::auth::{self, DEFAULT_USERS_JWKS_URL, ServiceTokens};
use shop_common::rate_limit::{KeyedLimiter, RateLimit};
use shop_common::server::Identity;
use shop_common::signing::{SigningKey, SigningKeyError};
pub use shop_common::subscriptions::SubscriptionLimits;
/// The type of [`Config::bus`], for launchers that share one bus.
pub use shop_events::EventBus;

/// The name this service signs its service tokens with (and the audience of
/// service tokens addressed to it).
pub const SERVICE_NAME: &str = "orders";
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
    /// The users service's JWKS, used to verify customers' tokens.
    pub jwks_url: String,
    /// Services whose service tokens are accepted (to read any order); none by
    /// default.
    pub trusted_services: Vec<TrustedService>,
    /// PKCS#8 PEM Ed25519 key to sign service tokens with. Without one, a key is
    /// generated at every start (tokens live minutes; verifiers refetch the JWKS on
    /// an unknown key): give every instance the same file when several run.
    pub service_key_path: Option<PathBuf>,
    /// Failed payments allowed per customer (card testing).
    pub declined_cards_per_user: RateLimit,
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

    /// Limits of `orderStatusChanged` subscriptions (`/graphql/ws`, `/graphql/stream`).
    pub subscriptions: SubscriptionLimits,
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Config {
        Config {
            database_url: database_url.into(),
            seed: false,
            jwks_url: DEFAULT_USERS_JWKS_URL.to_owned(),
            trusted_services: Vec::new(),
            service_key_path: None,
            declined_cards_per_user: "5/1h".parse().expect("valid limit"),
            products_url: DEFAULT_PRODUCTS_URL.to_owned(),
            inventory_url: DEFAULT_INVENTORY_URL.to_owned(),
            payments_url: DEFAULT_PAYMENTS_URL.to_owned(),
            call_timeout: Duration::from_secs(10),
            event_bus: "memory".to_owned(),
            bus: None,
            subscriptions: SubscriptionLimits::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open or migrate the orders database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("cannot connect to the event bus: {0}")]
    Bus(#[from] shop_events::BusError),
    #[error("service token key: {0}")]
    ServiceKey(#[from] SigningKeyError),
}

/// Connects, migrates, starts the outbox relay and the live feed of status
/// changes, resumes interrupted checkouts, and returns the service's routes
/// (`/graphql`, `/graphql/ws`, `/graphql/stream`, `/health`). Must run inside Tokio.
pub async fn build_app(config: Config) -> Result<axum::Router, StartupError> {
    let db =
        shop_common::db::connect_and_migrate::<orders_migration::Migrator>(&config.database_url)
            .await?;
    let bus = match config.bus {
        Some(bus) => bus,
        None => EventBus::connect(&config.event_bus).await?,
    };
    let relay = shop_events::outbox::Relay::spawn(db.clone(), bus.clone(), Duration::from_secs(1));
    let feed = live::feed(bus);
    let key = match &config.service_key_path {
        Some(path) => SigningKey::load_file(path).await?,
        None => SigningKey::generate()?,
    };
    let tokens = Arc::new(ServiceTokens::new(SERVICE_NAME, key));
    let jwk_set = tokens.jwk_set();
    let services = services::Services::new(
        services::ServiceUrls {
            products: config.products_url,
            inventory: config.inventory_url,
            payments: config.payments_url,
            timeout: config.call_timeout,
        },
        tokens,
    );
    let checkout = saga::Checkout::new(
        db,
        services,
        relay,
        KeyedLimiter::failures(config.declined_cards_per_user),
    );
    let resumed = checkout.recover().await?;
    if resumed > 0 {
        tracing::info!(resumed, "resuming interrupted checkouts");
    }
    let authenticator =
        auth::authenticator(SERVICE_NAME, &config.jwks_url, &config.trusted_services);
    Ok(shop_common::server::graphql_app_with(
        "orders",
        graphql::build_schema(Some((checkout, feed))),
        Identity::new(authenticator),
        config.subscriptions,
    )
    .merge(shop_common::jwks::routes(jwk_set)))
}

/// The SDL this subgraph publishes, exactly as `_service { sdl }` returns it.
pub fn sdl() -> String {
    graphql::build_schema(None)
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
