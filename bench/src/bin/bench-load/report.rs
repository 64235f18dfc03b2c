//! The markdown report: medians per gateway with the ratio to Switchyard, the
//! ratios to the baseline build when one ran, then every run, so swings between
//! runs stay visible.

use std::fmt::Write as _;

use crate::gateway::Gateway;

/// One measured run of one gateway.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub gateway: Gateway,
    pub run: usize,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Gateway CPU use during the measurement, in % of one core.
    pub cpu_percent: f64,
    pub peak_rss_mb: f64,
    pub requests: usize,
    pub non_200: u64,
    pub transport_errors: u64,
    pub mismatches: u64,
}

/// What the report says about how it was measured.
#[derive(Debug, Clone)]
pub struct Setup {
    pub command: String,
    pub connections: usize,
    pub warmup_s: u64,
    pub duration_s: u64,
    pub runs: usize,
    pub gateway_core: usize,
    pub load_core: usize,
}

impl RunResult {
    /// Requests served per second of gateway CPU time: less disturbed than
    /// requests/s when something else competes for the gateway's core.
    pub fn requests_per_cpu_second(&self) -> f64 {
        self.requests_per_second / (self.cpu_percent / 100.0)
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    match values.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => values[n / 2],
        n => (values[n / 2 - 1] + values[n / 2]) / 2.0,
    }
}

fn median_of(results: &[&RunResult], field: impl Fn(&RunResult) -> f64) -> f64 {
    median(results.iter().map(|r| field(r)).collect())
}

pub fn markdown(setup: &Setup, gateways: &[Gateway], results: &[RunResult]) -> String {
    let mut out = String::new();
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|line| line.starts_with("model name"))
                .and_then(|line| line.split_once(':'))
                .map(|(_, name)| name.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    // Not `available_parallelism`: the harness has pinned itself to one core.
    let cores = std::fs::read_to_string("/proc/cpuinfo").map_or(0, |info| {
        info.lines()
            .filter(|line| line.starts_with("processor"))
            .count()
    });
    let _ = writeln!(out, "# Federation gateways benchmark\n");
    let _ = writeln!(
        out,
        "Workload: `bench/workload.graphql` (~87 KB response), closed loop with {} connections, \
         {} s warm-up + {} s measured, {} alternating run(s) per gateway. Gateway pinned to core {}, \
         load generator and subgraphs to core {}. Machine: {cpu}, {cores} cores.\n",
        setup.connections,
        setup.warmup_s,
        setup.duration_s,
        setup.runs,
        setup.gateway_core,
        setup.load_core
    );
    let _ = writeln!(out, "Command: `{}`\n", setup.command);
    let _ = writeln!(out, "## Medians\n");
    let _ = writeln!(
        out,
        "| Gateway | req/s | Switchyard ÷ this | req per CPU-s | p50 ms | p95 ms | p99 ms | max ms | CPU % | peak RSS MB | failed |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    let of = |gateway: Gateway| -> Vec<&RunResult> {
        results.iter().filter(|r| r.gateway == gateway).collect()
    };
    let switchyard_rps = median_of(&of(Gateway::Switchyard), |r| r.requests_per_second);
    for &gateway in gateways {
        let runs = of(gateway);
        if runs.is_empty() {
            continue;
        }
        let rps = median_of(&runs, |r| r.requests_per_second);
        let ratio = if switchyard_rps.is_nan() {
            "n/a".to_owned()
        } else {
            format!("{:.2}×", switchyard_rps / rps)
        };
        let failed: u64 = runs
            .iter()
            .map(|r| r.non_200 + r.transport_errors + r.mismatches)
            .sum();
        let _ = writeln!(
            out,
            "| {} | {:.0} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} | {:.1} | {} |",
            gateway.label(),
            rps,
            ratio,
            median_of(&runs, RunResult::requests_per_cpu_second),
            median_of(&runs, |r| r.p50_ms),
            median_of(&runs, |r| r.p95_ms),
            median_of(&runs, |r| r.p99_ms),
            median_of(&runs, |r| r.max_ms),
            median_of(&runs, |r| r.cpu_percent),
            median_of(&runs, |r| r.peak_rss_mb),
            failed,
        );
    }
    let baseline = of(Gateway::Baseline);
    if !baseline.is_empty() {
        let baseline_rps = median_of(&baseline, |r| r.requests_per_second);
        let baseline_p99 = median_of(&baseline, |r| r.p99_ms);
        let _ = writeln!(out, "\n## Against the baseline build\n");
        let _ = writeln!(
            out,
            "| Gateway | req/s ÷ baseline req/s | p99 ÷ baseline p99 |"
        );
        let _ = writeln!(out, "|---|---:|---:|");
        for &gateway in gateways {
            let runs = of(gateway);
            if runs.is_empty() || !gateway.is_switchyard() {
                continue;
            }
            let _ = writeln!(
                out,
                "| {} | {:.3} | {:.3} |",
                gateway.label(),
                median_of(&runs, |r| r.requests_per_second) / baseline_rps,
                median_of(&runs, |r| r.p99_ms) / baseline_p99,
            );
        }
    }
    let _ = writeln!(out, "\n## Every run\n");
    let _ = writeln!(
        out,
        "| Run | Gateway | req/s | p50 ms | p95 ms | p99 ms | max ms | CPU % | peak RSS MB | requests | non-200 | transport errors | wrong body |"
    );
    let _ = writeln!(
        out,
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in results {
        let _ = writeln!(
            out,
            "| {} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} | {:.1} | {} | {} | {} | {} |",
            r.run,
            r.gateway.label(),
            r.requests_per_second,
            r.p50_ms,
            r.p95_ms,
            r.p99_ms,
            r.max_ms,
            r.cpu_percent,
            r.peak_rss_mb,
            r.requests,
            r.non_200,
            r.transport_errors,
            r.mismatches,
        );
    }
    out
}
