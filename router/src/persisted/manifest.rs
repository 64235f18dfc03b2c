//! Trusted documents: a manifest of the operations an app may send, by id.
//!
//! Two formats are read, told apart by their shape:
//! - Apollo's persisted query manifest: `{"format":
//!   "apollo-persisted-query-manifest", "version": 1, "operations": [{"id",
//!   "body", "name", "type"}]}`;
//! - Relay's: a JSON object from id to operation text, `{"<id>": "<text>"}`.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde::Deserialize;
use serde_json::Value;

use super::sha256_hex;

const APOLLO_FORMAT: &str = "apollo-persisted-query-manifest";

/// The operations of a manifest, by id, by exact text and by the SHA-256 of
/// their text.
#[derive(Debug, Default)]
pub struct Manifest {
    by_id: HashMap<String, Arc<str>>,
    bodies: HashSet<Arc<str>>,
    body_hashes: HashSet<String>,
    /// SHA-256 of the file read (empty when parsed from text): a reload
    /// rebuilds the router when the file changed, even if the config did not.
    file_hash: String,
}

#[derive(Deserialize)]
struct ApolloManifest {
    version: u64,
    operations: Vec<ApolloOperation>,
}

#[derive(Deserialize)]
struct ApolloOperation {
    id: String,
    body: String,
}

impl Manifest {
    /// Reads a manifest file; the error says which file and what is wrong.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read manifest {}: {e}", path.display()))?;
        let mut manifest =
            Self::parse(&text).map_err(|e| format!("invalid manifest {}: {e}", path.display()))?;
        manifest.file_hash = sha256_hex(&text);
        Ok(manifest)
    }

    /// SHA-256 of the manifest file, as [`Manifest::load`] read it.
    pub fn file_hash(&self) -> &str {
        &self.file_hash
    }

    /// Parses a manifest in the Apollo or the Relay format.
    pub fn parse(text: &str) -> Result<Self, String> {
        let value: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
        let Value::Object(object) = value else {
            return Err("a manifest is a JSON object (Apollo's or Relay's format)".into());
        };
        let mut manifest = Manifest::default();
        if let Some(format) = object.get("format") {
            if format.as_str() != Some(APOLLO_FORMAT) {
                return Err(format!(
                    "unknown manifest format {format}: expected {APOLLO_FORMAT:?}"
                ));
            }
            let apollo: ApolloManifest = serde_json::from_value(Value::Object(object))
                .map_err(|e| format!("not an Apollo persisted query manifest: {e}"))?;
            if apollo.version != 1 {
                return Err(format!(
                    "Apollo manifest version {} is not supported (only 1)",
                    apollo.version
                ));
            }
            for operation in apollo.operations {
                manifest.insert(operation.id, operation.body)?;
            }
        } else {
            for (id, body) in object {
                let Value::String(body) = body else {
                    return Err(format!(
                        "the value of {id:?} is not a string: a Relay manifest maps ids to \
                         operation text (an Apollo manifest has \"format\": {APOLLO_FORMAT:?})"
                    ));
                };
                manifest.insert(id, body)?;
            }
        }
        Ok(manifest)
    }

    fn insert(&mut self, id: String, body: String) -> Result<(), String> {
        if id.is_empty() {
            return Err("an operation has an empty id".into());
        }
        let body: Arc<str> = body.into();
        match self.by_id.get(&id) {
            Some(known) if *known != body => {
                return Err(format!(
                    "id {id:?} is given twice with different operations"
                ));
            }
            Some(_) => return Ok(()),
            None => {}
        }
        self.body_hashes.insert(sha256_hex(&body));
        self.bodies.insert(body.clone());
        self.by_id.insert(id, body);
        Ok(())
    }

    /// The operation text listed under `id`.
    pub fn get(&self, id: &str) -> Option<Arc<str>> {
        self.by_id.get(id).cloned()
    }

    /// Whether `query` is a listed operation: its exact text, or a text of the
    /// same SHA-256 (`hash`, the lowercase hex of `query`'s).
    pub fn lists(&self, query: &str, hash: &str) -> bool {
        self.bodies.contains(query) || self.body_hashes.contains(hash)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats() {
        let apollo = Manifest::parse(
            r#"{"format":"apollo-persisted-query-manifest","version":1,"operations":[
                {"id":"abc","body":"query A { me { id } }","name":"A","type":"query","clientName":"web"}]}"#,
        )
        .unwrap();
        assert_eq!(apollo.get("abc").as_deref(), Some("query A { me { id } }"));
        let relay = Manifest::parse(r#"{"r1":"query B { me { id } }"}"#).unwrap();
        assert_eq!(relay.get("r1").as_deref(), Some("query B { me { id } }"));
        let body = "query B { me { id } }";
        assert!(relay.lists(body, &sha256_hex(body)));
        assert!(!relay.lists("{ me { id } }", &sha256_hex("{ me { id } }")));
    }

    #[test]
    fn malformed() {
        for (text, expected) in [
            ("[", "not JSON"),
            ("[]", "a manifest is a JSON object"),
            (r#"{"format":"other"}"#, "unknown manifest format"),
            (
                r#"{"format":"apollo-persisted-query-manifest","version":2,"operations":[]}"#,
                "version 2",
            ),
            (
                r#"{"format":"apollo-persisted-query-manifest","version":1}"#,
                "missing field `operations`",
            ),
            (r#"{"a":1}"#, "is not a string"),
            (r#"{"":"{ me { id } }"}"#, "empty id"),
        ] {
            let error = Manifest::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
