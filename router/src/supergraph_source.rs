//! Where the supergraph SDL comes from: a file, or subgraphs composed at start.
//!
//! Composing at start lets a small deployment skip the separate composition
//! step: list the subgraphs (with an SDL file each, or none to ask the running
//! subgraph for `_service { sdl }`) and the router composes them itself. A
//! composition error stops the start, with every error listed.

use std::time::Duration;

use switchyard_composition::{SubgraphDefinition, compose};

use crate::config::{RouterConfig, SubgraphSource};

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
    #[error("cannot fetch the SDL of subgraph '{subgraph}' from {url}: {reason}")]
    Introspection {
        subgraph: String,
        url: String,
        reason: String,
    },
    #[error("the subgraphs do not compose:\n{0}")]
    Composition(String),
}

/// How long fetching one subgraph's SDL may take at start.
const SDL_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Reads or composes the supergraph SDL the config names.
pub async fn load(config: &RouterConfig) -> Result<String, SupergraphSourceError> {
    if let Some(path) = &config.supergraph {
        return read(path).await;
    }
    if config.subgraphs.is_empty() {
        return Err(SupergraphSourceError::Missing);
    }
    let mut definitions = Vec::with_capacity(config.subgraphs.len());
    for subgraph in &config.subgraphs {
        let sdl = match &subgraph.schema {
            Some(path) => read(path).await?,
            None => fetch_sdl(subgraph).await?,
        };
        definitions.push(SubgraphDefinition::new(
            subgraph.name.clone(),
            subgraph.url.clone(),
            sdl,
        ));
    }
    let composed = compose(&definitions)
        .map_err(|errors| SupergraphSourceError::Composition(errors.to_string()))?;
    for hint in &composed.hints {
        tracing::info!(%hint, "composition hint");
    }
    Ok(composed.supergraph_sdl)
}

async fn read(path: &std::path::Path) -> Result<String, SupergraphSourceError> {
    tokio::fs::read_to_string(path)
        .await
        .map_err(|source| SupergraphSourceError::Read {
            path: path.to_owned(),
            source,
        })
}

/// Asks a running subgraph for its SDL (`_service { sdl }`, part of the
/// federation subgraph spec).
async fn fetch_sdl(subgraph: &SubgraphSource) -> Result<String, SupergraphSourceError> {
    let failed = |reason: String| SupergraphSourceError::Introspection {
        subgraph: subgraph.name.clone(),
        url: subgraph.url.clone(),
        reason,
    };
    let client = reqwest::Client::builder()
        .timeout(SDL_FETCH_TIMEOUT)
        .build()
        .map_err(|e| failed(e.to_string()))?;
    let response = client
        .post(&subgraph.url)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(r#"{"query":"{ _service { sdl } }"}"#)
        .send()
        .await
        .map_err(|e| failed(e.to_string()))?;
    let status = response.status();
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|e| failed(format!("HTTP {status}, body is not JSON: {e}")))?;
    body.pointer("/data/_service/sdl")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| failed(format!("HTTP {status}, no data._service.sdl in {body}")))
}
