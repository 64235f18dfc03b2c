//! `switchyard compose`: composes subgraphs into a supergraph SDL, like Apollo's
//! `rover supergraph compose`, without leaving the router binary.
//!
//! Subgraphs come from `--subgraph NAME=URL` (SDL fetched from the running subgraph
//! with `{ _service { sdl } }`) and/or a YAML `--config` listing each subgraph's
//! routing URL and, optionally, its SDL file. Loading and composing them is
//! [`supergraph_source::compose_subgraphs`], what `serve` runs for a config with
//! `subgraphs:`; this module only adds the command's arguments, file and output.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::config::SubgraphConfig;
use crate::supergraph_source::{self, ComposeError};

/// Kept here too for callers that load subgraphs the way `switchyard compose` does.
pub use crate::supergraph_source::load_subgraphs;

/// Why `switchyard compose` could not produce a supergraph.
#[derive(Debug, thiserror::Error)]
pub enum ComposeCommandError {
    #[error("cannot read {}: {source}", path.display())]
    ReadConfig {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid compose config {}: {source}", path.display())]
    ParseConfig {
        path: PathBuf,
        source: Box<serde_saphyr::Error>,
    },
    #[error("no subgraphs to compose: pass --subgraph NAME=URL or --config FILE")]
    NoSubgraphs,
    #[error(transparent)]
    Compose(#[from] ComposeError),
    #[error("cannot write {}: {source}", path.display())]
    WriteOut {
        path: PathBuf,
        source: std::io::Error,
    },
}

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

impl ComposeConfig {
    /// Reads a YAML config; relative `schema` paths are taken from the file's folder.
    pub fn from_file(path: &Path) -> Result<Self, ComposeCommandError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ComposeCommandError::ReadConfig {
                path: path.to_owned(),
                source,
            })?;
        let mut config: ComposeConfig = crate::config::parse_yaml(&text).map_err(|source| {
            ComposeCommandError::ParseConfig {
                path: path.to_owned(),
                source: Box::new(source),
            }
        })?;
        let base_dir = path.parent().unwrap_or_else(|| Path::new("."));
        for subgraph in &mut config.subgraphs {
            subgraph.resolve_schema_path(base_dir);
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

/// Runs `switchyard compose`: exit 0 with the supergraph on stdout (or in `--out`),
/// 1 with every composition error on stderr. Composition errors are the command's
/// answer about the subgraphs, not a failure to run, hence `Ok(FAILURE)`.
pub async fn run(args: ComposeArgs) -> Result<ExitCode, ComposeCommandError> {
    let mut subgraphs = match &args.config {
        Some(path) => ComposeConfig::from_file(path)?.subgraphs,
        None => Vec::new(),
    };
    subgraphs.extend(args.subgraphs.iter().cloned());
    if subgraphs.is_empty() {
        return Err(ComposeCommandError::NoSubgraphs);
    }
    let composed =
        match supergraph_source::compose_subgraphs(&subgraphs, &reqwest::Client::new()).await {
            Ok(composed) => composed,
            Err(error @ ComposeError::Composition(_)) => {
                eprintln!("{error}");
                return Ok(ExitCode::FAILURE);
            }
            Err(error) => return Err(error.into()),
        };
    for hint in &composed.hints {
        eprintln!("hint: {hint}");
    }
    match &args.out {
        Some(path) => std::fs::write(path, &composed.supergraph_sdl).map_err(|source| {
            ComposeCommandError::WriteOut {
                path: path.clone(),
                source,
            }
        })?,
        None => print!("{}", composed.supergraph_sdl),
    }
    Ok(ExitCode::SUCCESS)
}
