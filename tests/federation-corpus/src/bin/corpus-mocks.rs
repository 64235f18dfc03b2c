//! Starts the mock subgraphs of one corpus case and prints their URLs as one JSON
//! line (`{"case": "...", "subgraphs": {"name": "http://127.0.0.1:PORT/graphql"}}`),
//! then serves until stdin closes or the process is interrupted. Used by
//! `tests/gateway-diff` to run other gateways against the same mocks.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use federation_corpus::Case;
use tokio::io::AsyncReadExt;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let dir: PathBuf = std::env::args()
        .nth(1)
        .context("usage: corpus-mocks CASE_DIR")?
        .into();
    let case = Case::load(&dir).with_context(|| format!("loading case {}", dir.display()))?;
    let mocks = case.start_mocks().await?;
    let urls: BTreeMap<&str, String> = mocks.iter().map(|m| (m.name(), m.url())).collect();
    println!(
        "{}",
        serde_json::json!({ "case": case.id, "subgraphs": urls })
    );
    let mut stdin = tokio::io::stdin();
    let mut sink = Vec::new();
    tokio::select! {
        _ = stdin.read_to_end(&mut sink) => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    drop(mocks);
    Ok(())
}
