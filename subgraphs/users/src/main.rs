//! `users`: runs the users subgraph.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;
use clap::{Parser, Subcommand};
use shop_common::client_ip::TrustedProxies;
use shop_common::rate_limit::RateLimit;
use shop_users::{Config, Limits, build_app};

/// The users subgraph: accounts, sign-in and the JWTs the shop accepts.
#[derive(Parser)]
#[command(version)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
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
    /// Create the development accounts (a demo customer and an admin) in an empty
    /// database.
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
    /// Failed sign-ins allowed per account, as COUNT/PERIOD.
    #[arg(long, value_name = "COUNT/PERIOD", default_value = "5/15m")]
    sign_in_failures_per_account: RateLimit,
    /// Failed sign-ins allowed per client address, as COUNT/PERIOD.
    #[arg(long, value_name = "COUNT/PERIOD", default_value = "20/15m")]
    sign_in_failures_per_client: RateLimit,
    /// Sign-ups allowed per client address, as COUNT/PERIOD.
    #[arg(long, value_name = "COUNT/PERIOD", default_value = "10/1h")]
    sign_ups_per_client: RateLimit,
    /// A network whose `X-Forwarded-For` is believed (the router's); repeatable.
    #[arg(long = "trusted-proxy", value_name = "CIDR",
          default_values = ["127.0.0.0/8", "::1/128"])]
    trusted_proxies: Vec<ipnet::IpNet>,
}

#[derive(Subcommand)]
enum Command {
    /// Makes an existing account an admin (staff: restocking, reading any
    /// customer's orders); its next sign-in gets a token with the role.
    GrantAdmin {
        /// The account's e-mail address.
        email: String,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let telemetry = shop_common::telemetry::init("users").context("setting up logs and traces")?;
    let args = Args::parse();
    if let Some(Command::GrantAdmin { email }) = &args.command {
        let id = shop_users::grant_admin(&args.database_url, email)
            .await
            .context("granting the admin role")?;
        println!("{email} (user {id}) is now an admin");
        return Ok(());
    }
    let config = Config {
        signing_key_path: args.signing_key,
        token_ttl: Duration::from_secs(args.token_ttl_secs),
        seed: args.seed,
        limits: Limits {
            sign_in_failures_per_account: args.sign_in_failures_per_account,
            sign_in_failures_per_client: args.sign_in_failures_per_client,
            sign_ups_per_client: args.sign_ups_per_client,
        },
        trusted_proxies: TrustedProxies::new(args.trusted_proxies),
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
    telemetry.shutdown().await;
    Ok(())
}
