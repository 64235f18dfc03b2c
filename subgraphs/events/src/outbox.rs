//! The transactional outbox. A service calls [`record`] with the transaction that
//! makes a change, so the event exists exactly when the change does; the [`Relay`]
//! publishes unpublished rows in write order and marks them. A crash between
//! publishing and marking publishes the row again on the next pass: delivery is at
//! least once, and consumers dedupe by event id.

use std::sync::Arc;
use std::time::Duration;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr};
use tokio::sync::Notify;

use crate::bus::{BusError, EventBus};
use crate::event::Event;
use shop_common::db::statement;

/// Rows published per pass; the next pass takes the rest at once.
const BATCH: i64 = 200;

/// Writes `event` to the outbox, in the caller's transaction.
pub async fn record(db: &impl ConnectionTrait, event: &Event) -> Result<(), DbErr> {
    let payload = serde_json::to_string(&event.payload)
        .map_err(|e| DbErr::Custom(format!("cannot encode event payload: {e}")))?;
    db.execute_raw(statement(
        db.get_database_backend(),
        "INSERT INTO outbox (id, event_type, aggregate_id, occurred_at, payload, published_at) \
         VALUES (?, ?, ?, ?, ?, NULL)",
        vec![
            event.id.to_string().into(),
            event.event_type.as_str().into(),
            event.aggregate_id.as_str().into(),
            event.occurred_at.timestamp_millis().into(),
            payload.into(),
        ],
    ))
    .await?;
    Ok(())
}

/// Events not yet published, oldest first.
pub async fn unpublished(db: &impl ConnectionTrait, limit: i64) -> Result<Vec<Event>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT id, event_type, aggregate_id, occurred_at, payload FROM outbox \
             WHERE published_at IS NULL ORDER BY id LIMIT ?",
            vec![limit.into()],
        ))
        .await?;
    rows.iter().map(event_from_row).collect()
}

/// Every event of `aggregate_id` in the outbox, oldest first (published or not).
pub async fn events_of(db: &impl ConnectionTrait, aggregate_id: &str) -> Result<Vec<Event>, DbErr> {
    let rows = db
        .query_all_raw(statement(
            db.get_database_backend(),
            "SELECT id, event_type, aggregate_id, occurred_at, payload FROM outbox \
             WHERE aggregate_id = ? ORDER BY id",
            vec![aggregate_id.into()],
        ))
        .await?;
    rows.iter().map(event_from_row).collect()
}

fn event_from_row(row: &sea_orm::QueryResult) -> Result<Event, DbErr> {
    let id: String = row.try_get("", "id")?;
    let payload: String = row.try_get("", "payload")?;
    let occurred_at: i64 = row.try_get("", "occurred_at")?;
    Ok(Event {
        id: id
            .parse()
            .map_err(|e| DbErr::Custom(format!("outbox id {id:?}: {e}")))?,
        event_type: row.try_get("", "event_type")?,
        aggregate_id: row.try_get("", "aggregate_id")?,
        occurred_at: chrono::DateTime::from_timestamp_millis(occurred_at)
            .ok_or_else(|| DbErr::Custom(format!("outbox time {occurred_at} out of range")))?,
        payload: serde_json::from_str(&payload)
            .map_err(|e| DbErr::Custom(format!("outbox payload of {id}: {e}")))?,
    })
}

async fn mark_published(db: &impl ConnectionTrait, event: &Event) -> Result<(), DbErr> {
    db.execute_raw(statement(
        db.get_database_backend(),
        "UPDATE outbox SET published_at = ? WHERE id = ?",
        vec![
            chrono::Utc::now().timestamp_millis().into(),
            event.id.to_string().into(),
        ],
    ))
    .await?;
    Ok(())
}

#[derive(Debug, thiserror::Error)]
pub enum RelayError {
    #[error("outbox: {0}")]
    Db(#[from] DbErr),
    #[error(transparent)]
    Bus(#[from] BusError),
}

/// Publishes every unpublished event, oldest first; stops at the first failure (the
/// rest waits for the next pass, keeping the order). Returns how many went out.
pub async fn relay_once(db: &DatabaseConnection, bus: &EventBus) -> Result<usize, RelayError> {
    let mut published = 0;
    loop {
        let batch = unpublished(db, BATCH).await?;
        if batch.is_empty() {
            return Ok(published);
        }
        for event in &batch {
            bus.publish(event).await?;
            mark_published(db, event).await?;
            published += 1;
        }
    }
}

/// The handle of a running relay: [`Relay::wake`] after committing events makes it
/// publish at once instead of at its next poll.
#[derive(Clone, Debug)]
pub struct Relay {
    notify: Arc<Notify>,
}

impl Relay {
    /// Starts the relay task: a pass at start (rows a crash left behind), on every
    /// wake, and every `poll` in case a wake was missed (another process wrote).
    pub fn spawn(db: DatabaseConnection, bus: EventBus, poll: Duration) -> Relay {
        let notify = Arc::new(Notify::new());
        let waker = notify.clone();
        tokio::spawn(async move {
            loop {
                match relay_once(&db, &bus).await {
                    Ok(_) => {}
                    Err(err) => tracing::warn!(%err, "outbox relay pass failed; retrying"),
                }
                tokio::select! {
                    _ = waker.notified() => {}
                    _ = tokio::time::sleep(poll) => {}
                }
            }
        });
        Relay { notify }
    }

    pub fn wake(&self) {
        self.notify.notify_one();
    }
}
