//! Signing test tokens: Ed25519 key pairs generated per test, published as JWKs.

use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ed25519_dalek::pkcs8::EncodePrivateKey;
use jsonwebtoken::jwk::{
    AlgorithmParameters, CommonParameters, EllipticCurve, Jwk, JwkSet, KeyAlgorithm,
    OctetKeyPairParameters, OctetKeyPairType, PublicKeyUse,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::Value;
use switchyard::config::{JwksFile, JwksSource};

/// An Ed25519 key pair: signs tokens, publishes its public half as a JWK.
pub struct TestKey {
    pub kid: String,
    pub encoding: EncodingKey,
    pub jwk: Jwk,
}

impl TestKey {
    pub fn generate(kid: &str) -> Self {
        let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        let der = key.to_pkcs8_der().unwrap();
        let jwk = Jwk {
            common: CommonParameters {
                public_key_use: Some(PublicKeyUse::Signature),
                key_algorithm: Some(KeyAlgorithm::EdDSA),
                key_id: Some(kid.to_owned()),
                ..CommonParameters::default()
            },
            algorithm: AlgorithmParameters::OctetKeyPair(OctetKeyPairParameters {
                key_type: OctetKeyPairType::OctetKeyPair,
                curve: EllipticCurve::Ed25519,
                x: URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes()),
            }),
        };
        TestKey {
            kid: kid.to_owned(),
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            jwk,
        }
    }

    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }
}

pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Writes `keys` as a JWKS file in `dir` and returns it as a key source.
pub fn jwks_file(dir: &std::path::Path, keys: &[&TestKey]) -> JwksSource {
    let path = dir.join("jwks.json");
    let set = JwkSet {
        keys: keys.iter().map(|key| key.jwk.clone()).collect(),
    };
    std::fs::write(&path, serde_json::to_string(&set).unwrap()).unwrap();
    JwksSource::File(JwksFile { file: path })
}
