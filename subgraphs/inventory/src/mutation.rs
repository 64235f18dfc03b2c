//! The root `Mutation`: reserving, releasing and committing stock (internal
//! operations of the checkout: `@inaccessible`, and refused unless the caller is a
//! service whose token grants the scope), and restocking (admins only).

use async_graphql::{Context, ID, Object, Result};
use shop_common::Caller;
use shop_common::auth::scopes;

use crate::error::InventoryError;
use crate::model::{Reservation, ReservationItemInput};
use crate::query::reservations;
use crate::stock;

pub struct Mutation;

#[Object]
impl Mutation {
    /// Holds every item for the order, or none (`OUT_OF_STOCK` names the first
    /// product short). Lines for the same product are added up. Calling again
    /// with the same `orderId` and items returns that order's reservation as it
    /// is now (even released or expired), so a retried call never holds stock
    /// twice; other items for the same order are a `CONFLICT`. Internal: needs a
    /// service token with `stock:reserve`.
    #[graphql(inaccessible)]
    async fn reserve_stock(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
        items: Vec<ReservationItemInput>,
    ) -> Result<Reservation> {
        Caller::from_ctx(ctx).service(scopes::STOCK_RESERVE)?;
        let reservation = reservations(ctx)?
            .reserve(&order_id, items)
            .await
            .map_err(InventoryError::into_graphql)?;
        wake_relay(ctx);
        Ok(reservation)
    }

    /// Returns the reservation's units to stock. Idempotent; a committed
    /// reservation cannot be released (`CONFLICT`). Internal: needs a service token
    /// with `stock:release`.
    #[graphql(inaccessible)]
    async fn release_stock(&self, ctx: &Context<'_>, reservation_id: ID) -> Result<Reservation> {
        Caller::from_ctx(ctx).service(scopes::STOCK_RELEASE)?;
        let reservation = reservations(ctx)?
            .release(&reservation_id)
            .await
            .map_err(InventoryError::into_graphql)?;
        wake_relay(ctx);
        Ok(reservation)
    }

    /// The units are sold: the reservation can no longer expire or be released.
    /// Idempotent; an expired or released reservation cannot be committed.
    /// Internal: needs a service token with `stock:commit`.
    #[graphql(inaccessible)]
    async fn commit_reservation(
        &self,
        ctx: &Context<'_>,
        reservation_id: ID,
    ) -> Result<Reservation> {
        Caller::from_ctx(ctx).service(scopes::STOCK_COMMIT)?;
        let reservation = reservations(ctx)?
            .commit(&reservation_id)
            .await
            .map_err(InventoryError::into_graphql)?;
        wake_relay(ctx);
        Ok(reservation)
    }

    /// Adds units to a product's stock; returns the new available count. Staff
    /// only: `UNAUTHENTICATED` without a token, `FORBIDDEN` unless an admin's.
    #[graphql(requires_scopes = "admin")]
    async fn restock(&self, ctx: &Context<'_>, product_id: ID, quantity: i32) -> Result<i32> {
        let admin = Caller::from_ctx(ctx).admin()?;
        tracing::info!(admin = %admin.sub, product = %product_id.as_str(), quantity, "restock");
        let available = stock::restock(reservations(ctx)?.db(), &product_id, quantity)
            .await
            .map_err(InventoryError::into_graphql)?;
        wake_relay(ctx);
        Ok(i32::try_from(available).unwrap_or(i32::MAX))
    }
}

/// The `stock.*` events just written go out now rather than at the relay's next
/// poll (`stockChanged` subscribers wait for them).
fn wake_relay(ctx: &Context<'_>) {
    if let Ok(relay) = ctx.data::<shop_events::outbox::Relay>() {
        relay.wake();
    }
}
