//! Which subgraph response headers reach the client (`headers.response`).
//!
//! By default none do: a subgraph's headers describe its own HTTP exchange with
//! the router (its server, its cookies, its cache), and copying them blindly
//! would leak internals and let one subgraph set another's cookies. Each rule
//! names the headers it lets through (`named`, optionally `rename`d, or
//! `matching` a regular expression), optionally only from some `subgraphs`, and
//! how values from several subgraph responses combine (`algorithm`).
//!
//! The subgraph client keeps only the headers some rule lets through, and only
//! for subgraphs some rule is for: without rules no header is copied at all.
//! Values combine in the order the subgraph responses arrived.

use std::sync::Mutex;

use http::{HeaderMap, HeaderName, HeaderValue};

use crate::header_rules::{rule_header_name, rule_pattern};
use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One rule: give `named` (optionally with `rename`) or `matching`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ResponseHeaderRule {
    /// A header name (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named: Option<String>,
    /// A regular expression over lower-case header names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<String>,
    /// The name the client sees (with `named`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rename: Option<String>,
    /// Only from these subgraphs; every subgraph when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subgraphs: Vec<String>,
    /// How values from several subgraph responses combine.
    #[serde(default)]
    pub algorithm: MergeAlgorithm,
}

/// How one header's values from several subgraph responses combine.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MergeAlgorithm {
    /// The first response's value(s) win.
    #[default]
    First,
    /// The last response's value(s) win.
    Last,
    /// Every response's values are sent (for `set-cookie`, for example).
    Append,
}

/// Headers the router owns on its own response: the body's framing and type,
/// the connection, and CORS (the router's own decision).
const RESERVED: &[&str] = &[
    "connection",
    "content-encoding",
    "content-length",
    "content-type",
    "keep-alive",
    "proxy-authenticate",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn reserved(name: &HeaderName) -> bool {
    RESERVED.contains(&name.as_str()) || name.as_str().starts_with("access-control-")
}

#[derive(Debug, Clone)]
enum Matcher {
    Named {
        name: HeaderName,
        rename: HeaderName,
    },
    Matching(Regex),
}

#[derive(Debug, Clone)]
struct Compiled {
    matcher: Matcher,
    /// Empty: every subgraph.
    subgraphs: Vec<String>,
    algorithm: MergeAlgorithm,
}

impl Compiled {
    fn is_for(&self, subgraph: &str) -> bool {
        self.subgraphs.is_empty() || self.subgraphs.iter().any(|name| name == subgraph)
    }

    /// The name the client sees for `name`, when this rule lets it through.
    fn target(&self, name: &HeaderName) -> Option<HeaderName> {
        match &self.matcher {
            Matcher::Named {
                name: named,
                rename,
            } => (named == name).then(|| rename.clone()),
            Matcher::Matching(pattern) => {
                (!reserved(name) && pattern.is_match(name.as_str())).then(|| name.clone())
            }
        }
    }
}

/// One subgraph response's kept headers.
pub type KeptHeaders = Vec<(HeaderName, HeaderValue)>;

/// `headers.response`, compiled once. Equal when compiled from equal rules
/// (a reload keeps the subgraph client when nothing of it changed).
#[derive(Debug, Clone, Default)]
pub struct ResponseHeaderRules {
    rules: Vec<Compiled>,
    source: Vec<ResponseHeaderRule>,
}

impl PartialEq for ResponseHeaderRules {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

impl Eq for ResponseHeaderRules {}

impl ResponseHeaderRules {
    /// Checks and compiles the rules; the error names the offending rule.
    pub fn new(source: &[ResponseHeaderRule]) -> Result<Self, String> {
        let rules = source
            .iter()
            .enumerate()
            .map(|(index, rule)| {
                compile(rule).map_err(|e| format!("headers.response[{index}]: {e}"))
            })
            .collect::<Result<_, _>>()?;
        Ok(Self {
            rules,
            source: source.to_vec(),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Subgraph names the rules restrict themselves to.
    pub fn subgraph_names(&self) -> impl Iterator<Item = &str> {
        self.rules
            .iter()
            .flat_map(|rule| rule.subgraphs.iter().map(String::as_str))
    }

    /// Whether some rule is for `subgraph` (else its headers are not looked at).
    pub fn is_for(&self, subgraph: &str) -> bool {
        self.rules.iter().any(|rule| rule.is_for(subgraph))
    }

    /// The headers of a `subgraph` response that some rule lets through, under
    /// their own names.
    pub fn keep(&self, subgraph: &str, headers: &HeaderMap) -> KeptHeaders {
        let rules: Vec<&Compiled> = self.rules.iter().filter(|r| r.is_for(subgraph)).collect();
        if rules.is_empty() {
            return Vec::new();
        }
        headers
            .iter()
            .filter(|(name, _)| rules.iter().any(|rule| rule.target(name).is_some()))
            .map(|(name, value)| (name.clone(), value.clone()))
            .collect()
    }

    /// Sets the kept headers of each subgraph response (in arrival order) on the
    /// client response. The first rule that lets a header through decides its
    /// name and how it combines. A header the router already set on the response
    /// is never replaced.
    pub fn merge(&self, responses: &[(String, KeptHeaders)], response: &mut HeaderMap) {
        let mut merged = HeaderMap::new();
        // Per target name: the index of the response that set it (for `first`
        // and `last`, the values of one response replace another's as a whole).
        let mut set_by: Vec<(HeaderName, usize)> = Vec::new();
        for (index, (subgraph, headers)) in responses.iter().enumerate() {
            for (name, value) in headers {
                let Some((target, algorithm)) = self
                    .rules
                    .iter()
                    .filter(|rule| rule.is_for(subgraph))
                    .find_map(|rule| rule.target(name).map(|target| (target, rule.algorithm)))
                else {
                    continue;
                };
                let previous = set_by
                    .iter()
                    .find(|(name, _)| *name == target)
                    .map(|(_, by)| *by);
                match (algorithm, previous) {
                    (MergeAlgorithm::Append, _) => {
                        merged.append(target.clone(), value.clone());
                    }
                    (MergeAlgorithm::First, Some(by)) if by != index => continue,
                    (MergeAlgorithm::Last, Some(by)) if by != index => {
                        merged.remove(&target);
                        merged.append(target.clone(), value.clone());
                    }
                    _ => {
                        merged.append(target.clone(), value.clone());
                    }
                }
                set_by.retain(|(name, _)| *name != target);
                set_by.push((target, index));
            }
        }
        for name in merged.keys() {
            if response.contains_key(name) {
                continue;
            }
            for value in merged.get_all(name) {
                response.append(name.clone(), value.clone());
            }
        }
    }
}

fn compile(rule: &ResponseHeaderRule) -> Result<Compiled, String> {
    let name = |text: &str| rule_header_name(text, reserved, "cannot come from a subgraph");
    let matcher = match (&rule.named, &rule.matching) {
        (Some(named), None) => {
            let named = name(named)?;
            Matcher::Named {
                rename: rule.rename.as_deref().map_or(Ok(named.clone()), name)?,
                name: named,
            }
        }
        (None, Some(_)) if rule.rename.is_some() => {
            return Err("`rename` goes with `named`".into());
        }
        (None, Some(matching)) => Matcher::Matching(rule_pattern(matching)?),
        _ => return Err("give exactly one of `named` and `matching`".into()),
    };
    Ok(Compiled {
        matcher,
        subgraphs: rule.subgraphs.clone(),
        algorithm: rule.algorithm,
    })
}

/// What one client request's subgraph responses brought back, collected as
/// they arrive (fetches run concurrently).
#[derive(Debug, Default)]
pub struct CollectedHeaders(Mutex<Vec<(String, KeptHeaders)>>);

impl CollectedHeaders {
    pub fn push(&self, subgraph: &str, headers: KeptHeaders) {
        self.0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .push((subgraph.to_owned(), headers));
    }

    pub fn take(&self) -> Vec<(String, KeptHeaders)> {
        std::mem::take(
            &mut *self
                .0
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(yaml: &str) -> Result<ResponseHeaderRules, String> {
        let rules: Vec<ResponseHeaderRule> =
            serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
        ResponseHeaderRules::new(&rules)
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn pairs(map: &HeaderMap) -> Vec<(String, String)> {
        map.iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
            .collect()
    }

    fn merged(rules: &ResponseHeaderRules, responses: &[(&str, &[(&str, &str)])]) -> HeaderMap {
        let responses: Vec<(String, KeptHeaders)> = responses
            .iter()
            .map(|(subgraph, list)| ((*subgraph).to_owned(), rules.keep(subgraph, &headers(list))))
            .collect();
        let mut out = headers(&[("content-type", "application/json")]);
        rules.merge(&responses, &mut out);
        out
    }

    #[test]
    fn only_listed_headers_from_listed_subgraphs_are_kept() {
        let rules = rules(
            "- { named: x-cache, rename: x-upstream-cache }\n\
             - { matching: '^x-shop-', subgraphs: [products] }\n",
        )
        .unwrap();
        assert!(rules.is_for("users"));
        let out = merged(
            &rules,
            &[
                (
                    "users",
                    &[("x-cache", "miss"), ("x-shop-a", "no"), ("server", "x")],
                ),
                (
                    "products",
                    &[("x-shop-b", "yes"), ("content-type", "text/html")],
                ),
            ],
        );
        assert_eq!(
            pairs(&out),
            [
                ("content-type", "application/json"),
                ("x-upstream-cache", "miss"),
                ("x-shop-b", "yes"),
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
    }

    #[test]
    fn algorithms_combine_values_of_several_responses() {
        let rules = rules(
            "- { named: x-first }\n\
             - { named: x-last, algorithm: last }\n\
             - { named: set-cookie, algorithm: append }\n",
        )
        .unwrap();
        let out = merged(
            &rules,
            &[
                (
                    "a",
                    &[
                        ("x-first", "a"),
                        ("x-last", "a1"),
                        ("x-last", "a2"),
                        ("set-cookie", "a=1"),
                    ],
                ),
                (
                    "b",
                    &[("x-first", "b"), ("x-last", "b"), ("set-cookie", "b=1")],
                ),
            ],
        );
        let values = |name: &str| -> Vec<&str> {
            out.get_all(name)
                .iter()
                .map(|v| v.to_str().unwrap())
                .collect()
        };
        assert_eq!(values("x-first"), ["a"]);
        assert_eq!(values("x-last"), ["b"]);
        assert_eq!(values("set-cookie"), ["a=1", "b=1"]);
        // One response's several values stay together under `first`.
        let out = merged(&rules, &[("a", &[("x-first", "1"), ("x-first", "2")])]);
        assert_eq!(out.get_all("x-first").iter().count(), 2);
    }

    #[test]
    fn headers_the_router_sets_are_never_replaced() {
        let rules = rules("- { matching: '.*' }").unwrap();
        let out = merged(
            &rules,
            &[(
                "a",
                &[
                    ("content-type", "text/html"),
                    ("access-control-allow-origin", "*"),
                    ("x-a", "1"),
                ],
            )],
        );
        assert_eq!(
            pairs(&out),
            [("content-type", "application/json"), ("x-a", "1")]
                .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
    }

    #[test]
    fn malformed_and_reserved_rules_are_refused() {
        for yaml in [
            "- { named: content-length }",
            "- { named: x-a, rename: transfer-encoding }",
            "- { named: access-control-allow-origin }",
            "- { named: a, matching: b }",
            "- { matching: '^x', rename: y }",
            "- { matching: '(' }",
            "- { named: 'bad name' }",
            "- { named: a, algorithm: sometimes }",
            "- {}",
        ] {
            assert!(rules(yaml).is_err(), "{yaml}");
        }
        let error = rules("- { named: x-a }\n- { named: host, copy: true }").unwrap_err();
        assert!(error.contains("copy"), "{error}");
    }
}
