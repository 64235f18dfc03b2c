//! The products subgraph: the catalog (`Product`, `Money`), paging through it and
//! ranked full-text search over names and descriptions.
//!
//! Search uses each backend's own engine (SQLite FTS5 with bm25, PostgreSQL
//! `tsvector` with `ts_rank`), set up by the `products-migration` crate.

mod cursor;
mod entity;
mod loader;
pub mod model;
mod query;
mod search_query;
mod seed;
pub mod seed_data;
mod store;

use async_graphql::{EmptyMutation, EmptySubscription, SDLExportOptions, Schema};

pub use query::{MAX_PAGE_SIZE, Query};
pub use seed::seed_if_empty;
pub use seed_data::seed_product_ids;
pub use store::ProductStore;

/// The service's GraphQL schema type.
pub type ProductsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// How to run the service.
#[derive(Debug, Clone)]
pub struct Config {
    pub database_url: String,
    /// Load the demo catalog when the database holds no products.
    pub seed: bool,
}

impl Config {
    pub fn new(database_url: impl Into<String>) -> Self {
        Self {
            database_url: database_url.into(),
            seed: false,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error("cannot open or migrate the products database: {0}")]
    Database(#[source] sea_orm::DbErr),
    #[error("cannot seed the products database: {0}")]
    Seed(#[source] sea_orm::DbErr),
}

/// Connects, migrates, seeds when asked, and returns the HTTP routes.
pub async fn build_app(config: Config) -> Result<axum::Router, StartupError> {
    let db =
        shop_common::db::connect_and_migrate::<products_migration::Migrator>(&config.database_url)
            .await
            .map_err(StartupError::Database)?;
    if config.seed {
        let added = seed::seed_if_empty(&db).await.map_err(StartupError::Seed)?;
        if added > 0 {
            tracing::info!(added, "seeded the product catalog");
        }
    }
    Ok(app_on(db))
}

/// The HTTP routes over a connection already migrated (and seeded): what
/// [`build_app`] serves, for a caller that owns the connection (a test that
/// counts its statements, say).
pub fn app_on(db: sea_orm::DatabaseConnection) -> axum::Router {
    let store = ProductStore::new(db);
    let schema = shop_common::telemetry::with_spans(schema_builder())
        .data(loader::product_loader(store.clone()))
        .data(store)
        .finish();
    shop_common::server::graphql_app("products", schema, shop_common::server::Identity::default())
}

fn schema_builder() -> async_graphql::SchemaBuilder<Query, EmptyMutation, EmptySubscription> {
    Schema::build(Query, EmptyMutation, EmptySubscription).enable_federation()
}

/// The SDL this subgraph serves at `_service { sdl }`.
pub fn sdl() -> String {
    schema_builder()
        .finish()
        .sdl_with_options(SDLExportOptions::new().federation().compose_directive())
}
