//! Schema of the orders service: `orders` and their `order_items`, status history,
//! checkout sagas, and the event outbox/inbox. Only the orders
//! service reads or writes these tables; other services reach orders through GraphQL.

pub use sea_orm_migration::prelude::*;

mod m20261126_000001_create_orders;
mod m20261126_000002_checkout;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261126_000001_create_orders::Migration),
            Box::new(m20261126_000002_checkout::Migration),
        ]
    }
}
