//! The payments subgraph's GraphQL schema.

mod money;
mod mutation;
mod order;
mod payment;
mod query;

use async_graphql::{EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

pub use money::{Money, MoneyInput};
pub use mutation::{CardInput, Mutation};
pub use order::Order;
pub use payment::Payment;
pub use query::Query;

use crate::processor::TestCardProcessor;

pub type PaymentsSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema, with `db` for resolvers when serving (`None` only to print the SDL).
pub fn build_schema(db: Option<DatabaseConnection>) -> PaymentsSchema {
    let builder = Schema::build(Query, Mutation, EmptySubscription)
        .enable_federation()
        .data(TestCardProcessor);
    match db {
        Some(db) => builder.data(db).finish(),
        None => builder.finish(),
    }
}

/// The resolvers' database handle.
fn db<'a>(ctx: &async_graphql::Context<'a>) -> async_graphql::Result<&'a DatabaseConnection> {
    ctx.data::<DatabaseConnection>()
        .map_err(|e| shop_common::errors::internal_error("database handle missing", e.message))
}

/// A database failure as the client sees it: logged in full, reported without internals.
fn db_error(context: &str) -> impl FnOnce(sea_orm::DbErr) -> async_graphql::Error + '_ {
    move |err| shop_common::errors::internal_error(context, err)
}
