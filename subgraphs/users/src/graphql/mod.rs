//! The users subgraph schema: `User` (an entity other subgraphs extend), sign-up
//! and sign-in, and `me`/`user` lookups.

mod errors;
mod loader;
mod mutation;
mod query;
mod types;

use std::sync::Arc;

use async_graphql::{EmptySubscription, Schema, SchemaBuilder};

pub use mutation::Mutation;
pub use query::Query;

use crate::accounts::Accounts;

pub type UsersSchema = Schema<Query, Mutation, EmptySubscription>;

/// The schema without data: enough to print its SDL.
pub fn builder() -> SchemaBuilder<Query, Mutation, EmptySubscription> {
    Schema::build(Query, Mutation, EmptySubscription).enable_federation()
}

/// The schema serving requests against `accounts`.
pub fn schema(accounts: Arc<Accounts>) -> UsersSchema {
    shop_common::telemetry::with_spans(builder())
        .data(loader::user_loader(Arc::clone(&accounts)))
        .data(accounts)
        .finish()
}
