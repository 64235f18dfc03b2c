//! Loading a corpus case from its folder:
//!
//! ```text
//! cases/<family>/<case>/
//!   subgraphs/<name>.graphql        one SDL per subgraph
//!   data/<name>.json                the data that subgraph serves (optional)
//!   supergraph.graphql              composed by compose/compose.mjs
//!   operations/<n>-<title>.graphql  an operation; optional first-line comments
//!                                   `# variables: {...}` and `# operationName: X`
//!   operations/<n>-<title>.expected.json   the response the specs require
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value as Json};

use crate::data::SubgraphData;
use crate::error::CorpusError;
use crate::server::MockSubgraph;

/// One case: subgraphs with their data, the supergraph and the operations.
#[derive(Debug, Clone)]
pub struct Case {
    /// `family/case`.
    pub id: String,
    pub dir: PathBuf,
    /// Subgraph name → SDL.
    pub subgraphs: BTreeMap<String, String>,
    /// Subgraph name → data (empty data when the case has no file).
    pub data: BTreeMap<String, SubgraphData>,
    pub supergraph: String,
    pub operations: Vec<Operation>,
}

/// One operation of a case and its expected response.
#[derive(Debug, Clone)]
pub struct Operation {
    /// File stem, e.g. `01-single-key`.
    pub name: String,
    pub query: String,
    pub variables: Map<String, Json>,
    pub operation_name: Option<String>,
    /// The expected response (`data`, `errors`), if the file exists.
    pub expected: Option<Json>,
}

fn read(path: &Path) -> Result<String, CorpusError> {
    std::fs::read_to_string(path).map_err(|source| CorpusError::Read {
        path: path.to_owned(),
        source,
    })
}

fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, CorpusError> {
    let entries = std::fs::read_dir(dir).map_err(|source| CorpusError::Read {
        path: dir.to_owned(),
        source,
    })?;
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    paths.sort();
    Ok(paths)
}

impl Case {
    /// Every case under a corpus root (`cases/`), sorted by id.
    pub fn discover(root: &Path) -> Result<Vec<PathBuf>, CorpusError> {
        let mut cases = Vec::new();
        for family in sorted_entries(root)? {
            if !family.is_dir() {
                continue;
            }
            for case in sorted_entries(&family)? {
                if case.join("subgraphs").is_dir() {
                    cases.push(case);
                }
            }
        }
        Ok(cases)
    }

    /// Loads the case in `dir`; its id is the last two path components.
    pub fn load(dir: &Path) -> Result<Self, CorpusError> {
        let id = dir
            .components()
            .rev()
            .take(2)
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect::<Vec<_>>()
            .join("/");
        let invalid = |message: String| CorpusError::Case {
            case: id.clone(),
            message,
        };
        let mut subgraphs = BTreeMap::new();
        let mut data = BTreeMap::new();
        for path in sorted_entries(&dir.join("subgraphs"))? {
            if path.extension().is_some_and(|ext| ext == "graphql") {
                let name = stem(&path);
                let data_path = dir.join("data").join(format!("{name}.json"));
                let subgraph_data = if data_path.exists() {
                    SubgraphData::parse(&read(&data_path)?)
                        .map_err(|e| invalid(format!("{}: {e}", data_path.display())))?
                } else {
                    SubgraphData::default()
                };
                subgraphs.insert(name.clone(), read(&path)?);
                data.insert(name, subgraph_data);
            }
        }
        let supergraph_path = dir.join("supergraph.graphql");
        let supergraph = if supergraph_path.exists() {
            read(&supergraph_path)?
        } else {
            String::new()
        };
        let mut operations = Vec::new();
        let operations_dir = dir.join("operations");
        if operations_dir.is_dir() {
            for path in sorted_entries(&operations_dir)? {
                if path.extension().is_some_and(|ext| ext == "graphql") {
                    operations.push(Operation::load(&path).map_err(|e| invalid(e.to_string()))?);
                }
            }
        }
        Ok(Self {
            id,
            dir: dir.to_owned(),
            subgraphs,
            data,
            supergraph,
            operations,
        })
    }

    /// Starts one mock per subgraph, in name order.
    pub async fn start_mocks(&self) -> Result<Vec<MockSubgraph>, CorpusError> {
        let mut mocks = Vec::new();
        for (name, sdl) in &self.subgraphs {
            let data = self.data.get(name).cloned().unwrap_or_default();
            mocks.push(MockSubgraph::start(name, sdl, data).await?);
        }
        Ok(mocks)
    }
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default()
}

impl Operation {
    fn load(path: &Path) -> Result<Self, CorpusError> {
        let query = read(path)?;
        let name = stem(path);
        let invalid = |message: String| CorpusError::Case {
            case: path.display().to_string(),
            message,
        };
        let mut variables = Map::new();
        let mut operation_name = None;
        for line in query.lines().take_while(|line| line.starts_with('#')) {
            let comment = line.trim_start_matches('#').trim();
            if let Some(json) = comment.strip_prefix("variables:") {
                match serde_json::from_str(json.trim()) {
                    Ok(Json::Object(map)) => variables = map,
                    Ok(_) | Err(_) => {
                        return Err(invalid("variables must be a JSON object".into()));
                    }
                }
            } else if let Some(op) = comment.strip_prefix("operationName:") {
                operation_name = Some(op.trim().to_owned());
            }
        }
        let expected_path = path.with_file_name(format!("{name}.expected.json"));
        let expected = if expected_path.exists() {
            Some(
                serde_json::from_str(&read(&expected_path)?)
                    .map_err(|e| invalid(format!("{}: {e}", expected_path.display())))?,
            )
        } else {
            None
        };
        Ok(Self {
            name,
            query,
            variables,
            operation_name,
            expected,
        })
    }
}
