//! `orderStatusChanged`, for the order's owner (and admins).

use async_graphql::{Context, ID, Subscription as SubscriptionObject};
use futures::{Stream, StreamExt};
use shop_common::directives::authenticated;
use shop_common::{Caller, coded_error};
use shop_events::live::LiveFeed;

use super::Order;
use crate::live::{self, LiveError};
use crate::repository;

pub struct Subscription;

#[SubscriptionObject]
impl Subscription {
    /// The order each time its status changes. The first event is the order as
    /// it is when the subscription starts (so nothing between reading the order
    /// and subscribing is missed); then one event per status change, in order,
    /// each status exactly once (the order as of that change: `status`,
    /// `statusReason`, `statusHistory` up to it), whether the checkout, a
    /// cancellation or another instance of the service made it. The stream
    /// completes after a final status (`REJECTED`, `PAYMENT_FAILED`,
    /// `CANCELLED`), and ends with `UNAUTHENTICATED` when the token expires.
    /// The owner's and admins' only: anyone else's subscription is refused
    /// exactly like a missing order (`NOT_FOUND`).
    #[graphql(directive = authenticated::apply())]
    async fn order_status_changed(
        &self,
        ctx: &Context<'_>,
        order_id: ID,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<Order>> + use<>> {
        let claims = Caller::from_ctx(ctx).user()?;
        let feed = ctx
            .data::<LiveFeed>()
            .map_err(|e| shop_common::errors::internal_error("live feed missing", e.message))?;
        let db = super::db(ctx)?.clone();
        // Watch first, read second: a change committed after the read wakes it.
        let watch = feed.watch(order_id.as_str());
        let order = repository::find_order(&db, order_id.as_str())
            .await
            .map_err(|e| shop_common::errors::internal_error("cannot load order", e))?
            .filter(|o| o.order.user_id == claims.sub || claims.is_admin())
            .ok_or_else(|| {
                coded_error(
                    "NOT_FOUND",
                    format!("no order with id {}", order_id.as_str()),
                )
            })?;
        let expires_at = token_expiry(claims.exp);
        Ok(live::statuses(db, order, watch, expires_at)
            .map(|next| next.map(Order).map_err(live_error)))
    }
}

/// When a token with `exp` (Unix seconds) expires, on the runtime's clock.
fn token_expiry(exp: i64) -> tokio::time::Instant {
    let left = exp.saturating_sub(chrono::Utc::now().timestamp()).max(0);
    let left = std::time::Duration::from_secs(u64::try_from(left).unwrap_or(0));
    let now = tokio::time::Instant::now();
    // A lifetime too long for the clock means "never within this process".
    now.checked_add(left)
        .unwrap_or_else(|| now + std::time::Duration::from_secs(100 * 365 * 24 * 3600))
}

fn live_error(error: LiveError) -> async_graphql::Error {
    match error {
        LiveError::TokenExpired => coded_error(
            "UNAUTHENTICATED",
            "the bearer token expired: subscribe again with a fresh one",
        ),
        LiveError::Gone => coded_error("NOT_FOUND", "the order is gone"),
        LiveError::Db(err) => shop_common::errors::internal_error("cannot read the order", err),
    }
}
