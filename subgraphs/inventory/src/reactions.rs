//! What inventory does when orders' events arrive. A cancelled order's units come
//! back: an `ACTIVE` reservation is released, a committed (sold) one is returned
//! to the shelf. A failed or rejected checkout's reservation is released too, in
//! case the saga could not do it itself (the expiry sweep is the last resort).

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use shop_events::event_types::{ORDER_CANCELLED, ORDER_PAYMENT_FAILED, ORDER_REJECTED};
use shop_events::{Event, EventBus, inbox, outbox};

use crate::entity::stock::{Column, Entity};
use crate::error::InventoryError;
use crate::model::ReservationStatus;
use crate::reservations::{Reservations, items_of, released_event};

/// The durable consumer's name on the bus.
pub const CONSUMER: &str = "inventory";

pub fn spawn(reservations: Reservations, bus: EventBus) {
    shop_events::consumer::spawn(
        bus,
        CONSUMER,
        &[ORDER_CANCELLED, ORDER_PAYMENT_FAILED, ORDER_REJECTED],
        move |event| {
            let reservations = reservations.clone();
            async move { handle(&reservations, &event).await }
        },
    );
}

async fn handle(reservations: &Reservations, event: &Event) -> Result<(), InventoryError> {
    let reservation = reservations.find_by_order(&event.aggregate_id).await?;
    match reservation {
        Some(r) if r.status == ReservationStatus::Active => {
            // Idempotent by itself: releasing twice changes nothing.
            reservations.release(&r.id).await?;
        }
        Some(r)
            if r.status == ReservationStatus::Committed && event.event_type == ORDER_CANCELLED =>
        {
            return return_sold(reservations, event, &r.id, &r.order_id).await;
        }
        _ => {}
    }
    if let Some(txn) = inbox::begin_once(reservations.db(), CONSUMER, event).await? {
        txn.commit().await?;
    }
    Ok(())
}

/// Puts the sold units of a cancelled order back on the shelf, once per event: the
/// inbox row and the stock change commit together.
async fn return_sold(
    reservations: &Reservations,
    event: &Event,
    reservation_id: &str,
    order_id: &str,
) -> Result<(), InventoryError> {
    let Some(txn) = inbox::begin_once(reservations.db(), CONSUMER, event).await? else {
        return Ok(());
    };
    let now = crate::clock::now_millis();
    let items = items_of(&txn, reservation_id).await?;
    for item in &items {
        let quantity = i64::from(item.quantity);
        Entity::update_many()
            .col_expr(
                Column::Available,
                Expr::col(Column::Available).add(quantity),
            )
            .col_expr(Column::Sold, Expr::col(Column::Sold).sub(quantity))
            .col_expr(Column::UpdatedAt, Expr::value(now))
            .filter(Column::ProductId.eq(item.product_id.as_str()))
            .exec(&txn)
            .await?;
    }
    outbox::record(
        &txn,
        &released_event(reservation_id, order_id, &items, "RETURNED"),
    )
    .await?;
    txn.commit().await?;
    tracing::info!(order = %order_id, "returned the units of a cancelled order");
    Ok(())
}
