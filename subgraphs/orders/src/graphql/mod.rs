//! The orders subgraph's GraphQL schema.

mod loader;
mod money;
mod mutation;
mod order;
mod query;
mod subscription;
mod user;

use async_graphql::Schema;
use sea_orm::DatabaseConnection;
use shop_events::live::LiveFeed;

use crate::saga::Checkout;

pub use money::Money;
pub use mutation::{CardInput, Mutation, OrderLineInput, PlaceOrderInput};
pub use order::{Order, OrderItem, OrderStatusChange, Product};
pub use query::Query;
pub use subscription::Subscription;
pub use user::User;

pub type OrdersSchema = Schema<Query, Mutation, Subscription>;

/// The schema, with the checkout (and its database) and the live feed of
/// status changes for resolvers when serving (`None` only to print the SDL).
pub fn build_schema(serving: Option<(Checkout, LiveFeed)>) -> OrdersSchema {
    let builder = Schema::build(Query, Mutation, Subscription)
        .enable_federation()
        // async-graphql leaves the subscription type out of a federated SDL unless told.
        .enable_subscription_in_federation();
    match serving {
        Some((checkout, feed)) => {
            let db = checkout.db().clone();
            shop_common::telemetry::with_spans(builder)
                .data(loader::order_loader(db.clone()))
                .data(db)
                .data(checkout)
                .data(feed)
                .finish()
        }
        None => builder.finish(),
    }
}

/// The resolvers' database handle.
fn db<'a>(ctx: &async_graphql::Context<'a>) -> async_graphql::Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
        .map_err(|e| shop_common::errors::internal_error("database handle missing", e.message))
}
