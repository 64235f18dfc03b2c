//! The event outbox (`stock.reserved`, `stock.released`, written in the
//! transaction that moves the stock) and the inbox of processed events (inventory
//! returns the stock of cancelled and failed orders).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        events_tables_migration::v1::create_tables(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        events_tables_migration::v1::drop_tables(manager.get_connection()).await
    }
}
