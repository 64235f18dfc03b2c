//! Test helpers: a fresh database per test, a service on an ephemeral port, and
//! a log of the SQL a connection runs ([`SqlLog`]).
//!
//! By default every test gets its own SQLite file in a temporary folder. When
//! `SHOP_TEST_POSTGRES` is set (for example `postgres://postgres@127.0.0.1:5432`),
//! every test gets its own PostgreSQL database instead, named `shoptest_*`, so the
//! same suite proves both backends (`.ci/run` runs it both ways and drops the
//! `shoptest_*` databases first).

pub mod live;
mod sql_log;

pub use sql_log::SqlLog;

use std::time::Duration;

use axum::Router;
use sea_orm::{ConnectionTrait, Database};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

pub const POSTGRES_ENV: &str = "SHOP_TEST_POSTGRES";
pub const NATS_ENV: &str = "SHOP_TEST_NATS";

/// The NATS JetStream URL the event tests also run against (`SHOP_TEST_NATS`),
/// or `None` for the in-process bus alone. `SHOP_TEST_NATS=skip` says so on
/// purpose (`.ci/run`'s first pass: its NATS pass runs them). Unset with `CI`
/// set is a failure, not a skip: CI must not pass without the NATS contract.
pub fn nats_url() -> Option<String> {
    match std::env::var(NATS_ENV) {
        Ok(url) if url == "skip" => None,
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var_os("CI").is_some() => panic!(
            "{NATS_ENV} is not set and CI is: set it to a NATS URL (nats://127.0.0.1:4222), \
             or to `skip` where another pass runs the NATS tests"
        ),
        _ => {
            eprintln!("{NATS_ENV} is not set: the NATS JetStream cases do not run");
            None
        }
    }
}

/// A database for one test. Keep it alive for the test's duration (the SQLite
/// folder is removed on drop).
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

impl TestDb {
    pub async fn new(service: &str) -> TestDb {
        match std::env::var(POSTGRES_ENV) {
            Ok(base) if !base.is_empty() => {
                let base = base.trim_end_matches('/').to_owned();
                let name = format!("shoptest_{service}_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(format!("{base}/postgres"))
                    .await
                    .expect("connect to PostgreSQL");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                TestDb {
                    url: format!("{base}/{name}"),
                    _dir: None,
                }
            }
            _ => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = crate::db::sqlite_url(&dir.path().join(format!("{service}.db")));
                TestDb {
                    url,
                    _dir: Some(dir),
                }
            }
        }
    }

    pub fn is_postgres(&self) -> bool {
        self.url.starts_with("postgres")
    }
}

/// A service running on 127.0.0.1 on an ephemeral port; stopped on drop.
pub struct TestServer {
    /// `http://127.0.0.1:PORT`
    pub base_url: String,
    /// `http://127.0.0.1:PORT/graphql`
    pub graphql_url: String,
    stop: Option<oneshot::Sender<()>>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

pub async fn spawn(app: Router) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(async move {
        let _ = crate::server::serve(listener, app, async {
            let _ = stopped.await;
        })
        .await;
    });
    TestServer {
        base_url: format!("http://{addr}"),
        graphql_url: format!("http://{addr}/graphql"),
        stop: Some(stop),
    }
}

/// A client for tests, with a timeout so that a hung server fails the test.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(60))
        .build()
        .expect("client")
}

/// Posts `query` with `variables` (and a bearer `token`) and returns the JSON body.
pub async fn graphql(
    client: &reqwest::Client,
    url: &str,
    query: &str,
    variables: Value,
    token: Option<&str>,
) -> Value {
    let mut request = client
        .post(url)
        .json(&json!({ "query": query, "variables": variables }));
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.expect("request");
    response.json().await.expect("JSON body")
}

/// The `extensions.code` of the first error of a response, if any.
pub fn first_error_code(body: &Value) -> Option<&str> {
    body["errors"][0]["extensions"]["code"].as_str()
}

/// Holds `schema/<service>.graphql` (at the repository root) to `sdl`, so a schema
/// change shows up in review: fails with the update hint on a mismatch, or rewrites
/// the file when `UPDATE_SCHEMA` is set.
pub fn assert_schema_file(service: &str, sdl: &str) {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../schema")
        .join(format!("{service}.graphql"));
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, sdl).expect("write schema file");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "schema/{service}.graphql is out of date: \
         run UPDATE_SCHEMA=1 cargo test -p shop-{service} --test schema to update\n\
         --- emitted ---\n{sdl}"
    );
}

/// Asks the subgraph at `graphql_url` for `_service { sdl }`, asserts it equals
/// `sdl` (what the crate's `sdl()` returns without a database) and returns it.
pub async fn assert_live_sdl(graphql_url: &str, sdl: &str) -> String {
    let body = graphql(
        &client(),
        graphql_url,
        "{ _service { sdl } }",
        json!({}),
        None,
    )
    .await;
    let live = body["data"]["_service"]["sdl"]
        .as_str()
        .unwrap_or_else(|| panic!("no sdl in {body}"));
    assert_eq!(live, sdl, "_service {{ sdl }} differs from sdl()");
    live.to_owned()
}

/// Signs tokens for tests the way the users service (customers, admins) and a
/// calling service (service tokens) do, and serves both key sets as JWKS, so a
/// service can be tested alone with every kind of caller.
pub struct TestIssuer {
    users_key: crate::signing::SigningKey,
    services: std::collections::HashMap<String, crate::auth::ServiceTokens>,
    server: TestServer,
}

impl TestIssuer {
    /// Keys for the users service and for each of `services`.
    pub async fn start(services: &[&str]) -> TestIssuer {
        use crate::signing::SigningKey;
        let users_key = SigningKey::generate().expect("key");
        let mut app = Router::new().nest("/users", crate::jwks::routes(users_key.jwk_set()));
        let mut tokens = std::collections::HashMap::new();
        for service in services {
            let minted =
                crate::auth::ServiceTokens::new(*service, SigningKey::generate().expect("key"));
            app = app.nest(
                &format!("/{service}"),
                crate::jwks::routes(minted.jwk_set()),
            );
            tokens.insert((*service).to_owned(), minted);
        }
        TestIssuer {
            users_key,
            services: tokens,
            server: spawn(app).await,
        }
    }

    /// The JWKS URL of the users service's keys.
    pub fn users_jwks_url(&self) -> String {
        format!("{}/users{}", self.server.base_url, crate::jwks::JWKS_PATH)
    }

    /// `service` as a trusted service of the service under test.
    pub fn trusted(&self, service: &str) -> crate::auth::TrustedService {
        crate::auth::TrustedService::new(
            service,
            format!(
                "{}/{service}{}",
                self.server.base_url,
                crate::jwks::JWKS_PATH
            ),
        )
    }

    /// A customer's token for user `id`.
    pub fn customer(&self, id: &str) -> String {
        self.user_token(id, crate::auth::Role::Customer)
    }

    /// An admin's token for user `id`.
    pub fn admin(&self, id: &str) -> String {
        self.user_token(id, crate::auth::Role::Admin)
    }

    fn user_token(&self, id: &str, role: crate::auth::Role) -> String {
        let now = chrono::Utc::now().timestamp();
        self.users_key
            .sign(&crate::Claims {
                sub: id.to_owned(),
                email: format!("{id}@example.com"),
                role,
                iss: crate::auth::ISSUER.to_owned(),
                iat: now,
                exp: now + 3600,
            })
            .expect("sign")
    }

    /// A token of `service` for calling `audience` with `scopes`.
    pub fn service(&self, service: &str, audience: &str, scopes: &[&str]) -> String {
        self.services[service]
            .token(audience, scopes)
            .expect("sign")
    }

    /// Signs arbitrary claims with `service`'s key (expired or overlong tokens).
    pub fn sign_as_service(&self, service: &str, claims: &crate::auth::ServiceClaims) -> String {
        self.services[service].sign_claims(claims).expect("sign")
    }
}

/// The `_entities` of a GraphQL answer, checked to be one per id and in the
/// order of `ids` (an entity is `null` or carries its `id`): what a
/// representation batch must answer whatever its loader does.
pub fn entities_in_order<'a>(body: &'a Value, ids: &[String]) -> &'a [Value] {
    let entities = body["data"]["_entities"]
        .as_array()
        .unwrap_or_else(|| panic!("no _entities: {body}"));
    assert_eq!(entities.len(), ids.len(), "{body}");
    for (entity, id) in entities.iter().zip(ids) {
        assert!(
            entity.is_null() || entity["id"] == id.as_str(),
            "{id} answered by {entity}: {body}"
        );
    }
    entities
}
