//! The `signing_keys` table: the Ed25519 private key the service signs tokens with,
//! generated on first start and kept with the data so that tokens survive restarts.
//! `slot` is the primary key: every instance inserts its candidate key for the slot
//! with ON CONFLICT DO NOTHING and then reads the slot back, so instances starting
//! at the same time all end up signing with the one key that won. The key id is
//! not stored: it is the RFC 7638 thumbprint of the public key, derived on load.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::{string_len, text, timestamp_with_time_zone};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum SigningKeys {
    Table,
    Slot,
    PrivateKeyPem,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SigningKeys::Table)
                    .if_not_exists()
                    .col(string_len(SigningKeys::Slot, 32).primary_key())
                    .col(text(SigningKeys::PrivateKeyPem))
                    .col(timestamp_with_time_zone(SigningKeys::CreatedAt))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(SigningKeys::Table)
                    .if_exists()
                    .to_owned(),
            )
            .await
    }
}
