//! Sign-up and sign-in through `/graphql`: the happy paths, every rejection and its
//! `extensions.code`, and e-mail uniqueness under concurrency.

mod common;

use common::{App, STRONG_PASSWORD, code};
use serde_json::Value;

#[tokio::test]
async fn sign_up_returns_a_token_and_the_normalised_user() {
    let app = App::start().await;
    let body = app
        .sign_up(
            "  Ada.Lovelace@Example.COM ",
            "  Ada Lovelace  ",
            STRONG_PASSWORD,
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let payload = &body["data"]["signUp"];
    assert!(
        payload["token"]
            .as_str()
            .is_some_and(|t| t.split('.').count() == 3)
    );
    let user = &payload["user"];
    assert_eq!(user["email"], "ada.lovelace@example.com");
    assert_eq!(user["name"], "Ada Lovelace");
    let id = user["id"].as_str().expect("id");
    assert_eq!(
        uuid::Uuid::parse_str(id).expect("uuid").get_version_num(),
        7
    );
    let created = chrono::DateTime::parse_from_rfc3339(user["createdAt"].as_str().unwrap())
        .expect("RFC 3339 createdAt");
    assert!((chrono::Utc::now() - created.to_utc()).num_seconds().abs() < 60);
    assert!(!body.to_string().contains("argon2"), "hash leaked: {body}");
}

#[tokio::test]
async fn sign_in_with_the_right_password_in_any_case_of_email() {
    let app = App::start().await;
    let (_, id) = app.new_account("grace@example.com").await;
    let body = app.sign_in("Grace@EXAMPLE.com", STRONG_PASSWORD).await;
    assert!(body["errors"].is_null(), "{body}");
    assert_eq!(body["data"]["signIn"]["user"]["id"], id.as_str());
    let token = body["data"]["signIn"]["token"].as_str().expect("token");
    let me = app.graphql(common::ME, Value::Null, Some(token)).await;
    assert_eq!(me["data"]["me"]["email"], "grace@example.com", "{me}");
}

#[tokio::test]
async fn wrong_password_and_unknown_email_get_the_same_error() {
    let app = App::start().await;
    app.new_account("alan@example.com").await;
    let wrong = app.sign_in("alan@example.com", "Wrong-password-1").await;
    let unknown = app.sign_in("nobody@example.com", STRONG_PASSWORD).await;
    let malformed = app.sign_in("not an e-mail", STRONG_PASSWORD).await;
    for body in [&wrong, &unknown, &malformed] {
        assert_eq!(code(body), "UNAUTHENTICATED", "{body}");
        assert_eq!(body["errors"][0]["message"], "invalid e-mail or password");
        assert!(body["data"].is_null(), "{body}");
    }
}

#[tokio::test]
async fn duplicate_email_is_a_conflict_even_in_another_case() {
    let app = App::start().await;
    app.new_account("linus@example.com").await;
    for email in [
        "linus@example.com",
        "LINUS@Example.Com",
        " linus@example.com",
    ] {
        let body = app.sign_up(email, "Someone Else", STRONG_PASSWORD).await;
        assert_eq!(code(&body), "CONFLICT", "{email}: {body}");
    }
    // The original password still works: the failed sign-ups changed nothing.
    let body = app.sign_in("linus@example.com", STRONG_PASSWORD).await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn concurrent_sign_ups_for_one_email_give_one_account() {
    let app = App::start().await;
    // No pre-check exists: the unique index alone must turn the losers away.
    let (a, b, c) = tokio::join!(
        app.sign_up("race@example.com", "Racer", STRONG_PASSWORD),
        app.sign_up("Race@Example.com", "Racer", STRONG_PASSWORD),
        app.sign_up("RACE@EXAMPLE.COM", "Racer", STRONG_PASSWORD),
    );
    let results = [a, b, c];
    let ok = results
        .iter()
        .filter(|body| body["errors"].is_null())
        .count();
    let conflicts = results
        .iter()
        .filter(|body| code(body) == "CONFLICT")
        .count();
    assert_eq!((ok, conflicts), (1, 2), "{results:?}");
}

#[tokio::test]
async fn weak_passwords_are_bad_user_input() {
    let app = App::start().await;
    for (password, why) in [
        ("Short-1", "too short"),
        ("Password12", "a common password"),
        ("P@ssw0rd123", "a variation of a common password"),
        ("qwertyuiop123", "a keyboard pattern"),
        ("12345678901234", "digits only"),
        ("Weak.Pass@Example.com", "the e-mail itself"),
        ("Correct\u{0}Horse-Staple", "a NUL character"),
        ("Correct\nHorse-Staple", "a line break"),
    ] {
        let body = app.sign_up("weak.pass@example.com", "Weak", password).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{why}: {body}");
        assert_eq!(
            body["errors"][0]["extensions"]["field"], "password",
            "{why}"
        );
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.starts_with("password"), "{why}: {message}");
    }
    // None of them created the account; a passphrase without digits, capitals or
    // symbols is fine (no composition rules).
    let body = app
        .sign_up(
            "weak.pass@example.com",
            "Weak",
            "correct horse battery staple",
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn malformed_emails_are_bad_user_input() {
    let app = App::start().await;
    for email in [
        "",
        "plain",
        "a@b",
        "two@@example.com",
        "sp ace@example.com",
        "x@-bad.com",
    ] {
        let body = app.sign_up(email, "Someone", STRONG_PASSWORD).await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{email:?}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "email");
        let message = body["errors"][0]["message"].as_str().unwrap_or_default();
        assert!(message.contains("invalid e-mail address"), "{message}");
    }
}

#[tokio::test]
async fn names_must_be_non_empty_and_at_most_100_characters() {
    let app = App::start().await;
    let long = "n".repeat(101);
    for (i, name) in ["", "   ", long.as_str()].into_iter().enumerate() {
        let body = app
            .sign_up(&format!("name{i}@example.com"), name, STRONG_PASSWORD)
            .await;
        assert_eq!(code(&body), "BAD_USER_INPUT", "{name:?}: {body}");
        assert_eq!(body["errors"][0]["extensions"]["field"], "name");
    }
    let exactly = "ü".repeat(100);
    let body = app
        .sign_up("max@example.com", &exactly, STRONG_PASSWORD)
        .await;
    assert_eq!(
        body["data"]["signUp"]["user"]["name"],
        exactly.as_str(),
        "{body}"
    );
}

#[tokio::test]
async fn user_by_id_shows_the_email_to_the_user_and_admins_only() {
    let db = shop_common::testing::TestDb::new("users").await;
    let config = shop_users::Config {
        seed: true,
        ..shop_users::Config::new(db.url.clone())
    };
    let app = App::start_with(db, config).await;
    let (barbara, id) = app.new_account("barbara@example.com").await;
    let (stranger, _) = app.new_account("stranger@example.com").await;
    let admin = app
        .sign_in(shop_users::ADMIN_EMAIL, shop_users::ADMIN_PASSWORD)
        .await["data"]["signIn"]["token"]
        .as_str()
        .expect("the seeded admin signs in")
        .to_owned();
    let query = "query($id: ID!) { user(id: $id) { id email name } }";
    let variables = serde_json::json!({ "id": id });
    for (who, token) in [("anonymous", None), ("another customer", Some(&stranger))] {
        let body = app
            .graphql(query, variables.clone(), token.map(String::as_str))
            .await;
        assert_eq!(body["data"]["user"]["name"], "Test User", "{who}: {body}");
        assert!(body["data"]["user"]["email"].is_null(), "{who}: {body}");
        assert_eq!(code(&body), "FORBIDDEN", "{who}: {body}");
        assert_eq!(
            body["errors"][0]["path"],
            serde_json::json!(["user", "email"])
        );
    }
    for (who, token) in [("the user", &barbara), ("an admin", &admin)] {
        let body = app.graphql(query, variables.clone(), Some(token)).await;
        assert_eq!(
            body["data"]["user"]["email"], "barbara@example.com",
            "{who}: {body}"
        );
        assert!(body["errors"].is_null(), "{who}: {body}");
    }
    // The same holds when another subgraph's reference is resolved.
    let entities =
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { email } } }";
    let representations = serde_json::json!({ "r": [{ "__typename": "User", "id": id }] });
    let body = app
        .graphql(entities, representations.clone(), Some(&stranger))
        .await;
    assert!(body["data"]["_entities"][0]["email"].is_null(), "{body}");
    assert_eq!(code(&body), "FORBIDDEN");
    let body = app.graphql(entities, representations, Some(&barbara)).await;
    assert_eq!(body["data"]["_entities"][0]["email"], "barbara@example.com");
}

#[tokio::test]
async fn unknown_users_are_null_and_there_is_no_password_field() {
    let app = App::start().await;
    let (_, id) = app.new_account("barbara@example.com").await;
    let query = "query($id: ID!) { user(id: $id) { id name } }";
    let body = app
        .graphql(query, serde_json::json!({ "id": "no-such-user" }), None)
        .await;
    assert!(
        body["data"]["user"].is_null() && body["errors"].is_null(),
        "{body}"
    );
    let body = app
        .graphql(
            "query($id: ID!) { user(id: $id) { passwordHash } }",
            serde_json::json!({ "id": id }),
            None,
        )
        .await;
    assert!(body["errors"][0]["message"].as_str().is_some(), "{body}");
}

#[tokio::test]
async fn seeding_creates_the_demo_account_once() {
    let db = shop_common::testing::TestDb::new("users").await;
    let config = shop_users::Config {
        seed: true,
        ..shop_users::Config::new(db.url.clone())
    };
    let app = App::start_with(db, config.clone()).await;
    let body = app
        .sign_in(shop_users::DEMO_EMAIL, shop_users::DEMO_PASSWORD)
        .await;
    assert_eq!(
        body["data"]["signIn"]["user"]["id"],
        shop_users::DEMO_USER_ID,
        "{body}"
    );
    // Starting seeded again on the same database is a no-op, not a conflict.
    let App { server, db, .. } = app;
    drop(server);
    let app = App::start_with(db, config).await;
    let body = app
        .sign_in(shop_users::DEMO_EMAIL, shop_users::DEMO_PASSWORD)
        .await;
    assert!(body["errors"].is_null(), "{body}");
}
