//! `cargo run --release`: the whole shop on one machine: the five subgraphs, each
//! on its own port with its own SQLite file under `./data/`, seeded on first start,
//! and the router on :4000 with the playground, its Prometheus metrics on
//! 127.0.0.1:9090/metrics (each service's own on its port's `/metrics`).
//! Each service also runs alone from its own binary for a real deployment; this
//! launcher only saves starting six processes by hand during development.
//!
//! `--otlp-endpoint` (or `OTEL_EXPORTER_OTLP_ENDPOINT`) exports traces of the
//! router and every service, under one `service.name` (`shop`): one process has
//! one subscriber, so each service's server span names its service in
//! `shop.service`.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use shop::{ShopOptions, start_shop};
use shop_common::telemetry::{LogFormat, OtlpProtocol, TraceSettings};

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
    /// OpenTelemetry collector to export the traces of the router and every
    /// service to (its base URL, e.g. http://127.0.0.1:4318). Default:
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`; neither: no traces.
    #[arg(long, value_name = "URL")]
    otlp_endpoint: Option<String>,
    /// OTLP transport (default: `OTEL_EXPORTER_OTLP_PROTOCOL`, else http).
    #[arg(long, value_enum)]
    otlp_protocol: Option<Protocol>,
    /// Share of new traces kept, 0.0 to 1.0 (default:
    /// `OTEL_TRACES_SAMPLER_ARG`, else 1.0); a caller's sampled `traceparent` is
    /// always followed.
    #[arg(long, value_name = "RATIO")]
    trace_sampling: Option<f64>,
    /// Log lines as text or as one JSON object per line.
    #[arg(long, value_enum, default_value = "text", env = "SHOP_LOG_FORMAT")]
    log_format: Format,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Protocol {
    Grpc,
    Http,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

/// Where traces go: the environment's settings, with the flags over them.
fn trace_settings(args: &Args) -> anyhow::Result<Option<TraceSettings>> {
    let mut settings = TraceSettings::from_env("shop")?;
    if let Some(endpoint) = &args.otlp_endpoint {
        let from_env = settings.take();
        settings = Some(TraceSettings {
            endpoint: endpoint.clone(),
            protocol: from_env.as_ref().map_or(OtlpProtocol::Http, |s| s.protocol),
            sampling: from_env.as_ref().map_or(1.0, |s| s.sampling),
            service_name: from_env.map_or_else(|| "shop".to_owned(), |s| s.service_name),
        });
    }
    if let Some(settings) = &mut settings {
        if let Some(protocol) = args.otlp_protocol {
            settings.protocol = match protocol {
                Protocol::Grpc => OtlpProtocol::Grpc,
                Protocol::Http => OtlpProtocol::Http,
            };
        }
        if let Some(ratio) = args.trace_sampling {
            settings.sampling = ratio;
        }
        settings
            .check()
            .map_err(|message| anyhow::anyhow!("traces: {message}"))?;
    }
    Ok(settings)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let log_format = match args.log_format {
        Format::Text => LogFormat::Text,
        Format::Json => LogFormat::Json,
    };
    let traces = trace_settings(&args)?;
    // Before the shop starts: the router and the services make spans only
    // when this process exports them.
    let telemetry = shop_common::telemetry::install(log_format, traces.as_ref())
        .context("setting up logs and traces")?;
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
    telemetry.shutdown().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(flags: &[&str]) -> Args {
        Args::try_parse_from(std::iter::once("shop").chain(flags.iter().copied())).unwrap()
    }

    #[test]
    fn trace_flags_win_over_the_environment() {
        let args = parse(&[
            "--otlp-endpoint",
            "http://collector:4317",
            "--otlp-protocol",
            "grpc",
            "--trace-sampling",
            "0.25",
        ]);
        let settings = trace_settings(&args).unwrap().expect("traces on");
        assert_eq!(settings.endpoint, "http://collector:4317");
        assert_eq!(settings.protocol, OtlpProtocol::Grpc);
        assert_eq!(settings.sampling, 0.25);
        let error = trace_settings(&parse(&[
            "--otlp-endpoint",
            "http://collector:4318",
            "--trace-sampling",
            "2",
        ]))
        .unwrap_err();
        assert!(error.to_string().contains("not a ratio"), "{error}");
        let error = trace_settings(&parse(&["--otlp-endpoint", "collector"])).unwrap_err();
        assert!(error.to_string().contains("endpoint"), "{error}");
        assert!(matches!(
            parse(&["--log-format", "json"]).log_format,
            Format::Json
        ));
    }
}
