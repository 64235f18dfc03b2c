//! `products`: serves the products subgraph.

use anyhow::Context;
use clap::Parser;
use shop_products::{Config, build_app};

#[derive(Parser)]
#[command(about = "The products subgraph: catalog and search")]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:4002")]
    listen: String,
    /// SQLite or PostgreSQL URL.
    #[arg(
        long,
        env = "PRODUCTS_DATABASE_URL",
        default_value = "sqlite://data/products.db?mode=rwc"
    )]
    database_url: String,
    /// Load the demo catalog into an empty database.
    #[arg(long)]
    seed: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let telemetry =
        shop_common::telemetry::init("products").context("setting up logs and traces")?;
    let args = Args::parse();
    let mut config = Config::new(args.database_url);
    config.seed = args.seed;
    let app = build_app(config).await.context("starting products")?;
    let listener = tokio::net::TcpListener::bind(&args.listen)
        .await
        .with_context(|| format!("cannot listen on {}", args.listen))?;
    tracing::info!(address = %args.listen, "products listening");
    shop_common::server::serve(listener, app, shop_common::server::shutdown_signal())
        .await
        .context("serving products")?;
    telemetry.shutdown().await;
    Ok(())
}
