//! The data a mock subgraph serves, and how it misbehaves.
//!
//! ```json
//! {
//!   "$subgraph": { "fail": "slow", "delay_ms": 3000 },
//!   "Query": { "me": { "id": "1" }, "product(id: \"1\")": { "upc": "1" } },
//!   "Mutation": { "addReview": { "id": "r9" } },
//!   "entities": { "Product": [ { "upc": "1", "name": "Table" } ] }
//! }
//! ```
//!
//! Root fields are looked up first under their canonical key with arguments
//! (see [`crate::args`]) and then under their plain name. A value
//! `{"$error": "message"}` anywhere makes that field (or, in `entities`, that
//! entity) null with a GraphQL error at its path.

use serde::Deserialize;
use serde_json::{Map, Value as Json};

use crate::error::CorpusError;

/// How a mock subgraph fails, if at all.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Behaviour {
    #[serde(default)]
    pub fail: Option<FailMode>,
    /// Delay before answering, for `fail: "slow"`.
    #[serde(default)]
    pub delay_ms: Option<u64>,
}

/// The ways a whole subgraph can fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FailMode {
    /// Nothing listens: connection refused.
    Down,
    /// Answers after `delay_ms` (default 10 s), longer than the router's timeout.
    Slow,
    /// Answers HTTP 500 with a text body.
    Http500,
    /// Answers HTTP 200 with a body that is not JSON.
    InvalidJson,
}

/// The data of one mock subgraph.
#[derive(Debug, Clone, Default)]
pub struct SubgraphData {
    pub behaviour: Behaviour,
    /// Root objects by root type name (`Query`, `Mutation`).
    pub roots: Map<String, Json>,
    /// Entities by `__typename`.
    pub entities: Map<String, Json>,
}

impl SubgraphData {
    /// Reads the JSON data format described in the module docs.
    pub fn from_json(json: &Json) -> Result<Self, CorpusError> {
        let Json::Object(top) = json else {
            return Err(CorpusError::Data("data must be a JSON object".into()));
        };
        let mut data = SubgraphData::default();
        for (key, value) in top {
            match key.as_str() {
                "$subgraph" => {
                    data.behaviour = serde_json::from_value(value.clone())
                        .map_err(|e| CorpusError::Data(format!("$subgraph: {e}")))?;
                }
                "entities" => {
                    let Json::Object(entities) = value else {
                        return Err(CorpusError::Data("entities must be an object".into()));
                    };
                    data.entities = entities.clone();
                }
                _ => {
                    data.roots.insert(key.clone(), value.clone());
                }
            }
        }
        Ok(data)
    }

    /// Reads the data format from JSON text.
    pub fn parse(text: &str) -> Result<Self, CorpusError> {
        let json: Json =
            serde_json::from_str(text).map_err(|e| CorpusError::Data(format!("{e}")))?;
        Self::from_json(&json)
    }

    /// The entities of a type, if any.
    pub fn entities_of(&self, type_name: &str) -> &[Json] {
        match self.entities.get(type_name) {
            Some(Json::Array(items)) => items,
            _ => &[],
        }
    }
}
