//! The users subgraph: accounts (sign-up, sign-in with Argon2id passwords) and the
//! EdDSA-signed JWTs every other service accepts, verified against the public keys
//! this service serves at `/.well-known/jwks.json`.

mod accounts;
mod entities;
mod graphql;
mod keys;
mod limits;
mod password;
mod seed;
mod tokens;
mod validation;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use async_graphql::SDLExportOptions;
use shop_common::JwtVerifier;
use users_migration::Migrator;

pub use limits::Limits;
pub use seed::{ADMIN_EMAIL, ADMIN_PASSWORD, DEMO_EMAIL, DEMO_PASSWORD, DEMO_USER_ID};
pub use shop_common::jwks::JWKS_PATH;

use crate::accounts::{AccountError, Accounts};
use crate::keys::KeyError;
use crate::limits::Limiters;
use crate::password::{PasswordError, Passwords};
use crate::tokens::TokenIssuer;
use shop_common::Authenticator;
use shop_common::client_ip::TrustedProxies;
use shop_common::server::Identity;

/// How long a token stays valid unless configured otherwise.
pub const DEFAULT_TOKEN_TTL: Duration = Duration::from_secs(24 * 60 * 60);

#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Create the demo account (`DEMO_EMAIL` / `DEMO_PASSWORD`) in an empty database.
    pub seed: bool,
    /// A PKCS#8 PEM Ed25519 private key to sign tokens with. When `None`, the key
    /// is generated on first start and kept in the database.
    pub signing_key_path: Option<PathBuf>,
    /// Lifetime of issued tokens.
    pub token_ttl: Duration,
    /// Sign-in and sign-up rate limits.
    pub limits: Limits,
    /// Whose `X-Forwarded-For` tells the client's address (for the limits per
    /// client): the router's address in production; loopback by default.
    pub trusted_proxies: TrustedProxies,
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            seed: false,
            signing_key_path: None,
            token_ttl: DEFAULT_TOKEN_TTL,
            limits: Limits::default(),
            trusted_proxies: TrustedProxies::default(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("database: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error(transparent)]
    SigningKey(#[from] KeyError),
    #[error("cannot verify own tokens: {0}")]
    Verifier(#[from] shop_common::auth::AuthError),
    #[error(transparent)]
    Password(#[from] PasswordError),
    #[error("seeding: {0}")]
    Seed(#[from] AccountError),
}

/// Connects, migrates, loads (or creates) the signing key, optionally seeds, and
/// returns the service's routes: `/graphql`, `/health` and the JWKS.
pub async fn build_app(config: Config) -> Result<axum::Router, StartupError> {
    let db = shop_common::db::connect_and_migrate::<Migrator>(&config.database_url).await?;
    let key = match &config.signing_key_path {
        Some(path) => keys::load_file(path).await?,
        None => keys::load_or_create(&db).await?,
    };
    let jwk_set = key.jwk_set();
    let identity = Identity {
        trusted_proxies: config.trusted_proxies,
        ..Identity::new(Authenticator::new("users").users(JwtVerifier::from_jwk_set(&jwk_set)?))
    };
    let accounts = Accounts::new(
        db,
        Passwords::new().await?,
        TokenIssuer::new(key, config.token_ttl),
        Limiters::new(config.limits),
    );
    if config.seed {
        seed::development_accounts(&accounts).await?;
    }
    let schema = graphql::schema(Arc::new(accounts));
    Ok(shop_common::server::graphql_app("users", schema, identity)
        .merge(shop_common::jwks::routes(jwk_set)))
}

/// Makes the account of `email` an admin, in the database at `database_url`.
pub async fn grant_admin(database_url: &str, email: &str) -> Result<String, StartupError> {
    let db = shop_common::db::connect_and_migrate::<Migrator>(database_url).await?;
    let user = accounts::grant_admin(&db, email).await?;
    Ok(user.id)
}

/// The SDL `_service { sdl }` returns, without needing a database.
pub fn sdl() -> String {
    graphql::builder()
        .finish()
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
