//! A real users service (for tokens and its JWKS) next to a payments service that
//! verifies against it, and helpers to charge and refund over HTTP.

#![allow(dead_code)]

use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use shop_common::testing::{TestDb, TestServer, client, graphql, spawn};
use shop_payments::entity::payment;

pub const PAYMENT_FIELDS: &str =
    "id order { id } amount { amountCents currency } status createdAt declineReason";

pub const APPROVE: &str = "4242 4242 4242 4242";
pub const DECLINE: &str = "4000-0000-0000-0002";
pub const INSUFFICIENT_FUNDS: &str = "4000000000009995";

pub struct Shop {
    pub client: reqwest::Client,
    pub users: TestServer,
    pub payments: TestServer,
    pub db: DatabaseConnection,
    _users_db: TestDb,
    _payments_db: TestDb,
}

impl Shop {
    pub async fn start() -> Shop {
        let users_db = TestDb::new("users").await;
        let payments_db = TestDb::new("payments").await;
        let users = spawn(
            shop_users::build_app(shop_users::Config::new(&users_db.url))
                .await
                .expect("users service starts"),
        )
        .await;
        let mut config = shop_payments::Config::new(&payments_db.url);
        config.jwks_url = format!("{}/.well-known/jwks.json", users.base_url);
        let payments = spawn(
            shop_payments::build_app(config)
                .await
                .expect("payments service starts"),
        )
        .await;
        let db = shop_common::db::connect(&payments_db.url)
            .await
            .expect("connect to the payments database");
        Shop {
            client: client(),
            users,
            payments,
            db,
            _users_db: users_db,
            _payments_db: payments_db,
        }
    }

    /// Signs up through the users service's GraphQL API and returns the token.
    pub async fn sign_up(&self, name: &str) -> String {
        let body = graphql(
            &self.client,
            &self.users.graphql_url,
            "mutation($input: SignUpInput!) { signUp(input: $input) { token } }",
            json!({ "input": {
                "email": format!("{name}@example.com"),
                "name": name,
                "password": "Tr0ub4dor&3-horse-staple",
            }}),
            None,
        )
        .await;
        body["data"]["signUp"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("signUp failed: {body}"))
            .to_owned()
    }

    pub async fn query(&self, query: &str, variables: Value, token: Option<&str>) -> Value {
        graphql(
            &self.client,
            &self.payments.graphql_url,
            query,
            variables,
            token,
        )
        .await
    }

    /// `processPayment` with a card valid until 2099 unless `card` overrides fields.
    pub async fn pay(
        &self,
        token: Option<&str>,
        order_id: &str,
        amount_cents: i64,
        card: Value,
        key: &str,
    ) -> Value {
        let mut full_card =
            json!({ "number": APPROVE, "expiryMonth": 12, "expiryYear": 2099, "cvc": "123" });
        for (field, value) in card.as_object().expect("card fields") {
            full_card[field] = value.clone();
        }
        self.query(
            &format!(
                "mutation($order: ID!, $amount: MoneyInput!, $card: CardInput!, $key: String!) {{
                    processPayment(orderId: $order, amount: $amount, card: $card, idempotencyKey: $key) {{ {PAYMENT_FIELDS} }}
                }}"
            ),
            json!({
                "order": order_id,
                "amount": { "amountCents": amount_cents, "currency": "EUR" },
                "card": full_card,
                "key": key,
            }),
            token,
        )
        .await
    }

    pub async fn refund(&self, token: Option<&str>, payment_id: &str, key: &str) -> Value {
        self.query(
            &format!(
                "mutation($id: ID!, $key: String!) {{
                    refundPayment(paymentId: $id, idempotencyKey: $key) {{ {PAYMENT_FIELDS} }}
                }}"
            ),
            json!({ "id": payment_id, "key": key }),
            token,
        )
        .await
    }

    /// Rows in `payments`, to prove what was (not) recorded.
    pub async fn payment_rows(&self) -> u64 {
        payment::Entity::find()
            .count(&self.db)
            .await
            .expect("count payments")
    }
}
