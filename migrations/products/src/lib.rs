//! Schema of the products service: the catalog and its full-text index.
//!
//! Search needs each backend's native full-text engine, so the SQL differs per
//! backend: SQLite gets an FTS5 table kept in sync by triggers, PostgreSQL a
//! weighted `tsvector` column with a GIN index.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_products;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261126_000001_create_products::Migration)]
    }
}
