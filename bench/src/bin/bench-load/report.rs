//! The markdown report: medians per workload and gateway with the ratio to
//! Switchyard, Switchyard against Hive Router and against the baseline build
//! when they ran, then every run, so swings between runs stay visible.

use std::fmt::Write as _;

use switchyard_bench::workloads::Workload;

use crate::gateway::Gateway;

/// One measured run of one gateway.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub gateway: Gateway,
    pub workload: Workload,
    pub run: usize,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Gateway CPU use during the measurement, in % of one core.
    pub cpu_percent: f64,
    pub peak_rss_mb: f64,
    /// Size of the gateway's first (checked) answer.
    pub response_bytes: usize,
    /// Requests the subgraphs served per client request, over the window.
    pub subgraph_requests_per_request: f64,
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
    pub workloads: Vec<Workload>,
}

impl RunResult {
    /// Gateway CPU time per served request, in microseconds: less disturbed
    /// than requests/s when something else competes for the gateway's core,
    /// and the measure of the curves, where the subgraphs may be what limits
    /// requests/s.
    pub fn cpu_us_per_request(&self) -> f64 {
        1e6 * (self.cpu_percent / 100.0) / self.requests_per_second
    }

    pub fn failures(&self) -> u64 {
        self.non_200 + self.transport_errors + self.mismatches
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
    let workloads: Vec<String> = setup.workloads.iter().map(|w| format!("`{w}`")).collect();
    let _ = writeln!(out, "# Federation gateways benchmark\n");
    let _ = writeln!(
        out,
        "Workloads {} (see `bench/src/workloads.rs`), closed loop with {} connections, \
         {} s warm-up + {} s measured, {} alternating run(s) per gateway and workload. Gateway \
         pinned to core {}, load generator and subgraphs to core {}. Machine: {cpu}, {cores} cores.\n",
        workloads.join(", "),
        setup.connections,
        setup.warmup_s,
        setup.duration_s,
        setup.runs,
        setup.gateway_core,
        setup.load_core
    );
    let _ = writeln!(out, "Command: `{}`\n", setup.command);
    let _ = writeln!(
        out,
        "CPU µs per request: the gateway's CPU time over the measured window divided by the \
         requests it served. Subgraph requests per request: counted by the subgraphs.\n"
    );
    let _ = writeln!(out, "## Medians\n");
    let _ = writeln!(
        out,
        "| Workload | response bytes | Gateway | req/s | Switchyard ÷ this | CPU µs per request | subgraph requests per request | p50 ms | p95 ms | p99 ms | max ms | CPU % | peak RSS MB | failed |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    let of = |workload: Workload, gateway: Gateway| -> Vec<&RunResult> {
        results
            .iter()
            .filter(|r| r.workload == workload && r.gateway == gateway)
            .collect()
    };
    for &workload in &setup.workloads {
        let switchyard_rps = median_of(&of(workload, Gateway::Switchyard), |r| {
            r.requests_per_second
        });
        for &gateway in gateways {
            let runs = of(workload, gateway);
            if runs.is_empty() {
                continue;
            }
            let rps = median_of(&runs, |r| r.requests_per_second);
            let ratio = if switchyard_rps.is_nan() {
                "n/a".to_owned()
            } else {
                format!("{:.2}×", switchyard_rps / rps)
            };
            let failed: u64 = runs.iter().map(|r| r.failures()).sum();
            let _ = writeln!(
                out,
                "| `{workload}` | {} | {} | {:.0} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} | {:.1} | {} |",
                runs[0].response_bytes,
                gateway.label(),
                rps,
                ratio,
                median_of(&runs, RunResult::cpu_us_per_request),
                median_of(&runs, |r| r.subgraph_requests_per_request),
                median_of(&runs, |r| r.p50_ms),
                median_of(&runs, |r| r.p95_ms),
                median_of(&runs, |r| r.p99_ms),
                median_of(&runs, |r| r.max_ms),
                median_of(&runs, |r| r.cpu_percent),
                median_of(&runs, |r| r.peak_rss_mb),
                failed,
            );
        }
    }
    if gateways.contains(&Gateway::Switchyard) && gateways.contains(&Gateway::HiveRouter) {
        let _ = writeln!(out, "\n## Switchyard against Hive Router (medians)\n");
        let _ = writeln!(
            out,
            "| Workload | req/s: Switchyard ÷ Hive Router | p99: Switchyard ÷ Hive Router | CPU µs per request: Switchyard ÷ Hive Router | peak RSS MB: Switchyard / Hive Router |"
        );
        let _ = writeln!(out, "|---|---:|---:|---:|---:|");
        for &workload in &setup.workloads {
            let ours = of(workload, Gateway::Switchyard);
            let theirs = of(workload, Gateway::HiveRouter);
            if ours.is_empty() || theirs.is_empty() {
                continue;
            }
            let ratio =
                |field: fn(&RunResult) -> f64| median_of(&ours, field) / median_of(&theirs, field);
            let _ = writeln!(
                out,
                "| `{workload}` | {:.2}× | {:.2}× | {:.2}× | {:.1} / {:.1} |",
                ratio(|r| r.requests_per_second),
                ratio(|r| r.p99_ms),
                ratio(RunResult::cpu_us_per_request),
                median_of(&ours, |r| r.peak_rss_mb),
                median_of(&theirs, |r| r.peak_rss_mb),
            );
        }
    }
    if gateways.contains(&Gateway::SwitchyardBare) && gateways.contains(&Gateway::SwitchyardFull) {
        let _ = writeln!(
            out,
            "\n## Overhead budget: everything on against everything off (medians)\n"
        );
        let _ = writeln!(
            out,
            "All on: JWT verification (a token on every request), metrics, traces sampled at 1 % \
             and exported. All off: no authentication, metrics off, no traces.\n"
        );
        let _ = writeln!(
            out,
            "| Workload | req/s: all on ÷ all off | CPU µs per request: all on ÷ all off |"
        );
        let _ = writeln!(out, "|---|---:|---:|");
        for &workload in &setup.workloads {
            let on = of(workload, Gateway::SwitchyardFull);
            let off = of(workload, Gateway::SwitchyardBare);
            if on.is_empty() || off.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                "| `{workload}` | {:.3} | {:.3} |",
                median_of(&on, |r| r.requests_per_second)
                    / median_of(&off, |r| r.requests_per_second),
                median_of(&on, RunResult::cpu_us_per_request)
                    / median_of(&off, RunResult::cpu_us_per_request),
            );
        }
    }
    if results.iter().any(|r| r.gateway == Gateway::Baseline) {
        let _ = writeln!(out, "\n## Against the baseline build\n");
        let _ = writeln!(
            out,
            "| Workload | Gateway | req/s ÷ baseline req/s | p99 ÷ baseline p99 |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|");
        for &workload in &setup.workloads {
            let baseline = of(workload, Gateway::Baseline);
            if baseline.is_empty() {
                continue;
            }
            let baseline_rps = median_of(&baseline, |r| r.requests_per_second);
            let baseline_p99 = median_of(&baseline, |r| r.p99_ms);
            for &gateway in gateways {
                let runs = of(workload, gateway);
                if runs.is_empty() || !gateway.is_switchyard() {
                    continue;
                }
                let _ = writeln!(
                    out,
                    "| `{workload}` | {} | {:.3} | {:.3} |",
                    gateway.label(),
                    median_of(&runs, |r| r.requests_per_second) / baseline_rps,
                    median_of(&runs, |r| r.p99_ms) / baseline_p99,
                );
            }
        }
    }
    let _ = writeln!(out, "\n## Every run\n");
    let _ = writeln!(
        out,
        "| Workload | Run | Gateway | req/s | CPU µs per request | p50 ms | p95 ms | p99 ms | max ms | CPU % | peak RSS MB | requests | non-200 | transport errors | wrong body |"
    );
    let _ = writeln!(
        out,
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for r in results {
        let _ = writeln!(
            out,
            "| `{}` | {} | {} | {:.0} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {:.0} | {:.1} | {} | {} | {} | {} |",
            r.workload,
            r.run,
            r.gateway.label(),
            r.requests_per_second,
            r.cpu_us_per_request(),
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
