//! `bench-load`: runs the federation benchmark workload against Switchyard (and,
//! for side-by-side ratios, Hive Gateway and Apollo Gateway), and writes a
//! markdown table.
//!
//! It pins itself to the load core, starts `bench-subgraphs` there, then for each
//! run and each gateway (alternating, so drift hits all alike): starts the
//! gateway pinned to the gateway core, checks its first answer against
//! `expected-response.json`, warms up, measures, and reads the gateway's CPU time
//! and peak RSS from `/proc`. See bench/README.md.
//!
//! `--auth` (or the `switchyard-auth` gateway) runs Switchyard with JWT
//! authentication on and a token on every request; `--baseline-bin` adds another
//! Switchyard build (`baseline`, `baseline-auth`) to compare with in the same
//! run. `switchyard-telemetry` runs it with metrics and traces on (1 % sampled,
//! exported to an OTLP sink in the harness), to compare with `switchyard`.

mod auth;
mod gateway;
mod load;
mod proc_stats;
mod report;
mod telemetry;

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use anyhow::Context;
use bytes::Bytes;
use clap::Parser;
use gateway::{Gateway, Paths};
use load::Validator;
use report::{RunResult, Setup};
use switchyard_bench::subgraphs::Subgraph;
use switchyard_bench::workloads::Workload;

const MANIFEST_DIR: &str = env!("CARGO_MANIFEST_DIR");

#[derive(Debug, Parser)]
#[command(about = "Closed-loop load test of federation gateways on the benchmark workload")]
struct Args {
    /// Gateways to measure, in the order they alternate. `switchyard-auth` and
    /// `baseline-auth` run with authentication on (see `--auth`); `baseline` and
    /// `baseline-auth` run the `--baseline-bin` build; `switchyard-telemetry`
    /// runs with metrics and traces on (1 % sampled, exported to a sink here).
    #[arg(long, value_delimiter = ',', default_value = "switchyard")]
    gateways: Vec<Gateway>,
    /// Operations to measure, one after another, each against every gateway:
    /// `deep` (The Guild's workload), `page` (one product page), `wide:N` (N
    /// products in one entity call; `wide` is 500), `chain:K` (K entity hops).
    /// See `switchyard_bench::workloads`.
    #[arg(long, value_delimiter = ',', default_value = "deep")]
    workloads: Vec<Workload>,
    /// Authentication on for every Switchyard gateway: `authentication.jwt`
    /// verifying ES256 tokens (JWKS file of the committed test key in
    /// bench/auth), and `Authorization: Bearer <token>` on every request, each
    /// connection its own subject.
    #[arg(long)]
    auth: bool,
    /// With authentication on, also forward each request's token to the
    /// subgraphs (the router's default). Off, the router verifies the token and
    /// forwards nothing: the bench subgraphs do not read it, and per-user tokens
    /// on subgraph requests keep identical queries of different users from being
    /// shared (as they must), which measures the subgraphs' extra work rather
    /// than the router's.
    #[arg(long)]
    auth_forward_token: bool,
    /// Another Switchyard binary to compare with (gateways `baseline`,
    /// `baseline-auth`), e.g. a release build of main from another checkout.
    #[arg(long)]
    baseline_bin: Option<PathBuf>,
    /// The Hive Router binary (gateway `hive-router`), as
    /// `bench/gateways/hive-router.sh` installs it.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/gateways/hive-router/bin/hive_router"))]
    hive_router_bin: PathBuf,
    /// Runs per gateway (the table shows medians).
    #[arg(long, default_value_t = 1)]
    runs: usize,
    /// Concurrent connections, each a closed loop.
    #[arg(long, default_value_t = 50)]
    connections: usize,
    /// Warm-up seconds before each measurement.
    #[arg(long, default_value_t = 10)]
    warmup: u64,
    /// Measured seconds.
    #[arg(long, default_value_t = 30)]
    duration: u64,
    /// Core the gateway is pinned to.
    #[arg(long, default_value_t = 0)]
    gateway_core: usize,
    /// Core of the load generator and the subgraphs.
    #[arg(long, default_value_t = 1)]
    load_core: usize,
    /// Port the gateway listens on.
    #[arg(long, default_value_t = 4000)]
    port: u16,
    /// The switchyard binary (default: next to this one; build it with
    /// `cargo build --release -p switchyard`).
    #[arg(long)]
    switchyard_bin: Option<PathBuf>,
    /// The bench-subgraphs binary (default: next to this one).
    #[arg(long)]
    subgraphs_bin: Option<PathBuf>,
    /// Do not start bench-subgraphs (they already run on the default ports).
    #[arg(long)]
    external_subgraphs: bool,
    /// Markdown report to write.
    #[arg(long, default_value = concat!(env!("CARGO_MANIFEST_DIR"), "/results.md"))]
    output: PathBuf,
    /// Record a `perf record --call-graph dwarf` profile of Switchyard's measured window here
    /// (last run wins).
    #[arg(long)]
    perf_output: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let mut args = Args::parse();
    if args.auth {
        for gateway in &mut args.gateways {
            *gateway = gateway.with_auth();
        }
        args.gateways.dedup();
    }
    anyhow::ensure!(
        args.runs > 0 && args.connections > 0,
        "--runs and --connections must be positive"
    );
    proc_stats::pin_self(args.load_core)?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(run(args))
}

fn sibling_binary(name: &str) -> anyhow::Result<PathBuf> {
    let exe = std::env::current_exe().context("cannot locate bench-load")?;
    Ok(exe.with_file_name(name))
}

/// Kills the subgraphs process when the harness ends, however it ends.
struct SubgraphsProcess(Child);

impl Drop for SubgraphsProcess {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

async fn run(args: Args) -> anyhow::Result<()> {
    let auth = if args.gateways.iter().any(|g| g.is_auth()) {
        Some(auth::Auth::prepare(
            args.connections,
            args.auth_forward_token,
        )?)
    } else {
        None
    };
    let telemetry = if args.gateways.iter().any(|g| g.is_traced()) {
        Some(telemetry::Telemetry::prepare().await?)
    } else {
        None
    };
    let bare_dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let paths = Paths {
        switchyard: match &args.switchyard_bin {
            Some(path) => path.clone(),
            None => sibling_binary("switchyard")?,
        },
        baseline: args.baseline_bin.clone(),
        auth_config: auth.as_ref().map(|auth| auth.config_path().to_owned()),
        full_config: match (&auth, &telemetry) {
            (Some(auth), Some(telemetry)) if args.gateways.contains(&Gateway::SwitchyardFull) => {
                Some(auth.config_with("switchyard-full.yaml", telemetry.yaml())?)
            }
            _ => None,
        },
        bare_config: if args.gateways.contains(&Gateway::SwitchyardBare) {
            let path = bare_dir.path().join("switchyard-bare.yaml");
            std::fs::write(&path, telemetry::BARE_YAML)
                .context("cannot write the router config")?;
            Some(path)
        } else {
            None
        },
        telemetry_config: telemetry
            .as_ref()
            .map(|telemetry| telemetry.config_path().to_owned()),
        hive_router: Some(args.hive_router_bin.clone()),
        gateways_dir: PathBuf::from(MANIFEST_DIR).join("gateways"),
        supergraph: PathBuf::from(MANIFEST_DIR).join("supergraph.graphql"),
    };
    if args
        .gateways
        .iter()
        .any(|g| g.is_switchyard() && !g.is_baseline())
    {
        anyhow::ensure!(
            paths.switchyard.is_file(),
            "{} not found: run `cargo build --release -p switchyard` (or pass --switchyard-bin)",
            paths.switchyard.display()
        );
    }
    if args.gateways.iter().any(|g| g.is_baseline()) {
        anyhow::ensure!(
            paths.baseline.as_ref().is_some_and(|path| path.is_file()),
            "the baseline gateways need --baseline-bin naming a switchyard binary"
        );
    }
    if args.gateways.contains(&Gateway::HiveRouter) {
        anyhow::ensure!(
            args.hive_router_bin.is_file(),
            "{} not found: run `sh bench/gateways/hive-router.sh` (about 25 minutes) or pass \
             --hive-router-bin",
            args.hive_router_bin.display()
        );
    }
    if args.gateways.iter().any(|g| g.is_node()) {
        gateway::install_node_gateways(&paths.gateways_dir)?;
    }

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(args.connections)
        .tcp_nodelay(true)
        .http1_only()
        .build()?;
    let _subgraphs = if args.external_subgraphs {
        None
    } else {
        Some(start_subgraphs(&args, &client).await?)
    };

    let ticks_per_second = proc_stats::ticks_per_second() as f64;
    let url = format!("http://127.0.0.1:{}/graphql", args.port);

    let bench = Bench {
        args: &args,
        paths: &paths,
        client: &client,
        url: &url,
        auth: auth.as_ref(),
        ticks_per_second,
    };
    let mut results = Vec::new();
    for &workload in &args.workloads {
        let body = Bytes::from(workload.request_body());
        let expected = workload.expected();
        for run in 1..=args.runs {
            for &gateway in &args.gateways {
                eprintln!("{workload}, run {run}/{}: {}", args.runs, gateway.label());
                let result = bench
                    .measure(&body, &expected, workload, run, gateway)
                    .await?;
                eprintln!(
                    "  {:.0} req/s, p50 {:.1} ms, p99 {:.1} ms, CPU {:.0} %, peak RSS {:.1} MB, \
                     {:.1} subgraph requests per request, {} failed",
                    result.requests_per_second,
                    result.p50_ms,
                    result.p99_ms,
                    result.cpu_percent,
                    result.peak_rss_mb,
                    result.subgraph_requests_per_request,
                    result.failures(),
                );
                results.push(result);
            }
        }
    }

    let setup = Setup {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        connections: args.connections,
        warmup_s: args.warmup,
        duration_s: args.duration,
        runs: args.runs,
        gateway_core: args.gateway_core,
        load_core: args.load_core,
        workloads: args.workloads.clone(),
    };
    if let Some(telemetry) = &telemetry {
        // Zero in a long run would mean traces were not exported at all (a
        // run of a few hundred requests may sample none).
        eprintln!(
            "the OTLP sink answered {} trace exports (1 % of requests are traced)",
            telemetry.exports()
        );
    }
    let markdown = report::markdown(&setup, &args.gateways, &results);
    std::fs::write(&args.output, &markdown)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    println!("{markdown}");
    Ok(())
}

/// What every measured run shares.
struct Bench<'a> {
    args: &'a Args,
    paths: &'a Paths,
    client: &'a reqwest::Client,
    url: &'a str,
    auth: Option<&'a auth::Auth>,
    ticks_per_second: f64,
}

impl Bench<'_> {
    /// One measured run: starts `gateway`, checks its first answer, warms up,
    /// measures, and reads its CPU time and peak RSS and the subgraph requests it
    /// made.
    async fn measure(
        &self,
        body: &Bytes,
        expected: &serde_json::Value,
        workload: Workload,
        run: usize,
        gateway: Gateway,
    ) -> anyhow::Result<RunResult> {
        let Bench {
            args,
            paths,
            client,
            url,
            auth,
            ticks_per_second,
        } = *self;
        let mut running = gateway::start(gateway, paths, args.port, args.gateway_core)?;
        gateway::wait_ready(client, url, body, &mut running, Duration::from_secs(60)).await?;
        let pid = running.pid();
        let authorizations = match (auth, gateway.is_auth()) {
            (Some(auth), true) => {
                check_authentication_is_on(client, url, body, gateway).await?;
                auth.authorizations.as_slice()
            }
            _ => &[],
        };

        // The first answer must be the expected one, or the numbers mean nothing.
        let mut first = client
            .post(url)
            .header("content-type", "application/json")
            .body(body.clone());
        if let Some(authorization) = authorizations.first() {
            first = first.header(reqwest::header::AUTHORIZATION, authorization.clone());
        }
        let first = first.send().await?.bytes().await?;
        let mut validator = Validator::new(expected.clone());
        anyhow::ensure!(
            validator.check(&first),
            "{} answered {workload} wrongly: {}",
            gateway.label(),
            validator.describe_mismatch(&first)
        );

        let warmup = Duration::from_secs(args.warmup);
        load::run(
            client,
            url,
            body,
            args.connections,
            warmup,
            &validator,
            authorizations,
        )
        .await;

        // This build's Switchyard gateways, not the baseline's.
        let perf = match &args.perf_output {
            Some(output) if gateway.is_switchyard() && !gateway.is_baseline() => {
                Some(start_perf(pid, output)?)
            }
            _ => None,
        };
        let ticks_before = proc_stats::cpu_ticks(pid)?;
        let subgraph_requests_before = subgraph_requests(client).await?;
        let measured = Duration::from_secs(args.duration);
        let stats = load::run(
            client,
            url,
            body,
            args.connections,
            measured,
            &validator,
            authorizations,
        )
        .await;
        let ticks_after = proc_stats::cpu_ticks(pid)?;
        let subgraph_requests_after = subgraph_requests(client).await?;
        if let Some(perf) = perf {
            stop_perf(perf)?;
        }
        let peak_rss = proc_stats::peak_rss_bytes(pid)?;
        drop(running);

        let cpu_seconds = (ticks_after - ticks_before) as f64 / ticks_per_second;
        // Requests still in flight when the window closed are not counted as
        // served, but their subgraph requests are: the ratio errs by at most
        // `connections` requests' worth, a fraction of a percent over a run.
        let answered = stats.latencies_us.len() as u64 + stats.failures();
        Ok(RunResult {
            gateway,
            workload,
            run,
            requests_per_second: stats.requests_per_second(),
            p50_ms: stats.quantile_ms(0.50),
            p95_ms: stats.quantile_ms(0.95),
            p99_ms: stats.quantile_ms(0.99),
            max_ms: stats.quantile_ms(1.0),
            cpu_percent: 100.0 * cpu_seconds / stats.elapsed.as_secs_f64(),
            peak_rss_mb: peak_rss as f64 / (1024.0 * 1024.0),
            response_bytes: first.len(),
            subgraph_requests_per_request: (subgraph_requests_after - subgraph_requests_before)
                as f64
                / answered.max(1) as f64,
            requests: stats.latencies_us.len(),
            non_200: stats.non_200,
            transport_errors: stats.transport_errors,
            mismatches: stats.mismatches,
        })
    }
}

/// The GraphQL requests `bench-subgraphs` has served so far (its `/requests`).
async fn subgraph_requests(client: &reqwest::Client) -> anyhow::Result<u64> {
    let url = format!(
        "http://127.0.0.1:{}/requests",
        Subgraph::Accounts.default_port()
    );
    let text = client
        .get(&url)
        .send()
        .await
        .and_then(reqwest::Response::error_for_status)
        .with_context(|| format!("cannot read {url}: are these today's bench-subgraphs?"))?
        .text()
        .await?;
    text.trim()
        .parse()
        .with_context(|| format!("{url} answered {text:?}, not a count"))
}

/// A gateway with authentication on must refuse a token it should not accept
/// (401), or the run would measure something else.
async fn check_authentication_is_on(
    client: &reqwest::Client,
    url: &str,
    body: &Bytes,
    gateway: Gateway,
) -> anyhow::Result<()> {
    let refused = client
        .post(url)
        .header("content-type", "application/json")
        .header(
            reqwest::header::AUTHORIZATION,
            auth::refused_authorization()?,
        )
        .body(body.clone())
        .send()
        .await?;
    let status = refused.status();
    refused.bytes().await?;
    anyhow::ensure!(
        status == reqwest::StatusCode::UNAUTHORIZED,
        "{} accepted a token for another audience (HTTP {status}): is authentication on?",
        gateway.label()
    );
    Ok(())
}

/// Starts `bench-subgraphs` pinned to the load core and waits for its ports.
async fn start_subgraphs(
    args: &Args,
    client: &reqwest::Client,
) -> anyhow::Result<SubgraphsProcess> {
    let binary = match &args.subgraphs_bin {
        Some(path) => path.clone(),
        None => sibling_binary("bench-subgraphs")?,
    };
    anyhow::ensure!(
        binary.is_file(),
        "{} not found: run `cargo build --release -p switchyard-bench`",
        binary.display()
    );
    let child = Command::new("taskset")
        .args(["-c", &args.load_core.to_string()])
        .arg(&binary)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start bench-subgraphs")?;
    let process = SubgraphsProcess(child);
    let probe = r#"{"query":"{ __typename }"}"#;
    for subgraph in Subgraph::ALL {
        let url = format!("http://127.0.0.1:{}/graphql", subgraph.default_port());
        let mut attempts = 0;
        loop {
            let answer = client
                .post(&url)
                .header("content-type", "application/json")
                .body(probe)
                .send()
                .await;
            if answer.is_ok_and(|r| r.status().is_success()) {
                break;
            }
            attempts += 1;
            anyhow::ensure!(attempts < 100, "bench-subgraphs did not start ({url})");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }
    Ok(process)
}

fn start_perf(pid: u32, output: &std::path::Path) -> anyhow::Result<Child> {
    Command::new("perf")
        // DWARF unwinding from .eh_frame: release builds carry no frame pointers.
        .args([
            "record",
            "--call-graph",
            "dwarf,16384",
            "-F",
            "299",
            "-p",
            &pid.to_string(),
            "-o",
        ])
        .arg(output)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .context("cannot start perf (Debian package linux-perf)")
}

fn stop_perf(perf: Child) -> anyhow::Result<()> {
    let mut perf = perf;
    Command::new("kill")
        .args(["-INT", &perf.id().to_string()])
        .status()
        .context("cannot signal perf")?;
    perf.wait().context("perf did not finish")?;
    Ok(())
}
