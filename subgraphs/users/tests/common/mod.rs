//! Shared by the users integration tests: a service on its own database, and the
//! GraphQL operations most tests need.

#![allow(dead_code)] // each test binary uses a different subset

use serde_json::{Value, json};
use shop_common::testing::{self, TestDb, TestServer};
use shop_users::{Config, build_app};

pub const STRONG_PASSWORD: &str = "Correct-Horse-9";

pub const SIGN_UP: &str = "mutation($input: SignUpInput!) {
    signUp(input: $input) { token user { id email name createdAt } }
}";
pub const SIGN_IN: &str = "mutation($email: String!, $password: String!) {
    signIn(email: $email, password: $password) { token user { id email name createdAt } }
}";
pub const ME: &str = "{ me { id email name createdAt } }";

/// A running users service and the database behind it (kept alive with it).
pub struct App {
    pub server: TestServer,
    pub db: TestDb,
    pub client: reqwest::Client,
}

impl App {
    /// A service on a fresh database with the default configuration.
    pub async fn start() -> App {
        let db = TestDb::new("users").await;
        let config = Config::new(db.url.clone());
        App::start_with(db, config).await
    }

    /// A service on `db` with `config` (whose `database_url` should be `db`'s).
    pub async fn start_with(db: TestDb, config: Config) -> App {
        let app = build_app(config).await.expect("users service starts");
        App {
            server: testing::spawn(app).await,
            db,
            client: testing::client(),
        }
    }

    /// Stops the server and starts a new one on the same database.
    pub async fn restart(self) -> App {
        let App { server, db, .. } = self;
        drop(server);
        let config = Config::new(db.url.clone());
        App::start_with(db, config).await
    }

    pub async fn graphql(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        testing::graphql(
            &self.client,
            &self.server.graphql_url,
            query,
            variables,
            token,
        )
        .await
    }

    pub async fn sign_up(&self, email: &str, name: &str, password: &str) -> Value {
        self.graphql(
            SIGN_UP,
            json!({ "input": { "email": email, "name": name, "password": password } }),
            None,
        )
        .await
    }

    pub async fn sign_in(&self, email: &str, password: &str) -> Value {
        self.graphql(
            SIGN_IN,
            json!({ "email": email, "password": password }),
            None,
        )
        .await
    }

    /// Signs up a fresh account and returns (token, user id).
    pub async fn new_account(&self, email: &str) -> (String, String) {
        let body = self.sign_up(email, "Test User", STRONG_PASSWORD).await;
        assert!(body["errors"].is_null(), "sign-up failed: {body}");
        let payload = &body["data"]["signUp"];
        (
            payload["token"].as_str().expect("token").to_owned(),
            payload["user"]["id"].as_str().expect("id").to_owned(),
        )
    }

    pub fn jwks_url(&self) -> String {
        format!("{}{}", self.server.base_url, shop_users::JWKS_PATH)
    }

    pub async fn jwks(&self) -> Value {
        let response = self
            .client
            .get(self.jwks_url())
            .send()
            .await
            .expect("GET jwks");
        assert!(
            response.status().is_success(),
            "JWKS status {}",
            response.status()
        );
        response.json().await.expect("JWKS JSON")
    }
}

/// The `extensions.code` of the first error, for assertion messages that show the body.
pub fn code(body: &Value) -> &str {
    testing::first_error_code(body).unwrap_or("<no error>")
}
