//! The payments subgraph's GraphQL schema.

mod loader;
mod money;
mod mutation;
mod order;
mod payment;
mod query;

use async_graphql::{EmptySubscription, Schema};
use sea_orm::DatabaseConnection;

pub use money::{Money, MoneyInput};
pub use mutation::{ChargeCardInput, Mutation};
pub use order::Order;
pub use payment::Payment;
pub use query::Query;

use shop_events::outbox::Relay;

use crate::processor::TestCardProcessor;

pub type PaymentsSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema, with `db` (and the outbox relay to wake after a charge or refund)
/// for resolvers when serving (`None` only to print the SDL).
pub fn build_schema(serving: Option<(DatabaseConnection, Relay)>) -> PaymentsSchema {
    let builder = Schema::build(Query, Mutation, EmptySubscription)
        .enable_federation()
        .data(TestCardProcessor);
    match serving {
        Some((db, relay)) => shop_common::telemetry::with_spans(builder)
            .data(relay)
            .data(loader::payment_loader(db.clone()))
            .data(loader::order_payment_loader(db.clone()))
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
