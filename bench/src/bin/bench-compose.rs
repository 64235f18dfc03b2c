//! `bench-compose`: prints the supergraph of the benchmark subgraphs, composed by
//! `switchyard-composition`, routed to the default ports. Regenerates
//! `bench/supergraph.graphql`: `cargo run -p switchyard-bench --bin bench-compose > bench/supergraph.graphql`.

use switchyard_bench::compose::{default_url, supergraph};
use switchyard_bench::subgraphs::Subgraph;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--subgraph") {
        // One subgraph's SDL, for composing with another composer.
        let name = args.get(1).map(String::as_str).unwrap_or_default();
        let subgraph = Subgraph::from_name(name)
            .ok_or_else(|| anyhow::anyhow!("unknown subgraph {name:?}"))?;
        print!("{}", subgraph.sdl());
        return Ok(());
    }
    let sdl = supergraph(default_url).map_err(|errors| anyhow::anyhow!("{errors}"))?;
    print!("{sdl}");
    Ok(())
}
