//! Where the supergraph SDL comes from: a file, or subgraphs composed at start.
//!
//! Composing at start lets a small deployment skip the separate composition
//! step: list the subgraphs (with an SDL file each, or none to ask the running
//! subgraph for `_service { sdl }`) and the router composes them itself. The same
//! code serves `switchyard compose` ([`compose_subgraphs`]), so the command and
//! the router read subgraphs, fetch their SDL and report failures identically.
//! A composition error stops the start, with every error listed.

use std::path::PathBuf;
use std::time::Duration;

use http::StatusCode;
use switchyard_composition::{Composed, CompositionErrors, SubgraphDefinition, compose};

use crate::config::{RouterConfig, SubgraphConfig};
use crate::subgraph_client::error_chain;

/// How long fetching one subgraph's SDL may take.
const SDL_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// The supergraph could not be obtained.
#[derive(Debug, thiserror::Error)]
pub enum SupergraphSourceError {
    #[error(
        "no supergraph given: set `supergraph` or `subgraphs` in the config, or pass --supergraph"
    )]
    Missing,
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Compose(#[from] ComposeError),
}

/// Subgraphs could not be composed into a supergraph.
#[derive(Debug, thiserror::Error)]
pub enum ComposeError {
    /// Some subgraph SDLs could not be read or fetched: every one is listed, so an
    /// operator fixes them all in one go.
    #[error("cannot load the subgraphs:\n{}", lines(.0))]
    Subgraphs(Vec<SubgraphSdlError>),
    /// The SDLs were obtained but do not compose: every composition error is listed.
    #[error("the subgraphs do not compose ({count}):\n{0}", count = error_count(.0))]
    Composition(CompositionErrors),
}

/// One subgraph's SDL could not be obtained. Each message names the subgraph.
#[derive(Debug, thiserror::Error)]
pub enum SubgraphSdlError {
    #[error("subgraph '{name}': cannot read {}: {source}", path.display())]
    ReadFile {
        name: String,
        path: PathBuf,
        source: std::io::Error,
    },
    /// No answer: the message carries the whole cause chain, since reqwest's own
    /// message ("error sending request for url …") hides the reason that matters
    /// ("Connection refused", "operation timed out") in its sources.
    #[error("subgraph '{name}': cannot fetch its SDL from {url}: {}", error_chain(.error))]
    Fetch {
        name: String,
        url: String,
        error: reqwest::Error,
    },
    #[error(
        "subgraph '{name}': cannot fetch its SDL from {url}: HTTP {status}, body is not JSON: {error}"
    )]
    NotJson {
        name: String,
        url: String,
        status: StatusCode,
        error: serde_json::Error,
    },
    /// JSON, but not a federated subgraph's answer; its GraphQL errors (if any)
    /// usually say why (e.g. `_service` is not a field: not a federation subgraph).
    #[error(
        "subgraph '{name}': cannot fetch its SDL from {url}: HTTP {status}, no data._service.sdl in the answer{}",
        graphql_errors(.errors)
    )]
    NoSdl {
        name: String,
        url: String,
        status: StatusCode,
        errors: Vec<String>,
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
    if config.subgraphs.is_empty() {
        return Err(SupergraphSourceError::Missing);
    }
    let composed = compose_subgraphs(&config.subgraphs, &reqwest::Client::new()).await?;
    for hint in &composed.hints {
        tracing::info!(%hint, "composition hint");
    }
    Ok(composed.supergraph_sdl)
}

/// Reads or fetches every subgraph's SDL, then composes them. The caller decides
/// what to do with the hints (the CLI prints them, the router logs them).
pub async fn compose_subgraphs(
    subgraphs: &[SubgraphConfig],
    client: &reqwest::Client,
) -> Result<Composed, ComposeError> {
    let definitions = load_subgraphs(subgraphs, client).await?;
    compose(&definitions).map_err(ComposeError::Composition)
}

/// Reads or fetches the SDL of every subgraph (concurrently). Fails with every
/// subgraph whose SDL could not be obtained.
pub async fn load_subgraphs(
    subgraphs: &[SubgraphConfig],
    client: &reqwest::Client,
) -> Result<Vec<SubgraphDefinition>, ComposeError> {
    let results =
        futures::future::join_all(subgraphs.iter().map(|subgraph| load_one(subgraph, client)))
            .await;
    let mut definitions = Vec::with_capacity(results.len());
    let mut errors = Vec::new();
    for result in results {
        match result {
            Ok(definition) => definitions.push(definition),
            Err(error) => errors.push(error),
        }
    }
    if errors.is_empty() {
        Ok(definitions)
    } else {
        Err(ComposeError::Subgraphs(errors))
    }
}

async fn load_one(
    subgraph: &SubgraphConfig,
    client: &reqwest::Client,
) -> Result<SubgraphDefinition, SubgraphSdlError> {
    let sdl =
        match &subgraph.schema {
            Some(path) => tokio::fs::read_to_string(path).await.map_err(|source| {
                SubgraphSdlError::ReadFile {
                    name: subgraph.name.clone(),
                    path: path.clone(),
                    source,
                }
            })?,
            None => fetch_sdl(subgraph, client).await?,
        };
    Ok(SubgraphDefinition::new(
        subgraph.name.clone(),
        subgraph.routing_url.clone(),
        sdl,
    ))
}

/// Asks a running subgraph for its SDL (`_service { sdl }`, part of the subgraph spec).
async fn fetch_sdl(
    subgraph: &SubgraphConfig,
    client: &reqwest::Client,
) -> Result<String, SubgraphSdlError> {
    let name = || subgraph.name.clone();
    let url = || subgraph.routing_url.clone();
    let fetch_error = |error| SubgraphSdlError::Fetch {
        name: name(),
        url: url(),
        error,
    };
    let response = client
        .post(&subgraph.routing_url)
        .timeout(SDL_FETCH_TIMEOUT)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(r#"{"query":"{ _service { sdl } }"}"#)
        .send()
        .await
        .map_err(fetch_error)?;
    let status = response.status();
    let bytes = response.bytes().await.map_err(fetch_error)?;
    let body: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|error| SubgraphSdlError::NotJson {
            name: name(),
            url: url(),
            status,
            error,
        })?;
    match body
        .pointer("/data/_service/sdl")
        .and_then(serde_json::Value::as_str)
    {
        Some(sdl) => Ok(sdl.to_owned()),
        None => Err(SubgraphSdlError::NoSdl {
            name: name(),
            url: url(),
            status,
            errors: body
                .get("errors")
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|error| error.get("message")?.as_str().map(str::to_owned))
                .collect(),
        }),
    }
}

fn error_count(errors: &CompositionErrors) -> String {
    match errors.0.len() {
        1 => "1 error".to_owned(),
        n => format!("{n} errors"),
    }
}

fn lines(errors: &[SubgraphSdlError]) -> String {
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    lines.join("\n")
}

fn graphql_errors(errors: &[String]) -> String {
    if errors.is_empty() {
        String::new()
    } else {
        format!(" (its errors: {})", errors.join("; "))
    }
}
