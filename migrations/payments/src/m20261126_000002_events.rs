//! The event outbox (`payment.succeeded`, `payment.failed`, `payment.refunded`,
//! written in the charge's or refund's transaction) and the inbox of processed
//! events (payments refunds the payment of a cancelled or failed order).

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        shop_events::schema::create_tables(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        shop_events::schema::drop_tables(manager.get_connection()).await
    }
}
