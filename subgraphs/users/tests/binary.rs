//! The `users` binary as the launcher runs it: flags, serving, the seeded demo
//! account, a clean exit on SIGTERM, and a clear failure on a bad key file.

mod common;

use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::json;
use shop_common::JwtVerifier;
use shop_common::testing::{TestDb, client, graphql};

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.local_addr().expect("addr").port()
}

#[tokio::test]
async fn binary_serves_from_its_flags_and_stops_on_sigterm() {
    let db = TestDb::new("users").await;
    let addr = format!("127.0.0.1:{}", free_port());
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_users"))
        .args(["--listen", &addr, "--database-url", &db.url, "--seed"])
        .args(["--token-ttl-secs", "120"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("start users");
    let client = client();
    let base = format!("http://{addr}");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let health = client.get(format!("{base}/health")).send().await;
        if health.is_ok_and(|r| r.status().is_success()) {
            break;
        }
        assert!(Instant::now() < deadline, "users did not come up on {addr}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    let body = graphql(
        &client,
        &format!("{base}/graphql"),
        "mutation($email: String!, $password: String!) { signIn(email: $email, password: $password) { token } }",
        json!({ "email": shop_users::DEMO_EMAIL, "password": shop_users::DEMO_PASSWORD }),
        None,
    )
    .await;
    let token = body["data"]["signIn"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"));
    let claims = JwtVerifier::from_jwks_url(format!("{base}{}", shop_users::JWKS_PATH))
        .verify(token)
        .await
        .expect("token verifies");
    assert_eq!(claims.sub, shop_users::DEMO_USER_ID);
    assert_eq!(claims.exp - claims.iat, 120);

    let pid = child.id().expect("pid").to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status();
    assert!(killed.is_ok_and(|s| s.success()));
    let status = tokio::time::timeout(Duration::from_secs(20), child.wait())
        .await
        .expect("exits after SIGTERM")
        .expect("wait");
    assert!(status.success(), "exit status {status}");
}

#[tokio::test]
async fn binary_refuses_an_unreadable_signing_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let key = dir.path().join("key.pem");
    std::fs::write(
        &key,
        "-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n",
    )
    .expect("write");
    let db = shop_common::db::sqlite_url(&dir.path().join("users.db"));
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_users"))
        .args(["--listen", &format!("127.0.0.1:{}", free_port())])
        .args(["--database-url", &db, "--signing-key"])
        .arg(&key)
        .output()
        .await
        .expect("run users");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("signing key"), "{stderr}");
}

#[tokio::test]
async fn grant_admin_makes_an_account_an_admin() {
    let db = TestDb::new("users").await;
    let url = db.url.clone();
    let app = common::App::start_with(db, shop_users::Config::new(url.clone())).await;
    app.new_account("ops@example.com").await;

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_users"))
        .args(["--database-url", &url, "grant-admin", "OPS@example.com"])
        .output()
        .await
        .expect("run users grant-admin");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(String::from_utf8_lossy(&output.stdout).contains("is now an admin"));

    let body = app
        .sign_in("ops@example.com", common::STRONG_PASSWORD)
        .await;
    let token = body["data"]["signIn"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("{body}"));
    let claims = JwtVerifier::from_jwks_url(app.jwks_url())
        .verify(token)
        .await
        .expect("token verifies");
    assert!(claims.is_admin(), "{claims:?}");

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_users"))
        .args(["--database-url", &url, "grant-admin", "nobody@example.com"])
        .output()
        .await
        .expect("run users grant-admin");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no account"), "{stderr}");
}
