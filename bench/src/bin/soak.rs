//! `soak`: the whole shop in this process (seeded, on a temporary data dir), one
//! customer checking out and cancelling in a loop through the router, and every
//! 30 s the in-process event bus's figures and the process's RSS. It shows whether
//! memory stays flat under a long checkout loop; it asserts nothing and measures no
//! speed.
//!
//! ```sh
//! cargo run --release -p switchyard-bench --bin soak -- --duration 5m
//! cargo run --release -p switchyard-bench --bin soak -- --checkouts 2000
//! ```

use std::time::{Duration, Instant};

use anyhow::{Context, anyhow, bail};
use clap::Parser;
use serde_json::{Value, json};
use shop::{ShopOptions, start_shop};
use shop_events::BusStats;

#[derive(Debug, Parser)]
#[command(about = "Checkout loop against the in-process shop, watching the event bus's memory")]
struct Args {
    /// How long to loop (`90s`, `5m`, `1h`); 5 minutes unless `--checkouts` is given.
    #[arg(long, value_parser = humantime::parse_duration)]
    duration: Option<Duration>,
    /// Stop after this many checkouts (or at `--duration`, whichever comes first).
    #[arg(long)]
    checkouts: Option<u64>,
    /// Time between two progress lines.
    #[arg(long, default_value = "30s", value_parser = humantime::parse_duration)]
    report_every: Duration,
}

const DEFAULT_DURATION: Duration = Duration::from_secs(5 * 60);
/// Consecutive failed requests after which the soak gives up (the shop is broken,
/// not slow).
const MAX_CONSECUTIVE_FAILURES: u32 = 20;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    // Warnings and errors only (a lagging consumer logs at error level), unless
    // RUST_LOG says otherwise: the services log every request at info.
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr)
        .init();
    let duration = match (args.duration, args.checkouts) {
        (Some(duration), _) => Some(duration),
        (None, Some(_)) => None,
        (None, None) => Some(DEFAULT_DURATION),
    };

    let data_dir = tempfile::tempdir().context("creating a temporary data dir")?;
    let shop = start_shop(ShopOptions {
        data_dir: data_dir.path().to_owned(),
        subgraph_addr: "127.0.0.1:0".parse()?,
        seed: true,
        router_addr: "127.0.0.1:0".parse()?,
        development: false,
        metrics_addr: None,
    })
    .await
    .context("starting the shop")?;
    let client = Client {
        http: reqwest::Client::new(),
        url: shop.router_url().to_owned(),
        token: None,
    };
    let outcome = soak(&shop, client, duration, args.checkouts, args.report_every).await;
    shop.stop().await;
    outcome
}

async fn soak(
    shop: &shop::Shop,
    mut client: Client,
    duration: Option<Duration>,
    max_checkouts: Option<u64>,
    report_every: Duration,
) -> anyhow::Result<()> {
    let bus = shop.event_bus();
    client.token = Some(sign_up(&client).await?);
    let products = products_in_stock(&client).await?;
    println!(
        "soak: shop at {}, products {}, stop after {}",
        client.url,
        products.join(", "),
        match (duration, max_checkouts) {
            (Some(d), Some(n)) => format!("{} or {n} checkouts", humantime::format_duration(d)),
            (Some(d), None) => humantime::format_duration(d).to_string(),
            (None, Some(n)) => format!("{n} checkouts"),
            (None, None) => "ever".to_owned(),
        }
    );

    let started = Instant::now();
    let mut counts = Counts::default();
    let first = Snapshot::take(bus, started, &counts)?;
    first.print("start");
    let mut next_report = started + report_every;
    let mut failures = 0;
    loop {
        if duration.is_some_and(|d| started.elapsed() >= d)
            || max_checkouts.is_some_and(|n| counts.checkouts >= n)
        {
            break;
        }
        let product = &products[(counts.checkouts as usize) % products.len()];
        match checkout(&client, product, &mut counts).await {
            Ok(()) => failures = 0,
            Err(err) => {
                failures += 1;
                counts.failed += 1;
                eprintln!("soak: checkout failed: {err:#}");
                if failures >= MAX_CONSECUTIVE_FAILURES {
                    bail!("{failures} checkouts failed in a row; giving up");
                }
            }
        }
        if Instant::now() >= next_report {
            Snapshot::take(bus, started, &counts)?.print("");
            next_report += report_every;
        }
    }

    // Let the consumers finish with the last events before the final figures.
    let settle = Instant::now();
    while settle.elapsed() < Duration::from_secs(5)
        && bus.stats().is_some_and(|s| {
            s.consumers
                .iter()
                .any(|c| c.pending + c.in_flight + c.redeliveries > 0)
        })
    {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let last = Snapshot::take(bus, started, &counts)?;
    last.print("end");
    println!();
    println!(
        "checkouts: {} ({} confirmed and cancelled, {} rejected or failed payment, {} errors)",
        counts.checkouts, counts.cancelled, counts.not_confirmed, counts.failed
    );
    println!(
        "events published: {}; bus at start {} events / {}, at end {} events / {} (limits {} events, {})",
        last.stats.published,
        first.stats.retained,
        mb(first.stats.retained_bytes as u64),
        last.stats.retained,
        mb(last.stats.retained_bytes as u64),
        last.stats.limits.max_msgs,
        humantime::format_duration(last.stats.limits.max_age),
    );
    println!(
        "RSS at start {}, at end {} (peak {})",
        mb(first.rss),
        mb(last.rss),
        mb(proc_status_kb("VmHWM:").unwrap_or(0) * 1024)
    );
    println!("consumers (pending / in flight / redeliveries / missed):");
    for c in &last.stats.consumers {
        println!(
            "  {:<12} {} / {} / {} / {}",
            c.name, c.pending, c.in_flight, c.redeliveries, c.missed
        );
    }
    Ok(())
}

#[derive(Debug, Default)]
struct Counts {
    checkouts: u64,
    cancelled: u64,
    not_confirmed: u64,
    failed: u64,
}

/// One checkout: place an order for one unit, and cancel it when confirmed so that
/// the stock returns and the refund events flow too.
async fn checkout(client: &Client, product: &str, counts: &mut Counts) -> anyhow::Result<()> {
    counts.checkouts += 1;
    let placed = client
        .graphql(
            "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }",
            json!({ "input": {
                "items": [{ "productId": product, "quantity": 1 }],
                "card": { "number": "4242 4242 4242 4242", "expiryMonth": 12, "expiryYear": 2035, "cvc": "123" },
                "idempotencyKey": uuid::Uuid::new_v4().to_string(),
            }}),
        )
        .await?;
    let order = &placed["placeOrder"];
    if order["status"] != "CONFIRMED" {
        counts.not_confirmed += 1;
        return Ok(());
    }
    let id = order["id"]
        .as_str()
        .ok_or_else(|| anyhow!("no order id in {placed}"))?;
    client
        .graphql(
            "mutation($id: ID!) { cancelOrder(id: $id) { id status } }",
            json!({ "id": id }),
        )
        .await?;
    counts.cancelled += 1;
    Ok(())
}

async fn sign_up(client: &Client) -> anyhow::Result<String> {
    let id = uuid::Uuid::new_v4();
    // Random, and unlike the e-mail address (a password containing it is refused).
    let password = format!("pw-{}", uuid::Uuid::new_v4().simple());
    let data = client
        .graphql(
            "mutation($input: SignUpInput!) { signUp(input: $input) { token } }",
            json!({ "input": {
                "email": format!("soak-{id}@example.com"),
                "name": "Soak",
                "password": password,
            }}),
        )
        .await
        .context("signing up")?;
    data["signUp"]["token"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| anyhow!("no token in {data}"))
}

/// Seeded products with stock among the first ten (some seeded ones have none).
async fn products_in_stock(client: &Client) -> anyhow::Result<Vec<String>> {
    let data = client
        .graphql(
            "{ products(first: 10) { edges { node { id inStock } } } }",
            json!({}),
        )
        .await
        .context("listing products")?;
    let ids: Vec<String> = data["products"]["edges"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|edge| edge["node"]["inStock"] == true)
        .filter_map(|edge| edge["node"]["id"].as_str().map(str::to_owned))
        .collect();
    if ids.is_empty() {
        bail!("no product in stock in {data}");
    }
    Ok(ids)
}

struct Client {
    http: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl Client {
    /// `data` of a POSTed JSON request; GraphQL errors are errors.
    async fn graphql(&self, query: &str, variables: Value) -> anyhow::Result<Value> {
        let mut request = self
            .http
            .post(&self.url)
            .json(&json!({ "query": query, "variables": variables }));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await?;
        let status = response.status();
        let body: Value = response
            .json()
            .await
            .with_context(|| format!("HTTP {status}"))?;
        if let Some(errors) = body.get("errors") {
            bail!("HTTP {status}: {errors}");
        }
        Ok(body["data"].clone())
    }
}

struct Snapshot {
    elapsed: Duration,
    checkouts: u64,
    stats: BusStats,
    /// Bytes.
    rss: u64,
}

impl Snapshot {
    fn take(
        bus: &shop_events::EventBus,
        started: Instant,
        counts: &Counts,
    ) -> anyhow::Result<Snapshot> {
        Ok(Snapshot {
            elapsed: started.elapsed(),
            checkouts: counts.checkouts,
            stats: bus
                .stats()
                .ok_or_else(|| anyhow!("the shop's bus is not the in-process one"))?,
            rss: proc_status_kb("VmRSS:").unwrap_or(0) * 1024,
        })
    }

    fn print(&self, label: &str) {
        let secs = self.elapsed.as_secs();
        println!(
            "{:>2}:{:02} {:<5} checkouts {:>6}  events published {:>7}  retained {:>6}  bus {:>9}  RSS {:>9}",
            secs / 60,
            secs % 60,
            label,
            self.checkouts,
            self.stats.published,
            self.stats.retained,
            mb(self.stats.retained_bytes as u64),
            mb(self.rss),
        );
    }
}

/// A `kB` line of `/proc/self/status` (`VmRSS:`, `VmHWM:`); `None` off Linux.
fn proc_status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|line| line.strip_prefix(key))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

fn mb(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1_000_000.0)
}
