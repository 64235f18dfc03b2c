//! Ed25519 signing keys for the JWTs the shop issues: the users service signs
//! customers' tokens, and a service that calls others (orders) signs its own
//! short-lived service tokens. The public half is published as a JWKS, so whoever
//! verifies needs no secret.

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

#[derive(Debug, thiserror::Error)]
pub enum SigningKeyError {
    #[error("cannot read signing key file {path}: {reason}")]
    File { path: String, reason: String },
    #[error("signing key is not an Ed25519 PKCS#8 PEM private key: {0}")]
    Format(String),
}

/// A private key ready to sign, with the public half published as a JWK.
pub struct SigningKey {
    encoding: EncodingKey,
    jwk: Jwk,
}

/// Never prints key material.
impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SigningKey({})", self.kid())
    }
}

impl SigningKey {
    /// Parses a PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`) Ed25519 key, as written by
    /// `openssl genpkey -algorithm ed25519`.
    pub fn from_pem(pem: &str) -> Result<Self, SigningKeyError> {
        let key = ed25519_dalek::SigningKey::from_pkcs8_pem(pem)
            .map_err(|e| SigningKeyError::Format(e.to_string()))?;
        Self::from_dalek(&key)
    }

    /// A fresh random key. Services that sign only short-lived tokens can live with
    /// a key per process start: verifiers refetch the JWKS on an unknown key id.
    pub fn generate() -> Result<Self, SigningKeyError> {
        Self::from_dalek(&ed25519_dalek::SigningKey::generate(&mut OsRng))
    }

    /// A fresh random key as PKCS#8 PEM, for callers that store it.
    pub fn generate_pem() -> Result<String, SigningKeyError> {
        let key = ed25519_dalek::SigningKey::generate(&mut OsRng);
        key.to_pkcs8_pem(LineEnding::LF)
            .map(|pem| pem.to_string())
            .map_err(|e| SigningKeyError::Format(e.to_string()))
    }

    /// Reads the key from a PEM file.
    pub async fn load_file(path: &std::path::Path) -> Result<Self, SigningKeyError> {
        let pem = tokio::fs::read_to_string(path)
            .await
            .map_err(|e| SigningKeyError::File {
                path: path.display().to_string(),
                reason: e.to_string(),
            })?;
        Self::from_pem(&pem)
    }

    fn from_dalek(key: &ed25519_dalek::SigningKey) -> Result<Self, SigningKeyError> {
        let der = key
            .to_pkcs8_der()
            .map_err(|e| SigningKeyError::Format(e.to_string()))?;
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

    pub fn encoding_key(&self) -> &EncodingKey {
        &self.encoding
    }

    /// The key id put in every token header and in the JWKS.
    pub fn kid(&self) -> &str {
        self.jwk.common.key_id.as_deref().unwrap_or_default()
    }

    /// The public key set to serve at `/.well-known/jwks.json`.
    pub fn jwk_set(&self) -> JwkSet {
        JwkSet {
            keys: vec![self.jwk.clone()],
        }
    }

    /// Signs `claims` as an EdDSA JWT with this key's id in the header.
    pub fn sign<T: serde::Serialize>(
        &self,
        claims: &T,
    ) -> Result<String, jsonwebtoken::errors::Error> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::EdDSA);
        header.kid = Some(self.kid().to_owned());
        jsonwebtoken::encode(&header, claims, &self.encoding)
    }
}
