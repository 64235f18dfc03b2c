//! Where the supergraph SDL comes from: a file, or subgraphs composed at start.

use crate::config::RouterConfig;

/// The supergraph could not be obtained.
#[derive(Debug, thiserror::Error)]
pub enum SupergraphSourceError {
    #[error(
        "no supergraph given: set `supergraph` or `subgraphs` in the config, or pass --supergraph"
    )]
    Missing,
    #[error("cannot read supergraph file {path}: {source}")]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
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
    Err(SupergraphSourceError::Missing)
}
