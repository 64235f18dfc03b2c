//! `cargo run --release`: the whole shop on one machine: the five subgraphs, each
//! on its own port with its own SQLite file under `./data/`, seeded on first start,
//! and the router on :4000 with the playground, its Prometheus metrics on
//! 127.0.0.1:9090/metrics (each service's own on its port's `/metrics`).
//! Each service also runs alone from its own binary for a real deployment; this
//! launcher only saves starting six processes by hand during development.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use shop::{ShopOptions, start_shop};

#[derive(Parser, Debug)]
#[command(
    version,
    about = "Runs the Switchyard shop: five subgraphs and the router"
)]
struct Args {
    /// Folder for the services' SQLite files (and the users service's signing key).
    #[arg(long, default_value = "data")]
    data_dir: PathBuf,
    /// Interface every service listens on.
    #[arg(long, default_value = "127.0.0.1")]
    host: std::net::IpAddr,
    /// Port of the first subgraph (users); the others follow (products +1, inventory +2,
    /// orders +3, payments +4).
    #[arg(long, default_value_t = 4001)]
    first_subgraph_port: u16,
    /// Port of the router, the one endpoint clients use.
    #[arg(long, default_value_t = 4000)]
    router_port: u16,
    /// Where the router serves its Prometheus metrics (`/metrics`); keep it
    /// off the public interface.
    #[arg(long, default_value = "127.0.0.1:9090")]
    metrics_addr: SocketAddr,
    /// Do not serve the router's metrics.
    #[arg(long)]
    no_metrics: bool,
    /// Do not load the development seed data into empty databases.
    #[arg(long)]
    no_seed: bool,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    shop_common::telemetry::init();
    let args = Args::parse();
    let options = ShopOptions {
        data_dir: args.data_dir,
        subgraph_addr: SocketAddr::new(args.host, args.first_subgraph_port),
        seed: !args.no_seed,
        router_addr: SocketAddr::new(args.host, args.router_port),
        development: true,
        metrics_addr: (!args.no_metrics).then_some(args.metrics_addr),
    };
    let shop = start_shop(options).await.context("starting the shop")?;
    for (name, url) in shop.urls() {
        println!("{name:<10} {url}");
    }
    println!(
        "{:<10} {}  (playground: http://{}/)",
        "router",
        shop.router_url(),
        SocketAddr::new(args.host, args.router_port)
    );
    if let Some(url) = shop.metrics_url() {
        println!("{:<10} {url}", "metrics");
    }
    println!("Press Ctrl-C to stop.");
    shop_common::server::shutdown_signal().await;
    println!("Stopping…");
    shop.stop().await;
    Ok(())
}
