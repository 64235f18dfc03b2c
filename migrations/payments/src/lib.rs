//! Schema of the payments service: `payments` and their `refunds`. Only the payments
//! service reads or writes these tables.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_payments;
mod m20261126_000002_events;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_payments::Migration),
            Box::new(m20261126_000002_events::Migration),
        ]
    }
}
