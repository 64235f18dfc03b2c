//! Starting the whole shop in one process, for development (`cargo run --release`)
//! and for the end-to-end tests under `tests/`: the five subgraphs, then the router,
//! which composes its supergraph from the running services' `_service { sdl }`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use anyhow::Context;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

pub mod playground;

/// Where and how to run the shop.
#[derive(Debug, Clone)]
pub struct ShopOptions {
    /// Folder for the SQLite files.
    pub data_dir: PathBuf,
    /// Address of the first subgraph (users); the others take the next ports. Port 0
    /// gives every service an ephemeral port (tests).
    pub subgraph_addr: SocketAddr,
    /// Load the development seed into empty databases.
    pub seed: bool,
    /// Address of the router; port 0 for an ephemeral port.
    pub router_addr: SocketAddr,
    /// Serve the playground and let clients ask for query plans and traces
    /// (development).
    pub development: bool,
    /// Where the router serves its Prometheus metrics (`/metrics`), apart from
    /// its GraphQL port; `None`: not served. Port 0 for an ephemeral port.
    pub metrics_addr: Option<SocketAddr>,
}

/// A running shop; `stop` shuts every service down gracefully.
pub struct Shop {
    services: Vec<(&'static str, String)>,
    requests: Vec<Arc<AtomicU64>>,
    router_url: String,
    metrics_url: Option<String>,
    bus: shop_events::EventBus,
    stop: watch::Sender<bool>,
    tasks: Vec<JoinHandle<()>>,
}

impl Shop {
    /// `(service name, GraphQL URL)` of every running service, in start order.
    pub fn urls(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.services
            .iter()
            .map(|(name, url)| (*name, url.as_str()))
    }

    /// The router's GraphQL URL: the one endpoint clients use.
    pub fn router_url(&self) -> &str {
        &self.router_url
    }

    /// The router's metrics page, when [`ShopOptions::metrics_addr`] was given.
    pub fn metrics_url(&self) -> Option<&str> {
        self.metrics_url.as_deref()
    }

    /// How many GraphQL requests each service has received since start, in start
    /// order: how the end-to-end tests check how many round trips a query took.
    pub fn request_counts(&self) -> Vec<(&'static str, u64)> {
        self.services
            .iter()
            .zip(&self.requests)
            .map(|((name, _), count)| (*name, count.load(Ordering::Relaxed)))
            .collect()
    }

    /// The in-process event bus the services share: its stats show what it holds
    /// (the soak script in `bench/` watches them).
    pub fn event_bus(&self) -> &shop_events::EventBus {
        &self.bus
    }

    /// The GraphQL URL of one service.
    pub fn url(&self, service: &str) -> Option<&str> {
        self.urls()
            .find(|(name, _)| *name == service)
            .map(|(_, url)| url)
    }

    /// Stops gracefully: the servers stop taking requests and finish the ones in
    /// flight, then the in-process bus is given a few seconds to hand every event
    /// to its consumers. The bus keeps nothing across a restart, so an event
    /// published but not yet handled when the process exits would be lost (a
    /// refund, returned stock); events still in a service's outbox are safe, they
    /// are published at the next start.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for task in self.tasks {
            let _ = task.await;
        }
        drain(&self.bus, Duration::from_secs(5)).await;
    }
}

/// Waits until no consumer of `bus` has an event pending, in flight or waiting
/// for redelivery, or until `limit` passes (an event whose handler keeps
/// failing would otherwise hold the stop forever; it is logged).
async fn drain(bus: &shop_events::EventBus, limit: Duration) {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let Some(stats) = bus.stats() else {
            return;
        };
        let busy: Vec<&str> = stats
            .consumers
            .iter()
            .filter(|c| c.pending + c.in_flight + c.redeliveries > 0)
            .map(|c| c.name.as_str())
            .collect();
        if busy.is_empty() {
            return;
        }
        if tokio::time::Instant::now() >= deadline {
            tracing::warn!(consumers = ?busy, "stopping with events not yet handled");
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

pub const SERVICES: [&str; 5] = ["users", "products", "inventory", "orders", "payments"];

/// Starts the five subgraphs. Services that verify tokens are pointed at the users
/// service's JWKS; inventory and payments also trust orders' service tokens.
pub async fn start_shop(options: ShopOptions) -> anyhow::Result<Shop> {
    std::fs::create_dir_all(&options.data_dir)
        .with_context(|| format!("creating {}", options.data_dir.display()))?;
    let (stop, stopped) = watch::channel(false);
    // One in-process event bus shared by the services of this process.
    let bus = shop_events::EventBus::memory();
    let mut shop = Shop {
        services: Vec::new(),
        requests: Vec::new(),
        router_url: String::new(),
        metrics_url: None,
        bus: bus.clone(),
        stop,
        tasks: Vec::new(),
    };

    let mut listeners = Vec::new();
    for (offset, name) in SERVICES.iter().enumerate() {
        let addr = next_addr(options.subgraph_addr, offset);
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("{name}: binding {addr}"))?;
        listeners.push((*name, listener));
    }
    let users_base = format!("http://{}", listeners[0].1.local_addr()?);
    let jwks_url = format!("{users_base}/.well-known/jwks.json");
    let graphql_url = |index: usize| -> anyhow::Result<String> {
        Ok(format!(
            "http://{}/graphql",
            listeners[index].1.local_addr()?
        ))
    };
    let (products_url, inventory_url, payments_url) =
        (graphql_url(1)?, graphql_url(2)?, graphql_url(4)?);
    // The checkout in orders calls inventory and payments with service tokens
    // signed by orders' own key, published on its port.
    let orders_service = shop_common::auth::TrustedService::new(
        "orders",
        format!(
            "http://{}{}",
            listeners[3].1.local_addr()?,
            shop_common::jwks::JWKS_PATH
        ),
    );
    let db = |name: &str| shop_common::db::sqlite_url(&options.data_dir.join(format!("{name}.db")));

    for (name, listener) in listeners {
        let app = match name {
            "users" => {
                let mut config = shop_users::Config::new(db(name));
                config.seed = options.seed;
                shop_users::build_app(config).await?
            }
            "products" => {
                let mut config = shop_products::Config::new(db(name));
                config.seed = options.seed;
                shop_products::build_app(config).await?
            }
            "inventory" => {
                let mut config = shop_inventory::Config::new(db(name));
                config.seed = options.seed;
                config.bus = Some(bus.clone());
                config.jwks_url = jwks_url.clone();
                config.trusted_services = vec![orders_service.clone()];
                shop_inventory::build_app(config).await?
            }
            "orders" => {
                let mut config = shop_orders::Config::new(db(name));
                config.seed = options.seed;
                config.jwks_url = jwks_url.clone();
                config.products_url = products_url.clone();
                config.inventory_url = inventory_url.clone();
                config.payments_url = payments_url.clone();
                config.bus = Some(bus.clone());
                shop_orders::build_app(config).await?
            }
            _ => {
                let mut config = shop_payments::Config::new(db(name));
                config.seed = options.seed;
                config.jwks_url = jwks_url.clone();
                config.trusted_services = vec![orders_service.clone()];
                config.bus = Some(bus.clone());
                shop_payments::build_app(config).await?
            }
        };
        let url = format!("http://{}/graphql", listener.local_addr()?);
        let requests = Arc::new(AtomicU64::new(0));
        let app = app.layer(axum::middleware::from_fn_with_state(
            requests.clone(),
            count_graphql,
        ));
        shop.services.push((name, url));
        shop.requests.push(requests);
        let mut stopped = stopped.clone();
        shop.tasks.push(tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            if let Err(err) = shop_common::server::serve(listener, app, shutdown).await {
                tracing::error!(service = name, %err, "server stopped");
            }
        }));
    }
    let router_listener = TcpListener::bind(options.router_addr)
        .await
        .with_context(|| format!("router: binding {}", options.router_addr))?;
    let router_addr = router_listener.local_addr()?;
    let metrics_listener = match options.metrics_addr {
        Some(addr) => Some(
            TcpListener::bind(addr)
                .await
                .with_context(|| format!("router metrics: binding {addr}"))?,
        ),
        None => None,
    };
    let mut config = router_config(router_addr, shop.urls(), &jwks_url, options.development);
    config.telemetry.metrics.enabled = metrics_listener.is_some();
    if options.development && options.seed {
        // The demo customer exists: the sign-in form names it and starts filled in.
        config.playground.auth.sign_in = Some(playground::sign_in(true));
    }
    // The router's spans, like the services', when this process exports them
    // (the launcher's `--otlp-endpoint`).
    config.telemetry.tracing.enabled = shop_common::telemetry::traces_enabled();
    if let Some(listener) = &metrics_listener {
        config.telemetry.metrics.listen = listener.local_addr()?;
    }
    let router = switchyard::Router::from_config(config)
        .await
        .context("router: composing the shop's supergraph")?;
    shop.router_url = format!("http://{router_addr}/graphql");
    if let Some(listener) = metrics_listener {
        let config = router.config();
        let metrics = &config.telemetry.metrics;
        shop.metrics_url = Some(format!("http://{}{}", listener.local_addr()?, metrics.path));
        let router = router.clone();
        let mut stopped = stopped.clone();
        shop.tasks.push(tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|stop| *stop).await;
            };
            if let Err(err) = router.serve_metrics(listener, shutdown).await {
                tracing::error!(%err, "router metrics stopped");
            }
        }));
    }
    let mut stopped = stopped.clone();
    shop.tasks.push(tokio::spawn(async move {
        let shutdown = async move {
            let _ = stopped.wait_for(|stop| *stop).await;
        };
        if let Err(err) = router.serve(router_listener, shutdown).await {
            tracing::error!(%err, "router stopped");
        }
    }));
    Ok(shop)
}

async fn count_graphql(
    axum::extract::State(count): axum::extract::State<Arc<AtomicU64>>,
    request: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    if request.uri().path() == "/graphql" {
        count.fetch_add(1, Ordering::Relaxed);
    }
    next.run(request).await
}

fn next_addr(first: SocketAddr, offset: usize) -> SocketAddr {
    if first.port() == 0 {
        first
    } else {
        SocketAddr::new(first.ip(), first.port() + offset as u16)
    }
}

/// Where the router subscribes to each service's events: every service
/// streams at `/graphql/ws` (WebSocket) and `/graphql/stream` (SSE); the
/// router takes inventory's over SSE and the others' over WebSocket, so the
/// shop runs both transports.
fn subscriptions_config(
    subgraphs: &[switchyard::config::SubgraphConfig],
) -> switchyard::config::SubscriptionsConfig {
    use shop_common::subscriptions::{SSE_PATH, WS_PATH};
    use switchyard::config::{SubgraphProtocol, SubgraphSubscriptionConfig};
    let streams = subgraphs.iter().map(|subgraph| {
        let base = subgraph
            .routing_url
            .strip_suffix("/graphql")
            .unwrap_or(&subgraph.routing_url);
        let config = if subgraph.name == "inventory" {
            SubgraphSubscriptionConfig {
                protocol: SubgraphProtocol::Sse,
                url: Some(format!("{base}{SSE_PATH}")),
            }
        } else {
            let base = base.replacen("http://", "ws://", 1);
            SubgraphSubscriptionConfig {
                protocol: SubgraphProtocol::Websocket,
                url: Some(format!("{base}{WS_PATH}")),
            }
        };
        (subgraph.name.clone(), config)
    });
    switchyard::config::SubscriptionsConfig {
        subgraphs: streams.collect(),
        ..Default::default()
    }
}

/// The router's configuration in front of the shop's subgraphs (`(name, url)`):
/// the launcher's and the end-to-end tests' alike.
pub fn router_config<'n, 'u>(
    listen: std::net::SocketAddr,
    subgraphs: impl Iterator<Item = (&'n str, &'u str)>,
    users_jwks_url: &str,
    development: bool,
) -> switchyard::RouterConfig {
    use switchyard::config::{AuthenticationConfig, AuthorizationConfig, JwksSource, JwksUrl};
    let subgraphs: Vec<switchyard::config::SubgraphConfig> = subgraphs
        .map(|(name, url)| switchyard::config::SubgraphConfig {
            name: name.to_owned(),
            routing_url: url.to_owned(),
            schema: None,
        })
        .collect();
    let subscriptions = subscriptions_config(&subgraphs);
    switchyard::RouterConfig {
        listen,
        subgraphs,
        subscriptions,
        expose_query_plan: development,
        expose_trace: development,
        playground: switchyard::config::PlaygroundConfig {
            enabled: development,
            auth: switchyard::config::PlaygroundAuthConfig {
                sign_in: development.then(|| playground::sign_in(false)),
            },
        },
        // The services' rate limits tell clients when to come back.
        errors: switchyard::config::ErrorsConfig {
            keep_extensions: vec!["retryAfterSeconds".to_owned()],
            ..Default::default()
        },
        // Customers' tokens are verified at the edge, so the schema's
        // `@authenticated` and `@requiresScopes` are decided before any service
        // is asked (the services check again).
        authentication: AuthenticationConfig {
            jwt: Some(switchyard::config::JwtConfig {
                issuers: vec![shop_common::auth::ISSUER.to_owned()],
                ..switchyard::config::JwtConfig::new(vec![JwksSource::Url(JwksUrl::new(
                    users_jwks_url,
                ))])
            }),
        },
        // A customer token's `role` (`customer` or `admin`) is its one scope:
        // `restock` requires `admin`.
        authorization: AuthorizationConfig {
            scopes_claim: "role".to_owned(),
            ..Default::default()
        },
        ..Default::default()
    }
}
