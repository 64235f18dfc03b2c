//! The shop for checkout tests: users, products (seeded catalogue), inventory (no
//! stock until a test restocks), payments and orders, sharing one event bus, each
//! on its own database, behind the router. SQLite and the in-process bus by default;
//! PostgreSQL with `SHOP_TEST_POSTGRES`, NATS JetStream with `SHOP_TEST_NATS`
//! (each shop then uses its own stream, deleted when the test ends well).
//!
//! The orders service runs in this process, or (for the crash test) as a real
//! `orders` process that the test can SIGKILL and start again. Its calls to
//! inventory can go through a [`Gate`] that holds them until the test opens it.

#![allow(dead_code)]

mod gate;

pub use gate::Gate;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use shop_common::testing::{TestDb, client, graphql};
use shop_events::{Event, EventBus};
use tokio::net::TcpListener;
use tokio::sync::watch;

pub const VISA: &str = "4242 4242 4242 4242";
pub const DECLINED: &str = "4000 0000 0000 0002";

pub const ORDER_FIELDS: &str = "id status statusReason total { amountCents currency } \
    items { product { id } quantity unitPrice { amountCents currency } } \
    statusHistory { status at reason }";

pub struct TestShop {
    pub client: reqwest::Client,
    /// The router's endpoint (absent while orders runs as a separate process).
    pub router_url: Option<String>,
    pub urls: HashMap<&'static str, String>,
    pub bus: EventBus,
    /// `memory` or the NATS spec with this shop's own stream.
    pub bus_spec: String,
    pub orders_db: TestDb,
    /// In front of inventory, for the checkout's calls (see [`TestShop::start_gated`]).
    pub inventory_gate: Option<Gate>,
    events: Arc<Mutex<Vec<Event>>>,
    stop: watch::Sender<bool>,
    _dbs: Vec<TestDb>,
}

pub struct Customer {
    pub id: String,
    pub token: String,
}

/// How the orders service runs.
pub enum Orders {
    InProcess,
    /// Not started: the test runs the `orders` binary itself.
    External,
}

impl TestShop {
    pub async fn start() -> TestShop {
        TestShop::start_with(Orders::InProcess).await
    }

    pub async fn start_with(orders: Orders) -> TestShop {
        TestShop::start_shop(orders, false).await
    }

    /// The shop with the checkout's calls to inventory held at a closed
    /// [`Gate`] (`inventory_gate`) until the test opens it: a placed order stays
    /// `PENDING` at its reservation meanwhile.
    pub async fn start_gated() -> TestShop {
        TestShop::start_shop(Orders::InProcess, true).await
    }

    async fn start_shop(orders: Orders, gated: bool) -> TestShop {
        let bus_spec = match shop_common::testing::nats_url() {
            Some(url) => format!("{url}?stream=CHECKOUT_{}", uuid::Uuid::new_v4().simple()),
            None => "memory".to_owned(),
        };
        let bus = EventBus::connect(&bus_spec).await.expect("event bus");
        let events = observe(&bus).await;
        let (stop, stopped) = watch::channel(false);
        let mut urls = HashMap::new();
        let mut dbs = Vec::new();

        let mut listeners = HashMap::new();
        for name in ["users", "products", "inventory", "orders", "payments"] {
            let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
            urls.insert(
                name,
                format!("http://{}/graphql", listener.local_addr().expect("addr")),
            );
            listeners.insert(name, listener);
        }
        let users_base = urls["users"].trim_end_matches("/graphql").to_owned();
        let jwks_url = format!("{users_base}/.well-known/jwks.json");
        // The checkout calls inventory and payments with service tokens signed by
        // orders, whose keys orders serves on its own port.
        let orders_service = shop_common::auth::TrustedService::new(
            "orders",
            urls["orders"].replace("/graphql", shop_common::jwks::JWKS_PATH),
        );

        let db = TestDb::new("users").await;
        let mut config = shop_users::Config::new(&db.url);
        // The development accounts: the admin restocks.
        config.seed = true;
        let users = shop_users::build_app(config).await.expect("users");
        serve(listeners.remove("users").expect("users"), users, &stopped);
        dbs.push(db);

        let db = TestDb::new("products").await;
        let mut config = shop_products::Config::new(&db.url);
        config.seed = true;
        let products = shop_products::build_app(config).await.expect("products");
        serve(
            listeners.remove("products").expect("products"),
            products,
            &stopped,
        );
        dbs.push(db);

        let db = TestDb::new("inventory").await;
        let mut config = shop_inventory::Config::new(&db.url);
        config.bus = Some(bus.clone());
        config.expiry_interval = Duration::from_secs(1);
        config.jwks_url = jwks_url.clone();
        config.trusted_services = vec![orders_service.clone()];
        let inventory = shop_inventory::build_app(config).await.expect("inventory");
        serve(
            listeners.remove("inventory").expect("inventory"),
            inventory,
            &stopped,
        );
        dbs.push(db);

        let db = TestDb::new("payments").await;
        let mut config = shop_payments::Config::new(&db.url);
        config.jwks_url = jwks_url.clone();
        config.trusted_services = vec![orders_service.clone()];
        config.bus = Some(bus.clone());
        let payments = shop_payments::build_app(config).await.expect("payments");
        serve(
            listeners.remove("payments").expect("payments"),
            payments,
            &stopped,
        );
        dbs.push(db);

        let orders_db = TestDb::new("orders").await;
        let orders_listener = listeners.remove("orders").expect("orders");
        let mut router_url = None;
        let inventory_gate = match gated {
            true => Some(Gate::start(&urls["inventory"]).await),
            false => None,
        };
        match orders {
            Orders::InProcess => {
                let mut config = shop_orders::Config::new(&orders_db.url);
                config.jwks_url = jwks_url.clone();
                config.products_url = urls["products"].clone();
                config.inventory_url = match &inventory_gate {
                    Some(gate) => gate.url.clone(),
                    None => urls["inventory"].clone(),
                };
                config.payments_url = urls["payments"].clone();
                config.bus = Some(bus.clone());
                let app = shop_orders::build_app(config).await.expect("orders");
                serve(orders_listener, app, &stopped);
                router_url = Some(start_router(&urls, &jwks_url, &stopped).await);
            }
            Orders::External => drop(orders_listener),
        }

        TestShop {
            client: client(),
            router_url,
            urls,
            bus,
            bus_spec,
            orders_db,
            inventory_gate,
            events,
            stop,
            _dbs: dbs,
        }
    }

    /// Where clients send their requests: the router, or orders itself while it runs
    /// as a separate process (the router composes its supergraph at start).
    pub fn endpoint(&self, service: &str) -> &str {
        self.router_url
            .as_deref()
            .unwrap_or_else(|| &self.urls[service])
    }

    pub async fn query(
        &self,
        service: &str,
        query: &str,
        variables: Value,
        token: Option<&str>,
    ) -> Value {
        graphql(
            &self.client,
            self.endpoint(service),
            query,
            variables,
            token,
        )
        .await
    }

    pub async fn sign_up(&self, name: &str) -> Customer {
        let body = self
            .query(
                "users",
                "mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }",
                json!({ "input": {
                    "email": format!("{name}-{}@example.com", uuid::Uuid::new_v4().simple()),
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

    /// The seeded admin's token.
    pub async fn admin_token(&self) -> String {
        let body = self
            .query(
                "users",
                "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
                json!({ "e": shop_users::ADMIN_EMAIL, "p": shop_users::ADMIN_PASSWORD }),
                None,
            )
            .await;
        body["data"]["signIn"]["token"]
            .as_str()
            .unwrap_or_else(|| panic!("the admin cannot sign in: {body}"))
            .to_owned()
    }

    /// `restock`, as the admin.
    pub async fn restock(&self, product_id: &str, quantity: i32) {
        let admin = self.admin_token().await;
        let body = self
            .query(
                "inventory",
                "mutation($p: ID!, $q: Int!) { restock(productId: $p, quantity: $q) }",
                json!({ "p": product_id, "q": quantity }),
                Some(&admin),
            )
            .await;
        assert!(body["errors"].is_null(), "restock failed: {body}");
    }

    /// Units available, straight from inventory.
    pub async fn stock(&self, product_id: &str) -> i64 {
        let body = graphql(
            &self.client,
            &self.urls["inventory"],
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { stock } } }",
            json!({ "r": [{ "__typename": "Product", "id": product_id }] }),
            None,
        )
        .await;
        body["data"]["_entities"][0]["stock"]
            .as_i64()
            .unwrap_or_else(|| panic!("no stock for {product_id}: {body}"))
    }

    /// `placeOrder` with `key`; returns the whole response.
    pub async fn place(
        &self,
        customer: &Customer,
        items: &[(&str, i32)],
        card: &str,
        key: &str,
    ) -> Value {
        let items: Vec<Value> = items
            .iter()
            .map(|(id, q)| json!({ "productId": id, "quantity": q }))
            .collect();
        self.query(
            "orders",
            &format!("mutation($input: PlaceOrderInput!) {{ placeOrder(input: $input) {{ {ORDER_FIELDS} }} }}"),
            json!({ "input": {
                "items": items,
                "card": { "number": card, "expiryMonth": 12, "expiryYear": 2035, "cvc": "123" },
                "idempotencyKey": key,
            }}),
            Some(&customer.token),
        )
        .await
    }

    /// The order as its owner sees it.
    /// `customer` cancels order `id`; the answer's `cancelOrder`.
    pub async fn cancel(&self, customer: &Customer, id: &str) -> Value {
        let body = self
            .query(
                "orders",
                "mutation($id: ID!) { cancelOrder(id: $id) { status } }",
                json!({ "id": id }),
                Some(&customer.token),
            )
            .await;
        body["data"]["cancelOrder"].clone()
    }

    pub async fn order(&self, customer: &Customer, id: &str) -> Value {
        let body = self
            .query(
                "orders",
                &format!("query($id: ID!) {{ order(id: $id) {{ {ORDER_FIELDS} }} }}"),
                json!({ "id": id }),
                Some(&customer.token),
            )
            .await;
        body["data"]["order"].clone()
    }

    /// What payments holds for an order, as its owner sees it (straight from
    /// payments: `Order.payment`).
    pub async fn payment_of(&self, customer: &Customer, order_id: &str) -> Value {
        let body = graphql(
            &self.client,
            &self.urls["payments"],
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { payment { id status amount { amountCents currency } } } } }",
            json!({ "r": [{ "__typename": "Order", "id": order_id }] }),
            Some(&customer.token),
        )
        .await;
        body["data"]["_entities"][0]["payment"].clone()
    }

    /// Events seen on the bus so far about `aggregate_id` (or whose payload names
    /// it as `orderId`).
    pub fn events_about(&self, order_id: &str) -> Vec<Event> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.aggregate_id == order_id || e.payload["orderId"] == order_id)
            .cloned()
            .collect()
    }

    /// Waits (up to 15 s) until `check` holds.
    pub async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for _ in 0..150 {
            if check().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("timed out waiting for {what}");
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.bus.destroy().await;
    }
}

/// Counts event types among `events`.
pub fn count(events: &[Event], event_type: &str) -> usize {
    events.iter().filter(|e| e.event_type == event_type).count()
}

/// Records every event on the bus, as an extra durable consumer would.
async fn observe(bus: &EventBus) -> Arc<Mutex<Vec<Event>>> {
    use shop_events::event_types::*;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let mut subscription = bus
        .subscribe(
            "test-observer",
            &[
                ORDER_PLACED,
                ORDER_CONFIRMED,
                ORDER_CANCELLED,
                ORDER_REJECTED,
                ORDER_PAYMENT_FAILED,
                STOCK_RESERVED,
                STOCK_RELEASED,
                PAYMENT_SUCCEEDED,
                PAYMENT_FAILED,
                PAYMENT_REFUNDED,
            ],
        )
        .await
        .expect("subscribe");
    let sink = seen.clone();
    tokio::spawn(async move {
        while let Some(next) = subscription.next().await {
            // A lag means the tests' view of the events is incomplete: say so
            // loudly; the assertions on the events then fail.
            let delivery = next.expect("the test observer lost events");
            sink.lock().unwrap().push(delivery.event().clone());
            delivery.ack().await;
        }
    });
    seen
}

fn serve(listener: TcpListener, app: axum::Router, stopped: &watch::Receiver<bool>) {
    let mut stopped = stopped.clone();
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        let _ = shop_common::server::serve(listener, app, shutdown).await;
    });
}

async fn start_router(
    urls: &HashMap<&'static str, String>,
    users_jwks_url: &str,
    stopped: &watch::Receiver<bool>,
) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind router");
    let addr = listener.local_addr().expect("addr");
    let config = shop::router_config(
        addr,
        ["users", "products", "inventory", "orders", "payments"]
            .iter()
            .map(|name| (*name, urls[name].as_str())),
        users_jwks_url,
        false,
    );
    let router = switchyard::Router::from_config(config)
        .await
        .expect("the router composes the shop's supergraph");
    let mut stopped = stopped.clone();
    tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        let _ = router.serve(listener, shutdown).await;
    });
    format!("http://{addr}/graphql")
}
