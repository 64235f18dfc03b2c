//! A payments service on its own database, with an issuer of the tokens it accepts
//! (customers' and admins', and the checkout's service tokens), an event bus the
//! test can publish on, and helpers to charge over HTTP as the checkout does.

#![allow(dead_code)]

use sea_orm::ActiveEnum;
use sea_orm::{DatabaseConnection, EntityTrait, PaginatorTrait};
use serde_json::{Value, json};
use shop_common::auth::scopes;
use shop_common::testing::{TestDb, TestIssuer, TestServer, client, graphql, spawn};
use shop_events::EventBus;
use shop_payments::entity::{payment, refund};

pub const PAYMENT_FIELDS: &str =
    "id order { id } amount { amountCents currency } status createdAt declineReason";

pub const APPROVE: &str = "4242 4242 4242 4242";
pub const DECLINE: &str = "4000-0000-0000-0002";
pub const INSUFFICIENT_FUNDS: &str = "4000000000009995";

pub const CHARGE: &str = "mutation($order: ID!, $customer: ID!, $amount: MoneyInput!, $card: ChargeCardInput!) {
    processPayment(orderId: $order, customerId: $customer, amount: $amount, card: $card) { PAYMENT_FIELDS }
}";

pub struct Shop {
    pub client: reqwest::Client,
    pub issuer: TestIssuer,
    pub payments: TestServer,
    pub bus: EventBus,
    pub db: DatabaseConnection,
    _payments_db: TestDb,
}

impl Shop {
    pub async fn start() -> Shop {
        let payments_db = TestDb::new("payments").await;
        let issuer = TestIssuer::start(&["orders", "inventory"]).await;
        let bus = EventBus::memory();
        let mut config = shop_payments::Config::new(&payments_db.url);
        config.jwks_url = issuer.users_jwks_url();
        config.trusted_services = vec![issuer.trusted("orders")];
        config.bus = Some(bus.clone());
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
            issuer,
            payments,
            bus,
            db,
            _payments_db: payments_db,
        }
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

    /// The checkout's token for `scope`.
    pub fn checkout(&self, scope: &str) -> String {
        self.issuer.service("orders", "payments", &[scope])
    }

    /// `processPayment` as the checkout does it, for `customer`, with a card
    /// valid until 2099 unless `card` overrides fields.
    pub async fn pay(
        &self,
        customer: &str,
        order_id: &str,
        amount_cents: i64,
        card: Value,
    ) -> Value {
        let token = self.checkout(scopes::PAYMENTS_CHARGE);
        self.pay_as(Some(&token), customer, order_id, amount_cents, card)
            .await
    }

    /// `processPayment` with whatever `token` (or none).
    pub async fn pay_as(
        &self,
        token: Option<&str>,
        customer: &str,
        order_id: &str,
        amount_cents: i64,
        card: Value,
    ) -> Value {
        let mut full_card =
            json!({ "number": APPROVE, "expiryMonth": 12, "expiryYear": 2099, "cvc": "123" });
        for (field, value) in card.as_object().expect("card fields") {
            full_card[field] = value.clone();
        }
        self.query(
            &CHARGE.replace("PAYMENT_FIELDS", PAYMENT_FIELDS),
            json!({
                "order": order_id,
                "customer": customer,
                "amount": { "amountCents": amount_cents, "currency": "EUR" },
                "card": full_card,
            }),
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

    /// Rows in `refunds`.
    pub async fn refund_rows(&self) -> u64 {
        refund::Entity::find()
            .count(&self.db)
            .await
            .expect("count refunds")
    }

    /// The stored status of payment `id`, by its stored name.
    pub async fn status_of(&self, id: &str) -> String {
        payment::Entity::find_by_id(id.to_owned())
            .one(&self.db)
            .await
            .expect("read payment")
            .expect("payment exists")
            .status
            .to_value()
    }

    /// Waits (up to 10 s) until `check` holds.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for _ in 0..100 {
            if check().await {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("timed out waiting for {what}");
    }
}

/// The payment in a `processPayment` answer.
pub fn charged(body: &Value) -> &Value {
    assert!(body["errors"].is_null(), "{body}");
    &body["data"]["processPayment"]
}
