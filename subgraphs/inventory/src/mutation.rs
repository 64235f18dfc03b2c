//! The root `Mutation`: reserving, releasing and committing stock, restocking.

use async_graphql::{Context, ID, Object, Result};

use crate::error::InventoryError;
use crate::model::{Reservation, ReservationItemInput};
use crate::query::reservations;
use crate::stock;

pub struct Mutation;

#[Object]
impl Mutation {
    /// Holds every item for the order, or none (`OUT_OF_STOCK` names the first
    /// product short). Lines for the same product are added up. Calling again
    /// with the same `orderId` returns that order's reservation as it is now
    /// (even released or expired), so a retried call never holds stock twice.
    async fn reserve_stock(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        items: Vec<ReservationItemInput>,
    ) -> Result<Reservation> {
        let reservation = reservations(ctx)?
            .reserve(&order_id, items)
            .await
            .map_err(InventoryError::into_graphql)?;
        wake_relay(ctx);
        Ok(reservation)
    }

    /// Returns the reservation's units to stock. Idempotent; a committed
    /// reservation cannot be released (`CONFLICT`).
    async fn release_stock(&self, ctx: &Context<'_>, reservation_id: ID) -> Result<Reservation> {
        let reservation = reservations(ctx)?
            .release(&reservation_id)
            .await
            .map_err(InventoryError::into_graphql)?;
        wake_relay(ctx);
        Ok(reservation)
    }

    /// The units are sold: the reservation can no longer expire or be released.
    /// Idempotent; an expired or released reservation cannot be committed.
    async fn commit_reservation(
        &self,
        ctx: &Context<'_>,
        reservation_id: ID,
    ) -> Result<Reservation> {
        let reservation = reservations(ctx)?
            .commit(&reservation_id)
            .await
            .map_err(InventoryError::into_graphql)?;
        wake_relay(ctx);
        Ok(reservation)
    }

    /// Adds units to a product's stock; returns the new available count.
    async fn restock(&self, ctx: &Context<'_>, product_id: ID, quantity: i32) -> Result<i32> {
        let available = stock::restock(reservations(ctx)?.db(), &product_id, quantity)
            .await
            .map_err(InventoryError::into_graphql)?;
        Ok(i32::try_from(available).unwrap_or(i32::MAX))
    }
}

/// The `stock.*` events just written go out now rather than at the relay's next
/// poll.
fn wake_relay(ctx: &Context<'_>) {
    if let Ok(relay) = ctx.data::<shop_events::outbox::Relay>() {
        relay.wake();
    }
}
