//! The shop as a client, an attacker and an auditor meet it: the whole shop
//! (`start_shop`, as `cargo run` starts it, seeded) behind the router, every
//! subgraph's own port reachable too, and the ground truth read straight from the
//! services' databases: to prove that a refused attack changed nothing, and that
//! money and stock add up.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::Path;

use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use serde_json::{Value, json};
use shop::{Shop, ShopOptions, start_shop};
use shop_common::testing::client;

pub const VISA: &str = "4242 4242 4242 4242";
pub const DECLINED: &str = "4000 0000 0000 0002";
pub const PASSWORD: &str = "Tr0ub4dor&3-horse-staple";

/// Where a request goes: the router, or one subgraph's own port.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Router,
    Direct(&'static str),
}

pub struct Customer {
    pub id: String,
    pub email: String,
    pub token: String,
}

/// Everything money and stock: what must not change when an attack is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ledger {
    /// (product, available, sold)
    pub stock: Vec<(String, i64, i64)>,
    /// (reservation, order, status)
    pub reservations: Vec<(String, String, String)>,
    /// (payment, order, user, status, amount)
    pub payments: Vec<(String, String, String, String, i64)>,
    /// (payment, amount)
    pub refunds: Vec<(String, i64)>,
    /// (order, user, status, total)
    pub orders: Vec<(String, String, String, i64)>,
    /// (user, role)
    pub users: Vec<(String, String)>,
}

pub struct Shopfront {
    pub shop: Shop,
    pub http: reqwest::Client,
    dbs: Vec<(&'static str, DatabaseConnection)>,
    _dir: Option<tempfile::TempDir>,
}

impl Shopfront {
    /// A seeded shop on a fresh folder, removed when the shop is dropped.
    pub async fn start() -> Shopfront {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut front = Shopfront::open(dir.path()).await;
        front._dir = Some(dir);
        front
    }

    /// The shop on the databases in `dir` (seeded when empty): started again on
    /// the same folder, it carries on where it stopped.
    pub async fn open(dir: &Path) -> Shopfront {
        let shop = start_shop(ShopOptions {
            data_dir: dir.to_path_buf(),
            subgraph_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            seed: true,
            router_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            development: false,
            metrics_addr: None,
        })
        .await
        .expect("the shop starts");
        let mut dbs = Vec::new();
        for service in ["users", "inventory", "orders", "payments"] {
            let url = shop_common::db::sqlite_url(&dir.join(format!("{service}.db")));
            dbs.push((
                service,
                shop_common::db::connect(&url)
                    .await
                    .expect("read the database"),
            ));
        }
        Shopfront {
            shop,
            http: client(),
            dbs,
            _dir: None,
        }
    }

    /// Stops the shop's servers and closes the view of its databases.
    pub async fn stop(self) {
        for (_, db) in self.dbs {
            db.close().await.ok();
        }
        self.shop.stop().await;
    }

    pub fn url(&self, target: Target) -> String {
        match target {
            Target::Router => self.shop.router_url().to_owned(),
            Target::Direct(service) => self.shop.url(service).expect("a service").to_owned(),
        }
    }

    /// Sends `query` and returns the HTTP status and the JSON body.
    pub async fn call(
        &self,
        target: Target,
        token: Option<&str>,
        query: &str,
        variables: Value,
    ) -> (u16, Value) {
        let mut request = self
            .http
            .post(self.url(target))
            .header(
                "accept",
                "application/graphql-response+json, application/json",
            )
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.expect("request");
        let status = response.status().as_u16();
        (status, response.json().await.expect("a JSON body"))
    }

    pub async fn sign_up(&self, name: &str) -> Customer {
        let email = format!("{name}@example.com");
        let (_, body) = self
            .call(
                Target::Router,
                None,
                "mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }",
                json!({ "input": { "email": email, "name": name, "password": PASSWORD } }),
            )
            .await;
        Customer {
            id: body["data"]["signUp"]["user"]["id"]
                .as_str()
                .unwrap_or_else(|| panic!("sign-up failed: {body}"))
                .to_owned(),
            email,
            token: body["data"]["signUp"]["token"].as_str().unwrap().to_owned(),
        }
    }

    /// `placeOrder` through the router.
    pub async fn place(
        &self,
        customer: &Customer,
        items: &[(&str, i32)],
        card: &str,
        key: &str,
    ) -> Value {
        let items: Vec<Value> = items
            .iter()
            .map(|(id, quantity)| json!({ "productId": id, "quantity": quantity }))
            .collect();
        self.call(
            Target::Router,
            Some(&customer.token),
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total { amountCents currency } } }",
            json!({ "input": {
                "items": items,
                "card": { "number": card, "expiryMonth": 12, "expiryYear": 2035, "cvc": "123" },
                "idempotencyKey": key,
            }}),
        )
        .await
        .1
    }

    /// A confirmed order of `customer`: its id.
    pub async fn confirmed_order(&self, customer: &Customer, product: &str, key: &str) -> String {
        let body = self.place(customer, &[(product, 1)], VISA, key).await;
        assert_eq!(body["data"]["placeOrder"]["status"], "CONFIRMED", "{body}");
        body["data"]["placeOrder"]["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    async fn rows(&self, service: &str, sql: &str) -> Vec<sea_orm::QueryResult> {
        let db = &self
            .dbs
            .iter()
            .find(|(name, _)| *name == service)
            .expect("a database")
            .1;
        db.query_all_raw(Statement::from_string(db.get_database_backend(), sql))
            .await
            .expect("read rows")
    }

    /// The ground truth, read from the services' own databases.
    pub async fn ledger(&self) -> Ledger {
        let text = |row: &sea_orm::QueryResult, column: &str| -> String {
            row.try_get::<String>("", column).expect(column)
        };
        let number = |row: &sea_orm::QueryResult, column: &str| -> i64 {
            row.try_get::<i64>("", column).expect(column)
        };
        Ledger {
            stock: self
                .rows(
                    "inventory",
                    "SELECT product_id, available, sold FROM stock ORDER BY product_id",
                )
                .await
                .iter()
                .map(|r| {
                    (
                        text(r, "product_id"),
                        number(r, "available"),
                        number(r, "sold"),
                    )
                })
                .collect(),
            reservations: self
                .rows(
                    "inventory",
                    "SELECT id, order_id, status FROM reservations ORDER BY id",
                )
                .await
                .iter()
                .map(|r| (text(r, "id"), text(r, "order_id"), text(r, "status")))
                .collect(),
            payments: self
                .rows(
                    "payments",
                    "SELECT id, order_id, user_id, status, amount_cents FROM payments ORDER BY id",
                )
                .await
                .iter()
                .map(|r| {
                    (
                        text(r, "id"),
                        text(r, "order_id"),
                        text(r, "user_id"),
                        text(r, "status"),
                        number(r, "amount_cents"),
                    )
                })
                .collect(),
            refunds: self
                .rows(
                    "payments",
                    "SELECT payment_id, amount_cents FROM refunds ORDER BY payment_id",
                )
                .await
                .iter()
                .map(|r| (text(r, "payment_id"), number(r, "amount_cents")))
                .collect(),
            orders: self
                .rows(
                    "orders",
                    "SELECT id, user_id, status, total_cents FROM orders ORDER BY id",
                )
                .await
                .iter()
                .map(|r| {
                    (
                        text(r, "id"),
                        text(r, "user_id"),
                        text(r, "status"),
                        number(r, "total_cents"),
                    )
                })
                .collect(),
            users: self
                .rows("users", "SELECT id, role FROM users ORDER BY id")
                .await
                .iter()
                .map(|r| (text(r, "id"), text(r, "role")))
                .collect(),
        }
    }

    /// Units per product held by `ACTIVE` reservations.
    pub async fn reserved_units(&self) -> BTreeMap<String, i64> {
        self.units(
            "inventory",
            "SELECT i.product_id AS product_id, SUM(i.quantity) AS units \
             FROM reservation_items i JOIN reservations r ON r.id = i.reservation_id \
             WHERE r.status = 'ACTIVE' GROUP BY i.product_id",
        )
        .await
    }

    /// Units per product of the orders that are `CONFIRMED`: what must be sold.
    pub async fn confirmed_units(&self) -> BTreeMap<String, i64> {
        self.units(
            "orders",
            "SELECT i.product_id AS product_id, SUM(i.quantity) AS units \
             FROM order_items i JOIN orders o ON o.id = i.order_id \
             WHERE o.status = 'CONFIRMED' GROUP BY i.product_id",
        )
        .await
    }

    async fn units(&self, service: &str, sql: &str) -> BTreeMap<String, i64> {
        self.rows(service, sql)
            .await
            .iter()
            .map(|row| {
                (
                    row.try_get::<String>("", "product_id").expect("product_id"),
                    row.try_get::<i64>("", "units").expect("units"),
                )
            })
            .collect()
    }

    async fn count(&self, service: &str, sql: &str) -> i64 {
        self.rows(service, sql)
            .await
            .first()
            .map(|row| row.try_get::<i64>("", "n").expect("a count"))
            .unwrap_or_default()
    }

    /// Nothing is left in flight: no checkout running, every event published,
    /// and every order event consumed by each service that reacts to it.
    pub async fn settled(&self) -> bool {
        let running = self
            .count(
                "orders",
                "SELECT COUNT(*) AS n FROM checkout_sagas WHERE state = 'RUNNING'",
            )
            .await;
        let mut unpublished = 0;
        for service in ["inventory", "orders", "payments"] {
            unpublished += self
                .count(
                    service,
                    "SELECT COUNT(*) AS n FROM outbox WHERE published_at IS NULL",
                )
                .await;
        }
        if running > 0 || unpublished > 0 {
            return false;
        }
        let consumed_by = |service| async move {
            self.rows(service, "SELECT event_id FROM processed_events")
                .await
                .iter()
                .map(|row| row.try_get::<String>("", "event_id").expect("event_id"))
                .collect::<std::collections::HashSet<String>>()
        };
        let (payments, inventory) = (
            consumed_by("payments").await,
            consumed_by("inventory").await,
        );
        for row in self
            .rows(
                "orders",
                "SELECT id, event_type FROM outbox WHERE event_type IN \
                 ('order.cancelled', 'order.payment_failed', 'order.rejected')",
            )
            .await
        {
            let id: String = row.try_get("", "id").expect("id");
            let event_type: String = row.try_get("", "event_type").expect("event_type");
            let payments_reacts = event_type != "order.rejected";
            if !inventory.contains(&id) || (payments_reacts && !payments.contains(&id)) {
                return false;
            }
        }
        true
    }

    /// The reservation inventory holds for `order_id`.
    pub async fn reservation_of(&self, order_id: &str) -> String {
        self.ledger()
            .await
            .reservations
            .into_iter()
            .find(|(_, order, _)| order == order_id)
            .map(|(id, _, _)| id)
            .expect("a reservation")
    }

    /// The payment payments holds for `order_id`.
    pub async fn payment_of(&self, order_id: &str) -> String {
        self.ledger()
            .await
            .payments
            .into_iter()
            .find(|p| p.1 == order_id)
            .map(|p| p.0)
            .expect("a payment")
    }
}

/// The callers an attack is tried as.
pub fn callers(attacker: &Customer) -> [(&'static str, Option<&str>); 2] {
    [("anonymous", None), ("a customer", Some(&attacker.token))]
}

/// The attack was refused: errors, and no data for `field`. The router refuses
/// fields its API schema does not have with a 400 before anything runs; a
/// subgraph refuses an unknown field or argument in validation (async-graphql
/// gives such errors no code, and no data) and a known field it does not allow
/// with `FORBIDDEN`, `UNAUTHENTICATED` or `NOT_FOUND`; the router refuses a
/// field the schema protects with `@authenticated` or `@requiresScopes` with
/// `UNAUTHORIZED`.
pub fn refused(what: &str, target: Target, status: u16, body: &Value, field: &str) {
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("{what} via {target:?} was not refused: {body}"));
    assert!(!errors.is_empty(), "{what} via {target:?}: {body}");
    assert!(
        body["data"].is_null() || body["data"][field].is_null(),
        "{what} via {target:?} returned data: {body}"
    );
    for error in errors {
        let code = error["extensions"]["code"].as_str();
        let allowed = match code {
            Some("FORBIDDEN" | "UNAUTHENTICATED" | "NOT_FOUND") => true,
            Some("GRAPHQL_VALIDATION_FAILED") => target == Target::Router,
            // The schema's authorization directives, decided by the router.
            Some("UNAUTHORIZED") => target == Target::Router,
            // Validation: the operation never ran.
            None => matches!(target, Target::Direct(_)) && body["data"].is_null(),
            Some(_) => false,
        };
        assert!(
            allowed,
            "{what} via {target:?}: unexpected error {error} in {body}"
        );
        if code == Some("GRAPHQL_VALIDATION_FAILED") {
            assert_eq!(status, 400, "{what}: {body}");
        }
    }
}
