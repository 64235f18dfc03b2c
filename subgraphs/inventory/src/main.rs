//! `inventory`: serves the inventory subgraph.

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use shop_common::auth::DEFAULT_USERS_JWKS_URL;
use shop_inventory::{Config, TrustedService, build_app};

#[derive(Parser)]
#[command(about = "The inventory subgraph: stock and reservations")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4003")]
    listen: String,
    /// SQLite or PostgreSQL URL.
    #[arg(
        long,
        env = "INVENTORY_DATABASE_URL",
        default_value = "sqlite://data/inventory.db?mode=rwc"
    )]
    database_url: String,
    /// Load demo stock into an empty database.
    #[arg(long)]
    seed: bool,
    /// Seconds a reservation holds stock unless committed.
    #[arg(long, default_value_t = 15 * 60)]
    reservation_ttl_secs: u64,
    /// Seconds between sweeps for expired reservations.
    #[arg(long, default_value_t = 10)]
    expiry_interval_secs: u64,
    /// `memory[?max_msgs=N&max_age=D]` (this process only, bounded) or
    /// `nats://host:port[?stream=NAME]` (JetStream).
    #[arg(long, default_value = "memory", env = "INVENTORY_EVENT_BUS")]
    event_bus: String,
    /// The users service's JWKS, to verify admins' tokens (restocking).
    #[arg(long, default_value = DEFAULT_USERS_JWKS_URL, env = "INVENTORY_JWKS_URL")]
    jwks_url: String,
    /// A service whose service tokens are accepted, as NAME=JWKS_URL; repeatable.
    #[arg(long = "trust-service", value_name = "NAME=JWKS_URL",
          default_values_t = [TrustedService::default_orders()])]
    trusted_services: Vec<TrustedService>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let telemetry =
        shop_common::telemetry::init("inventory").context("setting up logs and traces")?;
    let args = Args::parse();
    let mut config = Config::new(args.database_url);
    config.seed = args.seed;
    config.reservation_ttl = Duration::from_secs(args.reservation_ttl_secs);
    config.expiry_interval = Duration::from_secs(args.expiry_interval_secs);
    config.event_bus = args.event_bus;
    config.jwks_url = args.jwks_url;
    config.trusted_services = args.trusted_services;
    let app = build_app(config).await.context("starting inventory")?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %args.listen, "inventory listening");
    shop_common::server::serve(listener, app, shop_common::server::shutdown_signal())
        .await
        .context("serving inventory")?;
    telemetry.shutdown().await;
    Ok(())
}
