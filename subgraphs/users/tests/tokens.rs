//! Tokens as other services see them: `me` with good, missing and bad tokens, the
//! JWKS document, verification by a separate `JwtVerifier::from_jwks_url`, the key
//! surviving restarts and concurrent first starts, and a key loaded from a file.

mod common;

use std::time::Duration;

use common::{App, ME, code};
use serde_json::Value;
use shop_common::JwtVerifier;
use shop_common::testing::TestDb;
use shop_users::{Config, build_app};

#[tokio::test]
async fn me_needs_a_valid_token() {
    let app = App::start().await;
    let (token, id) = app.new_account("me@example.com").await;

    let body = app.graphql(ME, Value::Null, Some(&token)).await;
    assert_eq!(body["data"]["me"]["id"], id.as_str(), "{body}");

    let body = app.graphql(ME, Value::Null, None).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");

    let body = app.graphql(ME, Value::Null, Some("not-a-jwt")).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");

    // A token whose signature was tampered with.
    let mut forged = token.clone();
    let last = forged.pop().expect("non-empty");
    forged.push(if last == 'A' { 'B' } else { 'A' });
    let body = app.graphql(ME, Value::Null, Some(&forged)).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");

    // A genuine token from another users service (another key) is refused too.
    let other = App::start().await;
    let (foreign, _) = other.new_account("me@example.com").await;
    let body = app.graphql(ME, Value::Null, Some(&foreign)).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
}

#[tokio::test]
async fn jwks_publishes_the_ed25519_public_key() {
    let app = App::start().await;
    let response = app.client.get(app.jwks_url()).send().await.expect("GET");
    assert_eq!(response.status(), 200);
    let content_type = response.headers()["content-type"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let jwks: Value = response.json().await.expect("JSON");
    let keys = jwks["keys"].as_array().expect("keys array");
    assert_eq!(keys.len(), 1, "{jwks}");
    let key = &keys[0];
    assert_eq!(key["kty"], "OKP");
    assert_eq!(key["crv"], "Ed25519");
    assert_eq!(key["alg"], "EdDSA");
    assert_eq!(key["use"], "sig");
    assert!(
        key["kid"].as_str().is_some_and(|kid| !kid.is_empty()),
        "{key}"
    );
    let x = key["x"].as_str().expect("x");
    assert_eq!(x.len(), 43, "32 bytes, base64url without padding: {x}");
    assert!(
        x.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    );
    assert!(key.get("d").is_none(), "private key published: {key}");

    // The token header names this key.
    let (token, _) = app.new_account("kid@example.com").await;
    let header = jsonwebtoken::decode_header(&token).expect("header");
    assert_eq!(header.alg, jsonwebtoken::Algorithm::EdDSA);
    assert_eq!(header.kid.as_deref(), key["kid"].as_str());
}

#[tokio::test]
async fn other_services_verify_tokens_from_the_jwks_url() {
    let app = App::start().await;
    let (token, id) = app.new_account("verify@example.com").await;
    let verifier = JwtVerifier::from_jwks_url(app.jwks_url());
    let claims = verifier.verify(&token).await.expect("token verifies");
    assert_eq!(claims.sub, id);
    assert_eq!(claims.email, "verify@example.com");
    assert_eq!(claims.iss, shop_common::auth::ISSUER);
    assert_eq!(claims.exp - claims.iat, 24 * 60 * 60, "default lifetime");
    assert!((claims.iat - chrono::Utc::now().timestamp()).abs() < 60);
}

#[tokio::test]
async fn token_lifetime_is_configurable() {
    let db = TestDb::new("users").await;
    let config = Config {
        token_ttl: Duration::from_secs(90),
        ..Config::new(db.url.clone())
    };
    let app = App::start_with(db, config).await;
    let (token, _) = app.new_account("ttl@example.com").await;
    let claims = JwtVerifier::from_jwks_url(app.jwks_url())
        .verify(&token)
        .await
        .expect("verifies");
    assert_eq!(claims.exp - claims.iat, 90);
}

#[tokio::test]
async fn the_key_survives_a_restart() {
    let app = App::start().await;
    let (token, id) = app.new_account("restart@example.com").await;
    let jwks_before = app.jwks().await;

    let app = app.restart().await;
    assert_eq!(app.jwks().await, jwks_before);
    let body = app.graphql(ME, Value::Null, Some(&token)).await;
    assert_eq!(body["data"]["me"]["id"], id.as_str(), "{body}");
    let claims = JwtVerifier::from_jwks_url(app.jwks_url())
        .verify(&token)
        .await
        .expect("old token verifies after restart");
    assert_eq!(claims.sub, id);
}

#[tokio::test]
async fn instances_starting_together_share_one_key() {
    let db = TestDb::new("users").await;
    // Migrate first, so both instances meet an empty `signing_keys` table.
    shop_common::db::connect_and_migrate::<users_migration::Migrator>(&db.url)
        .await
        .expect("migrate")
        .close()
        .await
        .expect("close");
    let (a, b) = tokio::join!(
        build_app(Config::new(db.url.clone())),
        build_app(Config::new(db.url.clone())),
    );
    let a = App {
        server: shop_common::testing::spawn(a.expect("first instance")).await,
        db,
        client: shop_common::testing::client(),
    };
    let b_server = shop_common::testing::spawn(b.expect("second instance")).await;
    let b_jwks: Value = a
        .client
        .get(format!("{}{}", b_server.base_url, shop_users::JWKS_PATH))
        .send()
        .await
        .expect("GET")
        .json()
        .await
        .expect("JSON");
    assert_eq!(a.jwks().await, b_jwks);

    let (token, id) = a.new_account("twins@example.com").await;
    let body = shop_common::testing::graphql(
        &a.client,
        &b_server.graphql_url,
        ME,
        Value::Null,
        Some(&token),
    )
    .await;
    assert_eq!(body["data"]["me"]["id"], id.as_str(), "{body}");
}

#[tokio::test]
async fn a_configured_pem_key_signs_the_tokens() {
    use ed25519_dalek::pkcs8::EncodePrivateKey;
    use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;

    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("signing.pem");
    let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
    let pem = key.to_pkcs8_pem(LineEnding::LF).expect("PEM");
    std::fs::write(&path, pem.as_bytes()).expect("write key");

    let db = TestDb::new("users").await;
    let config = Config {
        signing_key_path: Some(path.clone()),
        ..Config::new(db.url.clone())
    };
    let app = App::start_with(db, config).await;
    let jwks = app.jwks().await;
    let x = base64::Engine::encode(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD,
        key.verifying_key().to_bytes(),
    );
    assert_eq!(jwks["keys"][0]["x"], x.as_str(), "{jwks}");
    let (token, _) = app.new_account("pem@example.com").await;
    JwtVerifier::from_jwks_url(app.jwks_url())
        .verify(&token)
        .await
        .expect("verifies with the file's key");

    // A file that is not a key stops the start with a clear error.
    std::fs::write(&path, "not a key").expect("write");
    let db = TestDb::new("users").await;
    let err = build_app(Config {
        signing_key_path: Some(path),
        ..Config::new(db.url.clone())
    })
    .await
    .expect_err("start fails");
    assert!(err.to_string().contains("signing key"), "{err}");
}
