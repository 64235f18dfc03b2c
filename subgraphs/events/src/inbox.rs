//! Idempotent consumers: a consumer handles an event inside a transaction that also
//! records `(consumer, event id)` in its `processed_events` table. A redelivered
//! event finds its row and is skipped; two deliveries racing each other serialize
//! on the primary key, and the loser sees the winner's row.

use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbErr, SqlErr, TransactionTrait,
};

use crate::event::Event;
use shop_common::db::statement;

/// Starts the transaction that handles `event` for `consumer`, with the event
/// already marked processed in it; `None` when it was processed before. Commit the
/// transaction after the reaction's own writes: both land, or neither.
pub async fn begin_once(
    db: &DatabaseConnection,
    consumer: &str,
    event: &Event,
) -> Result<Option<DatabaseTransaction>, DbErr> {
    let txn = db.begin().await?;
    let inserted = txn
        .execute_raw(statement(
            txn.get_database_backend(),
            "INSERT INTO processed_events (consumer, event_id, processed_at) VALUES (?, ?, ?)",
            vec![
                consumer.into(),
                event.id.to_string().into(),
                chrono::Utc::now().timestamp_millis().into(),
            ],
        ))
        .await;
    match inserted {
        Ok(_) => Ok(Some(txn)),
        Err(err) if matches!(err.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => {
            txn.rollback().await?;
            Ok(None)
        }
        Err(err) => Err(err),
    }
}
