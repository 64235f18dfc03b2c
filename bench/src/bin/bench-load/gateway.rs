//! The gateways the harness can measure, and how each is started: pinned to the
//! gateway core with `taskset`, serving the committed supergraph.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;
use bytes::Bytes;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Gateway {
    /// This repository's router (`target/release/switchyard`).
    Switchyard,
    /// The same, with `authentication.jwt` on and a token on every request.
    SwitchyardAuth,
    /// The same, with metrics and OpenTelemetry traces on (1 % sampled,
    /// exported to a sink in the harness).
    SwitchyardTelemetry,
    /// Everything per-request off: no authentication, no traces, and metrics
    /// off too (they are on by default). The base of the overhead budget.
    SwitchyardBare,
    /// Everything on: authentication (a token on every request), metrics and
    /// traces (1 % sampled). Against `switchyard-bare`, what they cost together.
    SwitchyardFull,
    /// Another Switchyard build to compare with (`--baseline-bin`), such as
    /// main's.
    Baseline,
    /// The baseline build with authentication on, as `switchyard-auth`.
    BaselineAuth,
    /// `@graphql-hive/gateway` with the Rust query planner runtime.
    Hive,
    /// Hive Router, the Guild's Rust router (`--hive-router-bin`, installed
    /// at a pinned version by `bench/gateways/hive-router.sh`), with its
    /// default config.
    HiveRouter,
    /// `@apollo/gateway` behind `@apollo/server`.
    Apollo,
}

impl Gateway {
    pub fn label(self) -> &'static str {
        match self {
            Gateway::Switchyard => "Switchyard",
            Gateway::SwitchyardAuth => "Switchyard, auth on",
            Gateway::SwitchyardTelemetry => "Switchyard, telemetry on",
            Gateway::SwitchyardBare => "Switchyard, all off",
            Gateway::SwitchyardFull => "Switchyard, auth + metrics + traces on",
            Gateway::Baseline => "Switchyard baseline",
            Gateway::BaselineAuth => "Switchyard baseline, auth on",
            Gateway::Hive => "Hive Gateway (router-runtime)",
            Gateway::HiveRouter => "Hive Router",
            Gateway::Apollo => "Apollo Gateway",
        }
    }

    pub fn is_node(self) -> bool {
        matches!(self, Gateway::Hive | Gateway::Apollo)
    }

    /// Whether it runs with authentication on (tokens on every request).
    pub fn is_auth(self) -> bool {
        matches!(
            self,
            Gateway::SwitchyardAuth | Gateway::BaselineAuth | Gateway::SwitchyardFull
        )
    }

    /// Whether it runs with traces on (an OTLP sink in the harness).
    pub fn is_traced(self) -> bool {
        matches!(self, Gateway::SwitchyardTelemetry | Gateway::SwitchyardFull)
    }

    pub fn is_baseline(self) -> bool {
        matches!(self, Gateway::Baseline | Gateway::BaselineAuth)
    }

    /// Whether it is a Switchyard build (this one or the baseline).
    pub fn is_switchyard(self) -> bool {
        !self.is_node() && self != Gateway::HiveRouter
    }

    /// The same gateway with authentication on (`--auth`).
    pub fn with_auth(self) -> Self {
        match self {
            Gateway::Switchyard => Gateway::SwitchyardAuth,
            Gateway::Baseline => Gateway::BaselineAuth,
            other => other,
        }
    }
}

/// Where the gateways' programs and inputs are.
#[derive(Debug, Clone)]
pub struct Paths {
    pub switchyard: PathBuf,
    /// The baseline Switchyard build, when one is measured.
    pub baseline: Option<PathBuf>,
    /// The router config with authentication on, when a gateway needs it.
    pub auth_config: Option<PathBuf>,
    /// The router config with telemetry on, when a gateway needs it.
    pub telemetry_config: Option<PathBuf>,
    /// The router config with metrics off (`switchyard-bare`).
    pub bare_config: Option<PathBuf>,
    /// The router config with authentication and telemetry on
    /// (`switchyard-full`).
    pub full_config: Option<PathBuf>,
    /// The Hive Router binary, when it is measured.
    pub hive_router: Option<PathBuf>,
    pub gateways_dir: PathBuf,
    pub supergraph: PathBuf,
}

/// A started gateway; killed when dropped.
pub struct Running {
    pub child: Child,
}

impl Running {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `gateway` on `port`, pinned to `core`.
pub fn start(gateway: Gateway, paths: &Paths, port: u16, core: usize) -> anyhow::Result<Running> {
    let mut command = Command::new("taskset");
    command.args(["-c", &core.to_string()]);
    match gateway {
        Gateway::Switchyard
        | Gateway::SwitchyardAuth
        | Gateway::SwitchyardTelemetry
        | Gateway::SwitchyardBare
        | Gateway::SwitchyardFull
        | Gateway::Baseline
        | Gateway::BaselineAuth => {
            let binary = if gateway.is_baseline() {
                paths
                    .baseline
                    .as_ref()
                    .context("no baseline binary (--baseline-bin)")?
            } else {
                &paths.switchyard
            };
            command
                .arg(binary)
                .arg("serve")
                .arg("--supergraph")
                .arg(&paths.supergraph)
                .arg("--listen")
                .arg(format!("127.0.0.1:{port}"))
                .env("RUST_LOG", "warn")
                .env_remove("SWITCHYARD_CONFIG");
            if !gateway.is_baseline() {
                // Never scraped here; port 0 so a router already on 9090 does
                // not stop the run. (A baseline build may predate the flag.)
                command.args(["--metrics-listen", "127.0.0.1:0"]);
            }
            let config = match gateway {
                Gateway::SwitchyardAuth | Gateway::BaselineAuth => {
                    Some((&paths.auth_config, "authentication"))
                }
                Gateway::SwitchyardTelemetry => Some((&paths.telemetry_config, "telemetry")),
                Gateway::SwitchyardBare => Some((&paths.bare_config, "all-off")),
                Gateway::SwitchyardFull => Some((&paths.full_config, "all-on")),
                _ => None,
            };
            if let Some((config, what)) = config {
                let config = config
                    .as_ref()
                    .with_context(|| format!("no {what} config prepared"))?;
                command.arg("--config").arg(config);
            }
            if gateway.is_traced() {
                // Export every second rather than every 5 s: the gateway is
                // killed, not stopped, after its run, and a short run would
                // export nothing.
                command.env("OTEL_BSP_SCHEDULE_DELAY", "1000");
            }
        }
        Gateway::Hive => {
            command
                .arg("node")
                .arg(
                    paths
                        .gateways_dir
                        .join("node_modules/@graphql-hive/gateway/dist/bin.js"),
                )
                .arg("supergraph")
                .arg(&paths.supergraph)
                .args(["--config-path", "hive-gateway.config.mjs"])
                .args([
                    "--host",
                    "127.0.0.1",
                    "--port",
                    &port.to_string(),
                    "--fork",
                    "1",
                ])
                .current_dir(&paths.gateways_dir)
                .env("NODE_ENV", "production");
        }
        Gateway::HiveRouter => {
            let binary = paths
                .hive_router
                .as_ref()
                .context("no Hive Router binary (--hive-router-bin; bench/gateways/hive-router.sh installs it)")?;
            // Its defaults, but for where it listens and what it serves; it
            // reads `router.config.yaml` from its working directory, so it
            // runs in one that has none.
            command
                .arg(binary)
                .env("SUPERGRAPH_FILE_PATH", &paths.supergraph)
                .env("HOST", "127.0.0.1")
                .env("PORT", port.to_string())
                .env("LOG_LEVEL", "error")
                .current_dir(std::env::temp_dir());
        }
        Gateway::Apollo => {
            command
                .arg("node")
                .arg("apollo-gateway.mjs")
                .arg(&paths.supergraph)
                .arg(port.to_string())
                .current_dir(&paths.gateways_dir)
                .env("NODE_ENV", "production");
        }
    }
    let child = command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .spawn()
        .with_context(|| format!("cannot start {}", gateway.label()))?;
    Ok(Running { child })
}

/// Waits until the gateway answers the workload with HTTP 200.
pub async fn wait_ready(
    client: &reqwest::Client,
    url: &str,
    body: &Bytes,
    running: &mut Running,
    timeout: Duration,
) -> anyhow::Result<()> {
    let start = Instant::now();
    loop {
        if let Some(status) = running.child.try_wait()? {
            anyhow::bail!("the gateway exited during start-up ({status})");
        }
        let answer = client
            .post(url)
            .header("content-type", "application/json")
            .body(body.clone())
            .send()
            .await;
        if let Ok(response) = answer
            && response.status() == reqwest::StatusCode::OK
        {
            return Ok(());
        }
        anyhow::ensure!(
            start.elapsed() < timeout,
            "the gateway did not answer within {timeout:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Installs the Node gateways (`npm ci`) unless `node_modules` is there already.
pub fn install_node_gateways(gateways_dir: &Path) -> anyhow::Result<()> {
    if gateways_dir
        .join("node_modules/@graphql-hive/gateway")
        .is_dir()
        && gateways_dir.join("node_modules/@apollo/gateway").is_dir()
    {
        return Ok(());
    }
    eprintln!(
        "installing the Node gateways with npm ci in {}",
        gateways_dir.display()
    );
    let status = Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(gateways_dir)
        .status()
        .context("cannot run npm (Node 20 or newer is needed for the Node gateways)")?;
    anyhow::ensure!(
        status.success(),
        "npm ci failed in {}",
        gateways_dir.display()
    );
    Ok(())
}
