//! `bench-subgraphs`: the four benchmark subgraphs in one process, answering from
//! memory until SIGINT/SIGTERM.

use anyhow::Context;
use clap::Parser;
use switchyard_bench::subgraphs::{BoundSubgraphs, Subgraph};

#[derive(Debug, Parser)]
#[command(about = "Serve the accounts, products, inventory and reviews benchmark subgraphs")]
struct Args {
    /// Address to bind.
    #[arg(long, default_value = "127.0.0.1")]
    host: String,
    /// Port of accounts; products, inventory and reviews take the next three.
    #[arg(long, default_value_t = Subgraph::Accounts.default_port())]
    base_port: u16,
    /// Worker threads of the async runtime.
    #[arg(long, default_value_t = 1)]
    threads: usize,
    /// Execute every request, instead of answering a request body answered
    /// before with the same bytes from memory.
    #[arg(long)]
    execute_every_request: bool,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads.max(1))
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let base = args.base_port;
        let bound = BoundSubgraphs::bind(&args.host, |subgraph| {
            let offset = Subgraph::ALL
                .iter()
                .position(|s| *s == subgraph)
                .unwrap_or(0);
            base + offset as u16
        })
        .await
        .with_context(|| format!("cannot bind the subgraphs on {}:{base}..", args.host))?;
        let bound = if args.execute_every_request {
            bound.executing_every_request()
        } else {
            bound
        };
        for (subgraph, url) in bound.urls()? {
            eprintln!("{} serving {url}", subgraph.name());
        }
        bound.serve(shutdown_signal()).await?;
        anyhow::Ok(())
    })
}

async fn shutdown_signal() {
    let mut terminate =
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(signal) => signal,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
}
