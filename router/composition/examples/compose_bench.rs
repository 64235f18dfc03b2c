//! Composition speed: composes each case of `tests/composition-diff/cases` (the shop's
//! own subgraphs included) repeatedly and prints the mean time per composition.
//! `tests/composition-diff/bench.mjs` measures the reference composer on the same
//! cases, so the two can be compared as a ratio on one machine.
//!
//! Run: `cargo run --release -p switchyard-composition --example compose_bench [ITERATIONS]`

use std::path::{Path, PathBuf};
use std::time::Instant;
use switchyard_composition::{SubgraphDefinition, compose};

fn main() {
    let iterations: u32 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(200);
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cases_dir = workspace.join("tests/composition-diff/cases");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&cases_dir)
        .expect("cases folder")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| !p.join("expect-error").exists())
        .collect();
    cases.sort();
    let mut total = 0.0;
    for case in &cases {
        let from = case.join("subgraphs-from");
        let dir = match std::fs::read_to_string(&from) {
            Ok(relative) => workspace.join(relative.trim()),
            Err(_) => case.clone(),
        };
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("case folder")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "graphql"))
            .collect();
        files.sort();
        let subgraphs: Vec<SubgraphDefinition> = files
            .iter()
            .map(|f| {
                let name = f.file_stem().and_then(|s| s.to_str()).unwrap_or("subgraph");
                let sdl = std::fs::read_to_string(f).expect("sdl file");
                SubgraphDefinition::new(name, format!("http://{name}"), sdl)
            })
            .collect();
        let start = Instant::now();
        for _ in 0..iterations {
            let composed = compose(&subgraphs);
            std::hint::black_box(&composed);
        }
        let micros = start.elapsed().as_secs_f64() * 1e6 / f64::from(iterations);
        total += micros;
        let name = case.file_name().and_then(|n| n.to_str()).unwrap_or("?");
        println!("{name:28} {micros:10.1} µs");
    }
    println!("{:28} {total:10.1} µs", "total (sum of means)");
}
