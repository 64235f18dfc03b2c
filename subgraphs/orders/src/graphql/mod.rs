//! The orders subgraph's GraphQL schema.

mod loader;
mod money;
mod order;
mod query;
mod user;

use async_graphql::{EmptyMutation, EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

pub use money::Money;
pub use order::{Order, OrderItem, Product};
pub use query::Query;
pub use user::User;

pub type OrdersSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The schema, with `db` for resolvers when serving (`None` only to print the SDL).
pub fn build_schema(db: Option<DatabaseConnection>) -> OrdersSchema {
    let builder = Schema::build(Query, EmptyMutation, EmptySubscription).enable_federation();
    match db {
        Some(db) => builder
            .data(loader::order_loader(db.clone()))
            .data(db)
            .finish(),
        None => builder.finish(),
    }
}

/// The resolvers' database handle.
fn db<'a>(ctx: &async_graphql::Context<'a>) -> async_graphql::Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
        .map_err(|e| shop_common::errors::internal_error("database handle missing", e.message))
}
