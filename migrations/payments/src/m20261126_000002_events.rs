//! The event outbox (`payment.succeeded`, `payment.failed`, `payment.refunded`,
//! written in the charge's or refund's transaction) and the inbox of processed
//! events (payments refunds the payment of a cancelled or failed order).

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
