//! `payments`: serves the payments subgraph.

use anyhow::Context;
use clap::Parser;
use shop_common::auth::DEFAULT_USERS_JWKS_URL;
use shop_payments::{Config, TrustedService, build_app};

#[derive(Parser, Debug)]
#[command(about = "The Switchyard shop's payments subgraph")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4005", env = "PAYMENTS_LISTEN")]
    listen: String,
    /// sea-orm database URL (SQLite or PostgreSQL).
    #[arg(
        long,
        default_value = "sqlite://data/payments.db?mode=rwc",
        env = "PAYMENTS_DATABASE_URL"
    )]
    database_url: String,
    /// Accepted for uniformity with the other services; payments has no seed data.
    #[arg(long)]
    seed: bool,
    /// The users service's JWKS, to verify bearer tokens.
    #[arg(long, default_value = DEFAULT_USERS_JWKS_URL, env = "PAYMENTS_JWKS_URL")]
    jwks_url: String,
    /// A service whose service tokens are accepted, as NAME=JWKS_URL; repeatable.
    #[arg(long = "trust-service", value_name = "NAME=JWKS_URL",
          default_values_t = [TrustedService::default_orders()])]
    trusted_services: Vec<TrustedService>,
    /// `memory[?max_msgs=N&max_age=D]` (this process only, bounded) or
    /// `nats://host:port[?stream=NAME]` (JetStream).
    #[arg(long, default_value = "memory", env = "PAYMENTS_EVENT_BUS")]
    event_bus: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let telemetry =
        shop_common::telemetry::init("payments").context("setting up logs and traces")?;
    let args = Args::parse();
    let mut config = Config::new(args.database_url);
    config.seed = args.seed;
    config.jwks_url = args.jwks_url;
    config.trusted_services = args.trusted_services;
    config.event_bus = args.event_bus;
    let app = build_app(config)
        .await
        .context("starting the payments service")?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %args.listen, "payments subgraph listening");
    shop_common::server::serve(listener, app, shop_common::server::shutdown_signal())
        .await
        .context("serving")?;
    telemetry.shutdown().await;
    Ok(())
}
