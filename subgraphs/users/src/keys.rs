//! Where the key tokens are signed with comes from: a PEM file when the operator
//! configures one, otherwise the `signing_keys` table, where the first instance to
//! start generates it. Keeping it with the data means tokens stay valid across
//! restarts and every instance on one database signs alike.

use std::path::Path;

use sea_orm::{DatabaseConnection, EntityTrait, Set};
use shop_common::signing::{SigningKey, SigningKeyError};

use crate::entities::signing_key;

/// The `signing_keys` row holding the key tokens are signed with today.
const TOKEN_SIGNING_SLOT: &str = "token-signing";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error(transparent)]
    Key(#[from] SigningKeyError),
    #[error("cannot load or store the signing key: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("the signing key vanished from the database right after it was stored")]
    Missing,
}

/// Reads the key from a PEM file.
pub async fn load_file(path: &Path) -> Result<SigningKey, KeyError> {
    Ok(SigningKey::load_file(path).await?)
}

/// The key stored in the database, generating and storing one when there is none
/// yet. Inserting is "if absent" and the row is read back afterwards, so when
/// several instances start at once they all use the one that was stored.
pub async fn load_or_create(db: &DatabaseConnection) -> Result<SigningKey, KeyError> {
    if let Some(row) = signing_key::Entity::find_by_id(TOKEN_SIGNING_SLOT)
        .one(db)
        .await?
    {
        return Ok(SigningKey::from_pem(&row.private_key_pem)?);
    }
    let candidate = signing_key::ActiveModel {
        slot: Set(TOKEN_SIGNING_SLOT.to_owned()),
        private_key_pem: Set(SigningKey::generate_pem()?),
        created_at: Set(chrono::Utc::now()),
    };
    signing_key::Entity::insert(candidate)
        .on_conflict_do_nothing()
        .exec_without_returning(db)
        .await?;
    let row = signing_key::Entity::find_by_id(TOKEN_SIGNING_SLOT)
        .one(db)
        .await?
        .ok_or(KeyError::Missing)?;
    tracing::info!("signing key stored in the database");
    Ok(SigningKey::from_pem(&row.private_key_pem)?)
}
