//! Where the supergraph SDL comes from: a file, or subgraphs composed at start.
//!
//! Composing at start lets a small deployment skip the separate composition
//! step: list the subgraphs (with an SDL file each, or none to ask the running
//! subgraph for `_service { sdl }`) and the router composes them itself, reading
//! them exactly as `switchyard compose` does. A composition error stops the
//! start, with every error listed.

use switchyard_composition::compose;

use crate::compose_cli::load_subgraphs;
use crate::config::RouterConfig;

/// The supergraph could not be obtained.
#[derive(Debug, thiserror::Error)]
pub enum SupergraphSourceError {
    #[error(
        "no supergraph given: set `supergraph` or `subgraphs` in the config, or pass --supergraph"
    )]
    Missing,
    #[error("cannot read {path}: {source}")]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    /// Some subgraph SDLs could not be read or fetched (one line per subgraph).
    #[error("cannot load the subgraphs:\n{0}")]
    Subgraphs(String),
    #[error("the subgraphs do not compose:\n{0}")]
    Composition(String),
}

/// Reads or composes the supergraph SDL the config names.
pub async fn load(config: &RouterConfig) -> Result<String, SupergraphSourceError> {
    if let Some(path) = &config.supergraph {
        return tokio::fs::read_to_string(path).await.map_err(|source| {
            SupergraphSourceError::Read {
                path: path.clone(),
                source,
            }
        });
    }
    if config.subgraphs.is_empty() {
        return Err(SupergraphSourceError::Missing);
    }
    let client = reqwest::Client::new();
    let definitions = load_subgraphs(&config.subgraphs, &client)
        .await
        .map_err(|error| SupergraphSourceError::Subgraphs(format!("{error:#}")))?;
    let composed = compose(&definitions)
        .map_err(|errors| SupergraphSourceError::Composition(errors.to_string()))?;
    for hint in &composed.hints {
        tracing::info!(%hint, "composition hint");
    }
    Ok(composed.supergraph_sdl)
}
