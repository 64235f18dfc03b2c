//! Schema of the inventory service: stock levels and reservations.
//!
//! Timestamps are stored as Unix milliseconds (`BIGINT`) so that expiry
//! comparisons are plain integer comparisons on both SQLite and PostgreSQL.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_inventory;
mod m20261126_000002_events;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_inventory::Migration),
            Box::new(m20261126_000002_events::Migration),
        ]
    }
}
