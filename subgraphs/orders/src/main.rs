//! `orders`: serves the orders subgraph.

use anyhow::Context;
use clap::Parser;
use shop_orders::{Config, DEFAULT_JWKS_URL, build_app};

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
    /// The users service's JWKS, to verify bearer tokens.
    #[arg(long, default_value = DEFAULT_JWKS_URL, env = "ORDERS_JWKS_URL")]
    jwks_url: String,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shop_common::telemetry::init();
    let args = Args::parse();
    let app = build_app(Config {
        database_url: args.database_url,
        seed: args.seed,
        jwks_url: args.jwks_url,
    })
    .await
    .context("starting the orders service")?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %args.listen, "orders subgraph listening");
    shop_common::server::serve(listener, app, shop_common::server::shutdown_signal())
        .await
        .context("serving")?;
    Ok(())
}
