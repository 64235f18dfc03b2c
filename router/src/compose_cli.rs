//! `switchyard compose`: composes subgraphs into a supergraph SDL, like Apollo's
//! `rover supergraph compose`, without leaving the router binary.
//!
//! Subgraphs come from `--subgraph NAME=URL` (SDL fetched from the running subgraph
//! with `{ _service { sdl } }`) and/or a YAML `--config` listing each subgraph's
//! routing URL and, optionally, its SDL file. [`load_subgraphs`] is shared with
//! `serve --config` so both read subgraphs the same way.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use switchyard_composition::{SubgraphDefinition, compose};

/// How long fetching one subgraph's SDL may take.
const SDL_FETCH_TIMEOUT: Duration = Duration::from_secs(10);

/// Arguments of `switchyard compose`.
#[derive(Debug, Clone, clap::Args)]
pub struct ComposeArgs {
    /// A subgraph as NAME=URL; its SDL is fetched from URL with `{ _service { sdl } }`.
    /// Repeatable; added after the subgraphs of --config.
    #[arg(long = "subgraph", value_name = "NAME=URL", value_parser = parse_subgraph_arg)]
    pub subgraphs: Vec<SubgraphConfig>,
    /// YAML file listing the subgraphs (`subgraphs: [{ name, routing_url, schema? }]`).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Write the supergraph SDL to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

/// The YAML file of `compose --config`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ComposeConfig {
    pub subgraphs: Vec<SubgraphConfig>,
}

/// One subgraph to compose.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubgraphConfig {
    /// The subgraph's name: `@override(from:)` and `join__Graph` refer to it.
    pub name: String,
    /// URL the router sends this subgraph's requests to.
    pub routing_url: String,
    /// SDL file of the subgraph (relative to the config file). When absent, the SDL
    /// is fetched from `routing_url` with `{ _service { sdl } }`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schema: Option<PathBuf>,
}

impl ComposeConfig {
    /// Reads a YAML config; relative `schema` paths are taken from the file's folder.
    pub fn from_file(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let mut config: ComposeConfig = serde_yaml::from_str(&text)
            .with_context(|| format!("invalid compose config {}", path.display()))?;
        let base = path.parent().unwrap_or_else(|| Path::new("."));
        for subgraph in &mut config.subgraphs {
            if let Some(schema) = &mut subgraph.schema
                && schema.is_relative()
            {
                *schema = base.join(&*schema);
            }
        }
        Ok(config)
    }

    /// The JSON Schema of the config file.
    pub fn json_schema() -> String {
        let schema = schemars::schema_for!(ComposeConfig);
        serde_json::to_string_pretty(&schema).unwrap_or_default()
    }
}

fn parse_subgraph_arg(arg: &str) -> Result<SubgraphConfig, String> {
    let (name, url) = arg
        .split_once('=')
        .filter(|(name, url)| !name.is_empty() && !url.is_empty())
        .ok_or_else(|| format!("expected NAME=URL, got `{arg}`"))?;
    Ok(SubgraphConfig {
        name: name.to_string(),
        routing_url: url.to_string(),
        schema: None,
    })
}

/// Reads or fetches the SDL of every subgraph (concurrently). Fails with one error
/// listing every subgraph whose SDL could not be obtained.
pub async fn load_subgraphs(
    subgraphs: &[SubgraphConfig],
    client: &reqwest::Client,
) -> anyhow::Result<Vec<SubgraphDefinition>> {
    let results = futures::future::join_all(subgraphs.iter().map(|subgraph| async move {
        let sdl = match &subgraph.schema {
            Some(path) => tokio::fs::read_to_string(path).await.map_err(|e| {
                format!(
                    "subgraph '{}': cannot read {}: {e}",
                    subgraph.name,
                    path.display()
                )
            })?,
            None => fetch_sdl(client, &subgraph.routing_url)
                .await
                .map_err(|reason| {
                    format!(
                        "subgraph '{}': cannot fetch its SDL from {}: {reason}",
                        subgraph.name, subgraph.routing_url
                    )
                })?,
        };
        Ok::<_, String>(SubgraphDefinition::new(
            subgraph.name.clone(),
            subgraph.routing_url.clone(),
            sdl,
        ))
    }))
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
        anyhow::bail!("{}", errors.join("\n"))
    }
}

/// Asks a running subgraph for its SDL (`_service { sdl }`, part of the subgraph spec).
async fn fetch_sdl(client: &reqwest::Client, url: &str) -> Result<String, String> {
    let response = client
        .post(url)
        .timeout(SDL_FETCH_TIMEOUT)
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(r#"{"query":"{ _service { sdl } }"}"#)
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let status = response.status();
    let body: serde_json::Value = response
        .json()
        .await
        .map_err(|e| format!("HTTP {status}, body is not JSON: {e}"))?;
    body.pointer("/data/_service/sdl")
        .and_then(serde_json::Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| format!("HTTP {status}, no data._service.sdl in the answer"))
}

/// Runs `switchyard compose`: exit 0 with the supergraph on stdout (or in `--out`),
/// 1 with every composition error on stderr.
pub async fn run(args: ComposeArgs) -> anyhow::Result<ExitCode> {
    let mut subgraphs = match &args.config {
        Some(path) => ComposeConfig::from_file(path)?.subgraphs,
        None => Vec::new(),
    };
    subgraphs.extend(args.subgraphs.iter().cloned());
    if subgraphs.is_empty() {
        anyhow::bail!("no subgraphs to compose: pass --subgraph NAME=URL or --config FILE");
    }
    let client = reqwest::Client::new();
    let definitions = load_subgraphs(&subgraphs, &client).await?;
    match compose(&definitions) {
        Ok(composed) => {
            for hint in &composed.hints {
                eprintln!("hint: {hint}");
            }
            match &args.out {
                Some(path) => std::fs::write(path, &composed.supergraph_sdl)
                    .with_context(|| format!("cannot write {}", path.display()))?,
                None => print!("{}", composed.supergraph_sdl),
            }
            Ok(ExitCode::SUCCESS)
        }
        Err(errors) => {
            eprintln!(
                "composition failed with {} error{}:",
                errors.0.len(),
                if errors.0.len() == 1 { "" } else { "s" }
            );
            eprintln!("{errors}");
            Ok(ExitCode::FAILURE)
        }
    }
}
