//! `orders`: serves the orders subgraph and runs checkouts.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use shop_common::auth::DEFAULT_USERS_JWKS_URL;
use shop_common::rate_limit::RateLimit;
use shop_orders::{
    Config, DEFAULT_INVENTORY_URL, DEFAULT_PAYMENTS_URL, DEFAULT_PRODUCTS_URL, TrustedService,
    build_app,
};

#[derive(Parser, Debug)]
#[command(about = "The Switchyard shop's orders subgraph")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4004", env = "ORDERS_LISTEN")]
    listen: String,
    /// sea-orm database URL (SQLite or PostgreSQL).
    #[arg(
        long,
        default_value = "sqlite://data/orders.db?mode=rwc",
        env = "ORDERS_DATABASE_URL"
    )]
    database_url: String,
    /// Accepted for uniformity with the other services; orders has no seed data.
    #[arg(long)]
    seed: bool,
    /// The users service's JWKS, to verify customers' tokens.
    #[arg(long, default_value = DEFAULT_USERS_JWKS_URL, env = "ORDERS_JWKS_URL")]
    jwks_url: String,
    /// A service whose service tokens may read any order, as NAME=JWKS_URL;
    /// repeatable (none by default).
    #[arg(long = "trust-service", value_name = "NAME=JWKS_URL")]
    trusted_services: Vec<TrustedService>,
    /// PKCS#8 PEM Ed25519 key to sign service tokens with (default: a new key at
    /// every start; give all instances the same file when running several).
    #[arg(long, value_name = "FILE", env = "ORDERS_SERVICE_KEY")]
    service_key: Option<PathBuf>,
    /// Failed payments allowed per customer, as COUNT/PERIOD.
    #[arg(long, value_name = "COUNT/PERIOD", default_value = "5/1h")]
    declined_cards_per_user: RateLimit,
    /// The products service (current prices).
    #[arg(long, default_value = DEFAULT_PRODUCTS_URL, env = "ORDERS_PRODUCTS_URL")]
    products_url: String,
    /// The inventory service (stock reservations).
    #[arg(long, default_value = DEFAULT_INVENTORY_URL, env = "ORDERS_INVENTORY_URL")]
    inventory_url: String,
    /// The payments service (charges).
    #[arg(long, default_value = DEFAULT_PAYMENTS_URL, env = "ORDERS_PAYMENTS_URL")]
    payments_url: String,
    /// Seconds a call to another service may take.
    #[arg(long, default_value_t = 10, env = "ORDERS_CALL_TIMEOUT_SECS")]
    call_timeout_secs: u64,
    /// `memory[?max_msgs=N&max_age=D]` (this process only, bounded) or
    /// `nats://host:port[?stream=NAME]` (JetStream).
    #[arg(long, default_value = "memory", env = "ORDERS_EVENT_BUS")]
    event_bus: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let telemetry = shop_common::telemetry::init("orders").context("setting up logs and traces")?;
    let args = Args::parse();
    // `FAILPOINTS` configures the failpoints of a build with the `failpoints`
    // feature (the crash tests' build); a production build has none.
    #[cfg(feature = "failpoints")]
    let _failpoints = fail::FailScenario::setup();
    let mut config = Config::new(args.database_url);
    config.seed = args.seed;
    config.jwks_url = args.jwks_url;
    config.trusted_services = args.trusted_services;
    config.service_key_path = args.service_key;
    config.declined_cards_per_user = args.declined_cards_per_user;
    config.products_url = args.products_url;
    config.inventory_url = args.inventory_url;
    config.payments_url = args.payments_url;
    config.call_timeout = Duration::from_secs(args.call_timeout_secs);
    config.event_bus = args.event_bus;
    let app = build_app(config)
        .await
        .context("starting the orders service")?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %args.listen, "orders subgraph listening");
    shop_common::server::serve(listener, app, shop_common::server::shutdown_signal())
        .await
        .context("serving")?;
    telemetry.shutdown().await;
    Ok(())
}
