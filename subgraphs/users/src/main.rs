//! `users`: runs the users subgraph.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use shop_users::{Config, build_app};

/// The users subgraph: accounts, sign-in and the JWTs the shop accepts.
#[derive(Parser)]
#[command(version)]
struct Args {
    /// Address to listen on.
    #[arg(long, env = "USERS_LISTEN", default_value = "127.0.0.1:4001")]
    listen: SocketAddr,
    /// sea-orm database URL (SQLite or PostgreSQL).
    #[arg(
        long,
        env = "USERS_DATABASE_URL",
        default_value = "sqlite://data/users.db?mode=rwc"
    )]
    database_url: String,
    /// Create a demo account in an empty database.
    #[arg(long)]
    seed: bool,
    /// PKCS#8 PEM Ed25519 private key to sign tokens with (default: a key generated
    /// on first start and stored in the database).
    #[arg(long = "signing-key", value_name = "FILE", env = "USERS_SIGNING_KEY")]
    signing_key: Option<PathBuf>,
    /// Lifetime of issued tokens, in seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 86_400,
          value_parser = clap::value_parser!(u64).range(1..))]
    token_ttl_secs: u64,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shop_common::telemetry::init();
    let args = Args::parse();
    let config = Config {
        signing_key_path: args.signing_key,
        token_ttl: Duration::from_secs(args.token_ttl_secs),
        seed: args.seed,
        ..Config::new(args.database_url)
    };
    let app = build_app(config)
        .await
        .context("starting the users service")?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("binding {}", args.listen))?;
    tracing::info!(address = %args.listen, "users subgraph listening");
    shop_common::server::serve(listener, app, shop_common::server::shutdown_signal())
        .await
        .context("serving")?;
    Ok(())
}
