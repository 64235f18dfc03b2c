//! The checkout saga's state, the history of every order's status, and the event
//! outbox/inbox.
//!
//! `checkout_sagas` is what lets a checkout survive a crash: one row per order with
//! the last step that completed and what it produced (reservation, payment), so a
//! restarted service knows whether to go on or to compensate. The unique
//! `(user_id, idempotency_key)` makes a client's retry find the first order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum OrderStatusChanges {
    Table,
    Id,
    OrderId,
    Status,
    Reason,
    At,
}

#[derive(DeriveIden)]
enum CheckoutSagas {
    Table,
    OrderId,
    UserId,
    IdempotencyKey,
    Step,
    State,
    ReservationId,
    PaymentId,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(OrderStatusChanges::Table)
                    .if_not_exists()
                    .col(string_len(OrderStatusChanges::Id, 64).primary_key())
                    .col(string_len(OrderStatusChanges::OrderId, 64))
                    .col(string_len(OrderStatusChanges::Status, 32))
                    .col(text_null(OrderStatusChanges::Reason))
                    .col(timestamp_with_time_zone(OrderStatusChanges::At))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_status_changes_order")
                    .table(OrderStatusChanges::Table)
                    .col(OrderStatusChanges::OrderId)
                    .col(OrderStatusChanges::Id)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(CheckoutSagas::Table)
                    .if_not_exists()
                    .col(string_len(CheckoutSagas::OrderId, 64).primary_key())
                    .col(string_len(CheckoutSagas::UserId, 64))
                    .col(string_len(CheckoutSagas::IdempotencyKey, 255))
                    .col(string_len(CheckoutSagas::Step, 32))
                    .col(string_len(CheckoutSagas::State, 32))
                    .col(string_len_null(CheckoutSagas::ReservationId, 64))
                    .col(string_len_null(CheckoutSagas::PaymentId, 64))
                    .col(timestamp_with_time_zone(CheckoutSagas::CreatedAt))
                    .col(timestamp_with_time_zone(CheckoutSagas::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_checkout_sagas_user_key")
                    .table(CheckoutSagas::Table)
                    .col(CheckoutSagas::UserId)
                    .col(CheckoutSagas::IdempotencyKey)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        // Recovery looks for the sagas still running.
        manager
            .create_index(
                Index::create()
                    .name("idx_checkout_sagas_state")
                    .table(CheckoutSagas::Table)
                    .col(CheckoutSagas::State)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        events_tables_migration::v1::create_tables(manager.get_connection()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        events_tables_migration::v1::drop_tables(manager.get_connection()).await?;
        manager
            .drop_table(Table::drop().table(CheckoutSagas::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(OrderStatusChanges::Table).to_owned())
            .await
    }
}
