//! An inventory service on an ephemeral port, for one test, with an issuer of the
//! tokens it accepts: the checkout's service tokens (orders) and admins'.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use shop_common::auth::scopes;
use shop_common::testing::{self, SqlLog, TestDb, TestIssuer, TestServer};
use shop_inventory::{Config, app_on, build_app};

pub struct Service {
    pub server: TestServer,
    pub client: reqwest::Client,
    pub db: TestDb,
    pub issuer: TestIssuer,
}

impl Service {
    /// Seeded, with the default TTL.
    pub async fn seeded() -> Service {
        Self::start(|config| config.seed = true).await
    }

    pub async fn start(configure: impl FnOnce(&mut Config)) -> Service {
        let db = TestDb::new("inventory").await;
        let issuer = TestIssuer::start(&["orders", "payments"]).await;
        let mut config = config(&db, &issuer);
        configure(&mut config);
        let app = build_app(config).await.expect("inventory starts");
        Self::serve(app, db, issuer).await
    }

    /// Seeded, over a connection whose statements the returned log records.
    pub async fn seeded_with_sql_log() -> (Service, SqlLog) {
        let db = TestDb::new("inventory").await;
        let issuer = TestIssuer::start(&["orders", "payments"]).await;
        let mut connection =
            shop_common::db::connect_and_migrate::<inventory_migration::Migrator>(&db.url)
                .await
                .expect("inventory database");
        shop_inventory::seed_if_empty(&connection)
            .await
            .expect("seed");
        let sql = SqlLog::attach(&mut connection);
        let app = app_on(connection, config(&db, &issuer))
            .await
            .expect("inventory starts");
        (Self::serve(app, db, issuer).await, sql)
    }

    async fn serve(app: axum::Router, db: TestDb, issuer: TestIssuer) -> Service {
        Service {
            server: testing::spawn(app).await,
            client: testing::client(),
            db,
            issuer,
        }
    }

    /// The checkout's token for `scope`.
    pub fn checkout_token(&self, scope: &str) -> String {
        self.issuer.service("orders", "inventory", &[scope])
    }

    pub async fn with_ttl(ttl: Duration, sweep_every: Duration) -> Service {
        Self::start(|config| {
            config.seed = true;
            config.reservation_ttl = ttl;
            config.expiry_interval = sweep_every;
        })
        .await
    }

    pub async fn query(&self, query: &str, variables: Value) -> Value {
        self.query_as(None, query, variables).await
    }

    pub async fn query_as(&self, token: Option<&str>, query: &str, variables: Value) -> Value {
        testing::graphql(
            &self.client,
            &self.server.graphql_url,
            query,
            variables,
            token,
        )
        .await
    }

    /// Units available of `product_id`, read through `_entities`.
    pub async fn stock(&self, product_id: &str) -> i64 {
        let body = self
            .query(
                r#"query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { stock } } }"#,
                json!({ "r": [{ "__typename": "Product", "id": product_id }] }),
            )
            .await;
        body["data"]["_entities"][0]["stock"]
            .as_i64()
            .unwrap_or_else(|| panic!("no stock in {body}"))
    }

    /// `restock` as an admin.
    pub async fn restock(&self, product_id: &str, quantity: i64) -> Value {
        self.query_as(
            Some(&self.issuer.admin("staff-1")),
            "mutation($p: ID!, $q: Int!) { restock(productId: $p, quantity: $q) }",
            json!({ "p": product_id, "q": quantity }),
        )
        .await
    }

    /// `reserveStock` for `items` as `[(productId, quantity)]`.
    pub async fn reserve(&self, order_id: &str, items: &[(&str, i64)]) -> Value {
        let items: Vec<Value> = items
            .iter()
            .map(|(product_id, quantity)| json!({ "productId": product_id, "quantity": quantity }))
            .collect();
        self.query_as(
            Some(&self.checkout_token(scopes::STOCK_RESERVE)),
            &format!("mutation($o: ID!, $i: [ReservationItemInput!]!) {{ reserveStock(orderId: $o, items: $i) {{ {RESERVATION} }} }}"),
            json!({ "o": order_id, "i": items }),
        )
        .await
    }

    pub async fn release(&self, reservation_id: &str) -> Value {
        self.query_as(
            Some(&self.checkout_token(scopes::STOCK_RELEASE)),
            &format!(
                "mutation($id: ID!) {{ releaseStock(reservationId: $id) {{ {RESERVATION} }} }}"
            ),
            json!({ "id": reservation_id }),
        )
        .await
    }

    pub async fn commit(&self, reservation_id: &str) -> Value {
        self.query_as(
            Some(&self.checkout_token(scopes::STOCK_COMMIT)),
            &format!(
                "mutation($id: ID!) {{ commitReservation(reservationId: $id) {{ {RESERVATION} }} }}"
            ),
            json!({ "id": reservation_id }),
        )
        .await
    }

    pub async fn reservation(&self, reservation_id: &str) -> Value {
        let body = self
            .query_as(
                Some(&self.checkout_token(scopes::STOCK_READ)),
                &format!("query($id: ID!) {{ reservation(id: $id) {{ {RESERVATION} }} }}"),
                json!({ "id": reservation_id }),
            )
            .await;
        body["data"]["reservation"].clone()
    }
}

/// The service's configuration for `db`, trusting `issuer`'s admins and orders.
fn config(db: &TestDb, issuer: &TestIssuer) -> Config {
    let mut config = Config::new(db.url.clone());
    config.jwks_url = issuer.users_jwks_url();
    config.trusted_services = vec![issuer.trusted("orders")];
    config
}

pub const RESERVATION: &str = "id orderId status items { productId quantity } expiresAt createdAt";
