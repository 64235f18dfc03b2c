//! `stock`, `reservations` and `reservation_items`.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

/// The same SQL runs on SQLite and PostgreSQL. The `CHECK (available >= 0)` is
/// the last line of defence against overselling: even a buggy update that skipped
/// the `available >= q` condition could not drive stock negative.
const STATEMENTS: &[&str] = &[
    "CREATE TABLE stock (
        product_id TEXT PRIMARY KEY,
        available BIGINT NOT NULL CHECK (available >= 0),
        sold BIGINT NOT NULL DEFAULT 0 CHECK (sold >= 0),
        updated_at BIGINT NOT NULL
    )",
    "CREATE TABLE reservations (
        id TEXT PRIMARY KEY,
        order_id TEXT NOT NULL UNIQUE,
        status TEXT NOT NULL CHECK (status IN ('ACTIVE', 'COMMITTED', 'RELEASED', 'EXPIRED')),
        expires_at BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL
    )",
    "CREATE INDEX reservations_status_expires ON reservations (status, expires_at)",
    "CREATE TABLE reservation_items (
        reservation_id TEXT NOT NULL REFERENCES reservations (id) ON DELETE CASCADE,
        product_id TEXT NOT NULL,
        quantity BIGINT NOT NULL CHECK (quantity > 0),
        PRIMARY KEY (reservation_id, product_id)
    )",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for sql in STATEMENTS {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        for table in ["reservation_items", "reservations", "stock"] {
            db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
                .await?;
        }
        Ok(())
    }
}
