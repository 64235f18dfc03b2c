//! The orders subgraph's GraphQL schema.

mod loader;
mod money;
mod mutation;
mod order;
mod query;
mod user;

use async_graphql::{EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

use crate::saga::Checkout;

pub use money::Money;
pub use mutation::{CardInput, Mutation, OrderLineInput, PlaceOrderInput};
pub use order::{Order, OrderItem, OrderStatusChange, Product};
pub use query::Query;
pub use user::User;

pub type OrdersSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema, with the checkout (and its database) for resolvers when serving
/// (`None` only to print the SDL).
pub fn build_schema(checkout: Option<Checkout>) -> OrdersSchema {
    let builder = Schema::build(Query, Mutation, EmptySubscription).enable_federation();
    match checkout {
        Some(checkout) => {
            let db = checkout.db().clone();
            shop_common::telemetry::with_spans(builder)
                .data(loader::order_loader(db.clone()))
                .data(db)
                .data(checkout)
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
