//! Orders and their line items.
//!
//! Money is integer minor units plus an ISO currency code. Each item keeps the unit
//! price it was sold at (prices in the catalog change; an order must not), and the
//! order keeps its computed total so that listing orders needs no arithmetic.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Orders {
    Table,
    Id,
    UserId,
    Status,
    TotalCents,
    Currency,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum OrderItems {
    Table,
    Id,
    OrderId,
    Position,
    ProductId,
    Quantity,
    UnitPriceCents,
    Currency,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Orders::Table)
                    .if_not_exists()
                    .col(string_len(Orders::Id, 64).primary_key())
                    .col(string_len(Orders::UserId, 64))
                    .col(string_len(Orders::Status, 32))
                    .col(big_integer(Orders::TotalCents))
                    .col(string_len(Orders::Currency, 3))
                    .col(timestamp_with_time_zone(Orders::CreatedAt))
                    .col(timestamp_with_time_zone(Orders::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        // `myOrders` and `User.orders`: one user's orders, newest first.
        manager
            .create_index(
                Index::create()
                    .name("idx_orders_user_created")
                    .table(Orders::Table)
                    .col(Orders::UserId)
                    .col(Orders::CreatedAt)
                    .if_not_exists()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(OrderItems::Table)
                    .if_not_exists()
                    .col(string_len(OrderItems::Id, 64).primary_key())
                    .col(string_len(OrderItems::OrderId, 64))
                    .col(integer(OrderItems::Position))
                    .col(string_len(OrderItems::ProductId, 64))
                    .col(integer(OrderItems::Quantity))
                    .col(big_integer(OrderItems::UnitPriceCents))
                    .col(string_len(OrderItems::Currency, 3))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_order_items_order")
                            .from(OrderItems::Table, OrderItems::OrderId)
                            .to(Orders::Table, Orders::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_order_items_order_position")
                    .table(OrderItems::Table)
                    .col(OrderItems::OrderId)
                    .col(OrderItems::Position)
                    .unique()
                    .if_not_exists()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(OrderItems::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Orders::Table).to_owned())
            .await
    }
}
