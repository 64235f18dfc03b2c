//! Version 1 of the event tables, as the services' migrations of 2026-11-26
//! created them (so they live in each service's database, next to the rows they
//! describe). Frozen: never edit. The same SQL runs on SQLite and PostgreSQL;
//! times are Unix milliseconds.

use sea_orm_migration::sea_orm::{ConnectionTrait, DbErr};

const CREATE: &[&str] = &[
    // Events waiting for (or done with) the relay. Ids are UUID v7: their text
    // order is the order they were written in.
    "CREATE TABLE IF NOT EXISTS outbox (
        id VARCHAR(36) PRIMARY KEY,
        event_type VARCHAR(64) NOT NULL,
        aggregate_id VARCHAR(64) NOT NULL,
        occurred_at BIGINT NOT NULL,
        payload TEXT NOT NULL,
        published_at BIGINT NULL
    )",
    "CREATE INDEX IF NOT EXISTS outbox_unpublished ON outbox (published_at, id)",
    // One row per event a consumer of this service has handled.
    "CREATE TABLE IF NOT EXISTS processed_events (
        consumer VARCHAR(64) NOT NULL,
        event_id VARCHAR(36) NOT NULL,
        processed_at BIGINT NOT NULL,
        PRIMARY KEY (consumer, event_id)
    )",
];

/// Creates `outbox` and `processed_events` (a migration's `up`).
pub async fn create_tables(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for sql in CREATE {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

/// Drops them again (a migration's `down`).
pub async fn drop_tables(db: &impl ConnectionTrait) -> Result<(), DbErr> {
    for table in ["processed_events", "outbox"] {
        db.execute_unprepared(&format!("DROP TABLE IF EXISTS {table}"))
            .await?;
    }
    Ok(())
}
