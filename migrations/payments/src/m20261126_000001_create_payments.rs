//! Payments and refunds.
//!
//! The unique constraints carry the money-safety rules: an idempotency key names at
//! most one payment (a retried charge finds the first one instead of charging twice),
//! and a payment has at most one refund. Card data is reduced to brand and last four
//! digits before it gets here: there is no column for a full number or a CVC.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Payments {
    Table,
    Id,
    OrderId,
    UserId,
    AmountCents,
    Currency,
    Status,
    DeclineReason,
    CardBrand,
    CardLast4,
    IdempotencyKey,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Refunds {
    Table,
    Id,
    PaymentId,
    IdempotencyKey,
    AmountCents,
    Currency,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Payments::Table)
                    .if_not_exists()
                    .col(string_len(Payments::Id, 64).primary_key())
                    .col(string_len(Payments::OrderId, 64))
                    .col(string_len(Payments::UserId, 64))
                    .col(big_integer(Payments::AmountCents))
                    .col(string_len(Payments::Currency, 3))
                    .col(string_len(Payments::Status, 32))
                    .col(string_len_null(Payments::DeclineReason, 64))
                    .col(string_len(Payments::CardBrand, 32))
                    .col(string_len(Payments::CardLast4, 4))
                    .col(string_len_uniq(Payments::IdempotencyKey, 255))
                    .col(timestamp_with_time_zone(Payments::CreatedAt))
                    .col(timestamp_with_time_zone(Payments::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // `Order.payment`: the payments of one order, newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_payments_order_created")
                    .table(Payments::Table)
                    .col(Payments::OrderId)
                    .col(Payments::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Refunds::Table)
                    .if_not_exists()
                    .col(string_len(Refunds::Id, 64).primary_key())
                    .col(string_len_uniq(Refunds::PaymentId, 64))
                    .col(string_len_uniq(Refunds::IdempotencyKey, 255))
                    .col(big_integer(Refunds::AmountCents))
                    .col(string_len(Refunds::Currency, 3))
                    .col(timestamp_with_time_zone(Refunds::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_refunds_payment")
                            .from(Refunds::Table, Refunds::PaymentId)
                            .to(Payments::Table, Payments::Id)
                            .on_delete(ForeignKeyAction::Restrict),
                    )
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Refunds::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Payments::Table).to_owned())
            .await
    }
}
