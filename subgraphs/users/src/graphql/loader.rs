//! Batches user lookups: the router resolves many `User` references in one
//! `_entities` request, and async-graphql resolves each representation on its own;
//! the loader turns those into a single `WHERE id IN (...)` query.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};

use crate::accounts::Accounts;
use crate::entities::user;

pub struct UserLoader(Arc<Accounts>);

/// A loader without a cache (it lives as long as the schema, and users change),
/// spawning its batches on the tokio runtime.
pub fn user_loader(accounts: Arc<Accounts>) -> DataLoader<UserLoader> {
    DataLoader::new(
        UserLoader(accounts),
        shop_common::telemetry::spawn_in_current_span,
    )
}

impl Loader<String> for UserLoader {
    type Value = user::Model;
    /// `DbErr` is not `Clone`; the loader hands one error to every waiting key.
    type Error = Arc<sea_orm::DbErr>;

    async fn load(&self, ids: &[String]) -> Result<HashMap<String, user::Model>, Self::Error> {
        let rows = self.0.find_many(ids).await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|row| (row.id.clone(), row)).collect())
    }
}
