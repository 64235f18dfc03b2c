//! A real users service (for tokens and its JWKS) next to an orders service that
//! verifies against it, an issuer of another service's tokens (payments, trusted
//! to read orders), plus direct database access to create orders. The orders
//! service publishes on its own bus: in-process, or NATS JetStream (a stream of
//! its own, deleted by [`Shop::stop`]) when `SHOP_TEST_NATS` is set.

#![allow(dead_code)]

use sea_orm::DatabaseConnection;
use serde_json::{Value, json};
use shop_common::testing::{TestDb, TestIssuer, TestServer, client, graphql, spawn};
use shop_orders::EventBus;
use shop_orders::repository::{NewOrderItem, OrderModel, create_order};

pub struct Shop {
    pub client: reqwest::Client,
    pub users: TestServer,
    pub orders: TestServer,
    pub db: DatabaseConnection,
    pub issuer: TestIssuer,
    pub bus: EventBus,
    users_db: TestDb,
    _orders_db: TestDb,
}

/// A signed-up user: their id and bearer token.
pub struct Customer {
    pub id: String,
    pub token: String,
}

impl Shop {
    pub async fn start() -> Shop {
        let users_db = TestDb::new("users").await;
        let orders_db = TestDb::new("orders").await;
        let users = spawn(
            shop_users::build_app(shop_users::Config::new(&users_db.url))
                .await
                .expect("users service starts"),
        )
        .await;
        let issuer = TestIssuer::start(&["payments", "inventory"]).await;
        let bus = match shop_common::testing::nats_url() {
            Some(url) => EventBus::connect(&format!(
                "{url}?stream=ORDERS_{}",
                uuid::Uuid::new_v4().simple()
            ))
            .await
            .expect("connect to NATS"),
            None => EventBus::memory(),
        };
        let mut config = shop_orders::Config::new(&orders_db.url);
        config.jwks_url = format!("{}/.well-known/jwks.json", users.base_url);
        config.trusted_services = vec![issuer.trusted("payments")];
        config.bus = Some(bus.clone());
        let orders = spawn(
            shop_orders::build_app(config)
                .await
                .expect("orders service starts"),
        )
        .await;
        let db = shop_common::db::connect(&orders_db.url)
            .await
            .expect("connect to the orders database");
        Shop {
            client: client(),
            users,
            orders,
            db,
            issuer,
            bus,
            users_db,
            _orders_db: orders_db,
        }
    }

    /// Deletes the NATS stream (nothing for the in-process bus).
    pub async fn stop(self) {
        let _ = self.bus.destroy().await;
    }

    /// Signs up `name` and makes them an admin (as `users grant-admin` does);
    /// returns their token after signing in again.
    pub async fn admin(&self, name: &str) -> Customer {
        let signed_up = self.sign_up(name).await;
        shop_users::grant_admin(&self.users_db.url, &format!("{name}@example.com"))
            .await
            .expect("grant admin");
        let body = graphql(
            &self.client,
            &self.users.graphql_url,
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
            json!({ "e": format!("{name}@example.com"), "p": "Tr0ub4dor&3-horse-staple" }),
            None,
        )
        .await;
        Customer {
            id: signed_up.id,
            token: body["data"]["signIn"]["token"]
                .as_str()
                .unwrap_or_else(|| panic!("signIn failed: {body}"))
                .to_owned(),
        }
    }

    /// Signs up through the users service's GraphQL API.
    pub async fn sign_up(&self, name: &str) -> Customer {
        let body = graphql(
            &self.client,
            &self.users.graphql_url,
            "mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }",
            json!({ "input": {
                "email": format!("{name}@example.com"),
                "name": name,
                "password": "Tr0ub4dor&3-horse-staple",
            }}),
            None,
        )
        .await;
        let payload = &body["data"]["signUp"];
        Customer {
            id: payload["user"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("signUp failed: {body}"))
                .to_owned(),
            token: payload["token"].as_str().expect("token").to_owned(),
        }
    }

    /// Creates an order for `user_id` directly (placing orders is the saga's job).
    pub async fn order(&self, user_id: &str, lines: &[(&str, i32, i64)]) -> OrderModel {
        let items: Vec<NewOrderItem> = lines
            .iter()
            .map(|(product_id, quantity, cents)| NewOrderItem {
                product_id: (*product_id).to_owned(),
                quantity: *quantity,
                unit_price_cents: *cents,
                currency: "EUR".to_owned(),
            })
            .collect();
        create_order(&self.db, user_id, &items)
            .await
            .expect("create order")
    }

    pub async fn query(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        graphql(
            &self.client,
            &self.orders.graphql_url,
            query,
            variables,
            token,
        )
        .await
    }
}
