//! Rate limits against password guessing and mass sign-ups, through `/graphql`:
//! failed sign-ins per account and per client address, sign-ups per client address.
//! The client's address comes from `X-Forwarded-For` only when the peer is a
//! trusted proxy (loopback by default, as the router is in development).

mod common;

use common::{App, STRONG_PASSWORD, code};
use serde_json::{Value, json};
use shop_common::client_ip::TrustedProxies;
use shop_common::testing::TestDb;
use shop_users::{Config, Limits};

async fn app_with(limits: Limits, trusted_proxies: TrustedProxies) -> App {
    let db = TestDb::new("users").await;
    let config = Config {
        limits,
        trusted_proxies,
        ..Config::new(db.url.clone())
    };
    App::start_with(db, config).await
}

/// `query` as sent by the router for the client at `client_ip`.
async fn from_client(app: &App, client_ip: &str, query: &str, variables: Value) -> Value {
    app.client
        .post(&app.server.graphql_url)
        .header("x-forwarded-for", client_ip)
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("request")
        .json()
        .await
        .expect("JSON body")
}

async fn sign_in_from(app: &App, client_ip: &str, email: &str, password: &str) -> Value {
    from_client(
        app,
        client_ip,
        common::SIGN_IN,
        json!({ "email": email, "password": password }),
    )
    .await
}

fn retry_after(body: &Value) -> u64 {
    body["errors"][0]["extensions"]["retryAfterSeconds"]
        .as_u64()
        .unwrap_or_else(|| panic!("no retry hint: {body}"))
}

#[tokio::test]
async fn an_account_is_locked_after_five_failed_sign_ins_even_for_the_right_password() {
    let app = App::start().await;
    app.new_account("target@example.com").await;
    app.new_account("bystander@example.com").await;
    // Each guess from another address: the per-account limit is what stops them.
    for guess in 0..5 {
        let body = sign_in_from(
            &app,
            &format!("198.51.100.{guess}"),
            "target@example.com",
            &format!("Guess-number-{guess}"),
        )
        .await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "guess {guess}: {body}");
    }
    let body = sign_in_from(&app, "198.51.100.99", "Target@Example.com", STRONG_PASSWORD).await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
    assert!(body["data"].is_null(), "{body}");
    let wait = retry_after(&body);
    assert!((1..=15 * 60).contains(&wait), "{wait}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("try again in"), "{message}");
    // Other accounts are not affected.
    let body = sign_in_from(
        &app,
        "198.51.100.99",
        "bystander@example.com",
        STRONG_PASSWORD,
    )
    .await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn successful_sign_ins_do_not_count() {
    let app = App::start().await;
    app.new_account("regular@example.com").await;
    for _ in 0..8 {
        let body = app.sign_in("regular@example.com", STRONG_PASSWORD).await;
        assert!(body["errors"].is_null(), "{body}");
    }
}

#[tokio::test]
async fn one_client_guessing_across_accounts_is_limited() {
    let limits = Limits {
        sign_in_failures_per_client: "3/15m".parse().unwrap(),
        ..Limits::default()
    };
    let app = app_with(limits, TrustedProxies::default()).await;
    app.new_account("victim@example.com").await;
    for i in 0..3 {
        let body = sign_in_from(
            &app,
            "203.0.113.66",
            &format!("user{i}@example.com"),
            STRONG_PASSWORD,
        )
        .await;
        assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
    }
    let body = sign_in_from(&app, "203.0.113.66", "victim@example.com", STRONG_PASSWORD).await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
    // The same account from another client is fine.
    let body = sign_in_from(&app, "203.0.113.67", "victim@example.com", STRONG_PASSWORD).await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn sign_ups_per_client_are_limited_and_forged_addresses_do_not_help() {
    let limits = Limits {
        sign_ups_per_client: "3/1h".parse().unwrap(),
        ..Limits::default()
    };
    // No trusted proxy: every request counts as its TCP peer, whatever
    // `X-Forwarded-For` says.
    let app = app_with(limits, TrustedProxies::new(Vec::new())).await;
    for i in 0..3 {
        let body = from_client(
            &app,
            &format!("192.0.2.{i}"),
            common::SIGN_UP,
            json!({ "input": { "email": format!("new{i}@example.com"), "name": "New", "password": STRONG_PASSWORD } }),
        )
        .await;
        assert!(body["errors"].is_null(), "{body}");
    }
    let body = from_client(
        &app,
        "192.0.2.200",
        common::SIGN_UP,
        json!({ "input": { "email": "new9@example.com", "name": "New", "password": STRONG_PASSWORD } }),
    )
    .await;
    assert_eq!(code(&body), "RATE_LIMITED", "{body}");
    retry_after(&body);
    // Nothing was created by the refused attempt.
    let body = app.sign_in("new9@example.com", STRONG_PASSWORD).await;
    assert_eq!(code(&body), "UNAUTHENTICATED", "{body}");
}
