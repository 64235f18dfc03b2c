//! An inventory service on an ephemeral port, for one test.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::{Value, json};
use shop_common::testing::{self, TestDb, TestServer};
use shop_inventory::{Config, build_app};

pub struct Service {
    pub server: TestServer,
    pub client: reqwest::Client,
    pub db: TestDb,
}

impl Service {
    /// Seeded, with the default TTL.
    pub async fn seeded() -> Service {
        Self::start(|config| config.seed = true).await
    }

    pub async fn start(configure: impl FnOnce(&mut Config)) -> Service {
        let db = TestDb::new("inventory").await;
        let mut config = Config::new(db.url.clone());
        configure(&mut config);
        let app = build_app(config).await.expect("inventory starts");
        Service {
            server: testing::spawn(app).await,
            client: testing::client(),
            db,
        }
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
        testing::graphql(
            &self.client,
            &self.server.graphql_url,
            query,
            variables,
            None,
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

    pub async fn restock(&self, product_id: &str, quantity: i64) -> Value {
        self.query(
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
        self.query(
            &format!("mutation($o: ID!, $i: [ReservationItemInput!]!) {{ reserveStock(orderId: $o, items: $i) {{ {RESERVATION} }} }}"),
            json!({ "o": order_id, "i": items }),
        )
        .await
    }

    pub async fn release(&self, reservation_id: &str) -> Value {
        self.query(
            &format!(
                "mutation($id: ID!) {{ releaseStock(reservationId: $id) {{ {RESERVATION} }} }}"
            ),
            json!({ "id": reservation_id }),
        )
        .await
    }

    pub async fn commit(&self, reservation_id: &str) -> Value {
        self.query(
            &format!(
                "mutation($id: ID!) {{ commitReservation(reservationId: $id) {{ {RESERVATION} }} }}"
            ),
            json!({ "id": reservation_id }),
        )
        .await
    }

    pub async fn reservation(&self, reservation_id: &str) -> Value {
        let body = self
            .query(
                &format!("query($id: ID!) {{ reservation(id: $id) {{ {RESERVATION} }} }}"),
                json!({ "id": reservation_id }),
            )
            .await;
        body["data"]["reservation"].clone()
    }
}

pub const RESERVATION: &str = "id orderId status items { productId quantity } expiresAt createdAt";
