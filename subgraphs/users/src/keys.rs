//! The Ed25519 key the service signs tokens with, and where it comes from: a PEM
//! file when the operator configures one, otherwise the `signing_keys` table, where
//! the first instance to start generates it. Keeping it with the data means tokens
//! stay valid across restarts and every instance on one database signs alike.

use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
use ed25519_dalek::pkcs8::{DecodePrivateKey, EncodePrivateKey};
use jsonwebtoken::EncodingKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm,
    OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse, ThumbprintHash,
};
use rand::rngs::OsRng;
use sea_orm::{DatabaseConnection, EntityTrait, Set};

use crate::entities::signing_key;

/// The `signing_keys` row holding the key tokens are signed with today.
const TOKEN_SIGNING_SLOT: &str = "token-signing";

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read signing key file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("signing key is not an Ed25519 PKCS#8 PEM private key: {0}")]
    Format(String),
    #[error("cannot load or store the signing key: {0}")]
    Database(#[from] sea_orm::DbErr),
    #[error("the signing key vanished from the database right after it was stored")]
    Missing,
}

/// A private key ready to sign, with the public half published as a JWK.
pub struct SigningKey {
    encoding: EncodingKey,
    jwk: Jwk,
}

impl SigningKey {
    /// Parses a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) Ed25519 key, as written by
    /// `openssl genpkey -algorithm ed25519`.
    pub fn from_pem(pem: &str) -> Result<Self, KeyError> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| KeyError::Format(e.to_string()))?;
        Self::from_dalek(&key)
    }

    fn from_dalek(key: &ed25519_dalek::SigningKey) -> Result<Self, KeyError> {
        let der = key
            .to_pkcs8_der()
            .map_err(|e| KeyError::Format(e.to_string()))?;
        let mut jwk = Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::EdDSA),
                ..CommonParameters::default()
            },
            algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x: URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()),
            }),
        };
        // The key id is the RFC 7638 thumbprint: stable for a key wherever it is
        // loaded from, and different for every key, which verifiers rely on.
        jwk.common.key_id = Some(jwk.thumbprint(ThumbprintHash::SHA256));
        Ok(Self {
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            jwk,
        })
    }

    /// A fresh random key as PKCS#8 PEM.
    fn generate_pem() -> Result<String, KeyError> {
        let key = ed25519_dalek::SigningKey::generate(&mut OsRng);
        key.to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|e| KeyError::Format(e.to_string()))
    }

    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The key id put in every token header and in the JWKS.
    pub fn kid(&self) -> &str {
        self.jwk.common.key_id.as_deref().unwrap_or_default()
    }

    /// The public key set served at `/.well-known/jwks.json`.
    pub fn jwk_set(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.jwk.clone()],
        }
    }

    /// Reads the key from a PEM file.
    pub async fn load_file(path: &Path) -> Result<Self, KeyError> {
        let pem = tokio::fs::read_to_string(path)
            .await
            .map_err(|e| KeyError::File {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        Self::from_pem(&pem)
    }

    /// The key stored in the database, generating and storing one when there is
    /// none yet. Inserting is "if absent" and the row is read back afterwards, so
    /// when several instances start at once they all use the one that was stored.
    pub async fn load_or_create(db: &DatabaseConnection) -> Result<Self, KeyError> {
        if let Some(row) = signing_key::Entity::find_by_id(TOKEN_SIGNING_SLOT)
            .one(db)
            .await?
        {
            return Self::from_pem(&row.private_key_pem);
        }
        let candidate = signing_key::ActiveModel {
            slot: Set(TOKEN_SIGNING_SLOT.to_owned()),
            private_key_pem: Set(Self::generate_pem()?),
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
        Self::from_pem(&row.private_key_pem)
    }
}
