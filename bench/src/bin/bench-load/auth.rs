//! Authentication on (`--auth`, or the `-auth` gateways): Switchyard started with
//! `authentication.jwt` verifying ES256 tokens against a JWKS file, and every
//! request carrying `Authorization: Bearer <token>`, each connection its own
//! subject (its own token), as many users behind one gateway would.
//!
//! The key pair is a committed test key (`bench/auth/`), trusted nowhere else.
//! The config and the JWKS are written to a temporary directory.

use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Context;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::header::HeaderValue;

const PRIVATE_KEY: &str = include_str!("../../../auth/es256-private.pem");
const JWKS: &str = include_str!("../../../auth/jwks.json");
const KID: &str = "bench-es256";
const ISSUER: &str = "https://issuer.bench.switchyard.test";
const AUDIENCE: &str = "switchyard-bench";

/// The router config and the tokens of an authenticated run.
pub struct Auth {
    _dir: tempfile::TempDir,
    pub config: PathBuf,
    /// `Bearer <token>`, one per connection.
    pub authorizations: Vec<HeaderValue>,
}

impl Auth {
    /// Writes the JWKS and the config, and signs one token per connection
    /// (subject `bench-user-N`, valid for a day).
    /// `forward_token`: the router forwards `Authorization` to the subgraphs
    /// (its default), else nothing.
    pub fn prepare(connections: usize, forward_token: bool) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
        std::fs::write(dir.path().join("jwks.json"), JWKS).context("cannot write the JWKS")?;
        let config = dir.path().join("switchyard-auth.yaml");
        std::fs::write(&config, config_yaml(forward_token))
            .context("cannot write the router config")?;
        let key = EncodingKey::from_ec_pem(PRIVATE_KEY.as_bytes())
            .context("bench/auth/es256-private.pem is not an EC key")?;
        let now = SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs();
        let authorizations = (0..connections)
            .map(|connection| {
                let token = sign(&key, &format!("bench-user-{connection}"), now)?;
                Ok(HeaderValue::from_str(&format!("Bearer {token}"))?)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        Ok(Auth {
            _dir: dir,
            config,
            authorizations,
        })
    }

    pub fn config_path(&self) -> &Path {
        &self.config
    }

    /// Writes, beside the authentication config (its JWKS path is relative),
    /// a config with it and `more` (YAML of other top-level keys).
    pub fn config_with(&self, name: &str, more: &str) -> anyhow::Result<PathBuf> {
        let base = std::fs::read_to_string(&self.config)
            .context("cannot read the authentication config")?;
        let path = self.config.with_file_name(name);
        std::fs::write(&path, format!("{base}{more}"))
            .with_context(|| format!("cannot write {}", path.display()))?;
        Ok(path)
    }
}

fn sign(key: &EncodingKey, subject: &str, now: u64) -> anyhow::Result<String> {
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(KID.to_owned());
    let claims = serde_json::json!({
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": subject,
        "iat": now,
        "exp": now + 24 * 3600,
    });
    jsonwebtoken::encode(&header, &claims, key).context("cannot sign a token")
}

/// A token the router must refuse: signed by the bench key for another audience.
pub fn refused_authorization() -> anyhow::Result<HeaderValue> {
    let key = EncodingKey::from_ec_pem(PRIVATE_KEY.as_bytes())?;
    let mut header = Header::new(Algorithm::ES256);
    header.kid = Some(KID.to_owned());
    let claims = serde_json::json!({
        "iss": ISSUER,
        "aud": "someone-else",
        "sub": "intruder",
        "exp": SystemTime::now().duration_since(UNIX_EPOCH)?.as_secs() + 3600,
    });
    let token = jsonwebtoken::encode(&header, &claims, &key)?;
    Ok(HeaderValue::from_str(&format!("Bearer {token}"))?)
}

/// The router config: JWT verification against `jwks.json` beside it, and
/// unless `forward_token`, no header forwarded to the subgraphs; nothing else
/// changed from the defaults the plain run uses.
fn config_yaml(forward_token: bool) -> String {
    let forward = if forward_token {
        ""
    } else {
        "headers:\n  forward: []\n"
    };
    format!(
        "authentication:\n  jwt:\n    jwks:\n      - file: jwks.json\n    algorithms: [ES256]\n    \
         issuers: [\"{ISSUER}\"]\n    audiences: [\"{AUDIENCE}\"]\n{forward}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_verify_against_the_committed_jwks() {
        let auth = Auth::prepare(3, false).unwrap();
        assert_eq!(auth.authorizations.len(), 3);
        let set: jsonwebtoken::jwk::JwkSet = serde_json::from_str(JWKS).unwrap();
        let key = jsonwebtoken::DecodingKey::from_jwk(&set.keys[0]).unwrap();
        let mut validation = jsonwebtoken::Validation::new(Algorithm::ES256);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        let value = auth.authorizations[2].to_str().unwrap();
        let token = value.strip_prefix("Bearer ").unwrap();
        let data = jsonwebtoken::decode::<serde_json::Value>(token, &key, &validation).unwrap();
        assert_eq!(data.claims["sub"], "bench-user-2");
        let config = std::fs::read_to_string(auth.config_path()).unwrap();
        assert!(config.contains("file: jwks.json"), "{config}");
        assert!(config.contains("forward: []"), "{config}");
        let forwarding = Auth::prepare(1, true).unwrap();
        let config = std::fs::read_to_string(forwarding.config_path()).unwrap();
        assert!(!config.contains("forward"), "{config}");
    }
}
