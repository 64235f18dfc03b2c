//! Header rules for subgraph requests (`headers.all`, `headers.subgraphs`):
//! propagate client request headers (by name or pattern, optionally renamed or
//! with a default), insert fixed ones, remove some, for every subgraph and per
//! subgraph.
//!
//! Rules run in order on the headers a subgraph request would carry anyway
//! (`headers.forward` and the client's address); the rules for all subgraphs
//! first, then the subgraph's own. Headers that belong to one HTTP hop or that
//! the router sets itself (`host`, `content-length`, `content-type`,
//! `connection`, ...) are never propagated and cannot be inserted: copying them
//! would corrupt the subgraph request.

use std::collections::BTreeMap;

use http::{HeaderMap, HeaderName, HeaderValue};
use regex::Regex;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One header rule: a map with exactly one of `propagate`, `insert` and
/// `remove`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeaderRule {
    /// Copy client request headers onto the subgraph request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagate: Option<PropagateRule>,
    /// Set a fixed header (replacing one of the same name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub insert: Option<InsertRule>,
    /// Drop headers the subgraph request would otherwise carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remove: Option<RemoveRule>,
}

/// Give `named` (optionally with `rename` and `default`) or `matching`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PropagateRule {
    /// A header name (case-insensitive).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named: Option<String>,
    /// A regular expression over lower-case header names.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<String>,
    /// The name the subgraph sees (with `named`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rename: Option<String>,
    /// The value sent when the client sent none (with `named`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InsertRule {
    pub name: String,
    pub value: String,
}

/// Give `named` or `matching`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RemoveRule {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub named: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching: Option<String>,
}

/// Headers a rule may never copy or set.
const RESERVED: &[&str] = &[
    "accept",
    "accept-encoding",
    "connection",
    "content-encoding",
    "content-length",
    "content-type",
    "host",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
];

fn reserved(name: &HeaderName) -> bool {
    RESERVED.contains(&name.as_str())
}

/// A header list as a subgraph request carries it.
pub type Headers = Vec<(HeaderName, HeaderValue)>;

/// A rule checked and compiled.
#[derive(Debug, Clone)]
enum Compiled {
    PropagateNamed {
        name: HeaderName,
        rename: HeaderName,
        default: Option<HeaderValue>,
    },
    PropagateMatching(Regex),
    Insert(HeaderName, HeaderValue),
    RemoveNamed(HeaderName),
    RemoveMatching(Regex),
}

/// `headers.all` and `headers.subgraphs`, compiled once at start.
#[derive(Debug, Clone, Default)]
pub struct HeaderRules {
    all: Vec<Compiled>,
    subgraphs: Vec<(String, Vec<Compiled>)>,
}

impl HeaderRules {
    /// Checks and compiles the rules; the error names the offending rule.
    pub fn new(
        all: &[HeaderRule],
        subgraphs: &BTreeMap<String, Vec<HeaderRule>>,
    ) -> Result<HeaderRules, String> {
        let compile_all = |rules: &[HeaderRule], at: &str| -> Result<Vec<Compiled>, String> {
            rules
                .iter()
                .enumerate()
                .map(|(index, rule)| compile(rule).map_err(|e| format!("{at}[{index}]: {e}")))
                .collect()
        };
        Ok(HeaderRules {
            all: compile_all(all, "headers.all")?,
            subgraphs: subgraphs
                .iter()
                .map(|(name, rules)| {
                    Ok((
                        name.clone(),
                        compile_all(rules, &format!("headers.subgraphs.{name}"))?,
                    ))
                })
                .collect::<Result<_, String>>()?,
        })
    }

    /// Subgraph names the rules are for.
    pub fn subgraph_names(&self) -> impl Iterator<Item = &str> {
        self.subgraphs.iter().map(|(name, _)| name.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.all.is_empty() && self.subgraphs.is_empty()
    }

    /// The headers for every subgraph, and for each subgraph with rules of its
    /// own, its headers.
    pub fn apply(&self, client: &HeaderMap, base: Headers) -> (Headers, Vec<(String, Headers)>) {
        let mut common = base;
        apply_rules(&self.all, client, &mut common);
        let own = self
            .subgraphs
            .iter()
            .map(|(name, rules)| {
                let mut headers = common.clone();
                apply_rules(rules, client, &mut headers);
                (name.clone(), headers)
            })
            .collect();
        (common, own)
    }
}

/// A header name a rule gives; `refused` says why one the router owns
/// (`is_reserved`) cannot be used. Shared with `headers.response`.
pub(crate) fn rule_header_name(
    text: &str,
    is_reserved: impl Fn(&HeaderName) -> bool,
    refused: &str,
) -> Result<HeaderName, String> {
    let name = HeaderName::from_bytes(text.as_bytes())
        .map_err(|_| format!("{text:?} is not a valid header name"))?;
    if is_reserved(&name) {
        return Err(format!("{name} is set by the router itself and {refused}"));
    }
    Ok(name)
}

/// A `matching` pattern of a rule.
pub(crate) fn rule_pattern(text: &str) -> Result<Regex, String> {
    Regex::new(text).map_err(|e| format!("{text:?} is not a regular expression: {e}"))
}

fn compile(rule: &HeaderRule) -> Result<Compiled, String> {
    let name = |text: &str| rule_header_name(text, reserved, "cannot be copied or inserted");
    let pattern = rule_pattern;
    let value = |text: &str| {
        HeaderValue::from_str(text).map_err(|_| format!("{text:?} is not a valid header value"))
    };
    match (&rule.propagate, &rule.insert, &rule.remove) {
        (Some(rule), None, None) => match (&rule.named, &rule.matching) {
            (Some(named), None) => {
                let named = name(named)?;
                Ok(Compiled::PropagateNamed {
                    rename: rule.rename.as_deref().map_or(Ok(named.clone()), name)?,
                    name: named,
                    default: rule.default.as_deref().map(value).transpose()?,
                })
            }
            (None, Some(matching)) if rule.rename.is_none() && rule.default.is_none() => {
                Ok(Compiled::PropagateMatching(pattern(matching)?))
            }
            (None, Some(_)) => Err("`rename` and `default` go with `named`".into()),
            _ => Err("give exactly one of `named` and `matching`".into()),
        },
        (None, Some(rule), None) => Ok(Compiled::Insert(name(&rule.name)?, value(&rule.value)?)),
        (None, None, Some(rule)) => match (&rule.named, &rule.matching) {
            (Some(named), None) => Ok(Compiled::RemoveNamed(
                HeaderName::from_bytes(named.as_bytes())
                    .map_err(|_| format!("{named:?} is not a valid header name"))?,
            )),
            (None, Some(matching)) => Ok(Compiled::RemoveMatching(pattern(matching)?)),
            _ => Err("give exactly one of `named` and `matching`".into()),
        },
        _ => Err("give exactly one of `propagate`, `insert` and `remove`".into()),
    }
}

fn apply_rules(rules: &[Compiled], client: &HeaderMap, headers: &mut Headers) {
    for rule in rules {
        match rule {
            Compiled::PropagateNamed {
                name,
                rename,
                default,
            } => {
                let values: Vec<HeaderValue> = client.get_all(name).iter().cloned().collect();
                let values = if values.is_empty() {
                    default.iter().cloned().collect()
                } else {
                    values
                };
                if !values.is_empty() {
                    headers.retain(|(existing, _)| existing != rename);
                    headers.extend(values.into_iter().map(|v| (rename.clone(), v)));
                }
            }
            Compiled::PropagateMatching(pattern) => {
                for name in client.keys() {
                    if reserved(name) || !pattern.is_match(name.as_str()) {
                        continue;
                    }
                    headers.retain(|(existing, _)| existing != name);
                    headers.extend(
                        client
                            .get_all(name)
                            .iter()
                            .map(|v| (name.clone(), v.clone())),
                    );
                }
            }
            Compiled::Insert(name, value) => {
                headers.retain(|(existing, _)| existing != name);
                headers.push((name.clone(), value.clone()));
            }
            Compiled::RemoveNamed(name) => headers.retain(|(existing, _)| existing != name),
            Compiled::RemoveMatching(pattern) => {
                headers.retain(|(existing, _)| !pattern.is_match(existing.as_str()))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(yaml: &str) -> Result<HeaderRules, String> {
        let all: Vec<HeaderRule> = serde_saphyr::from_str(yaml).map_err(|e| e.to_string())?;
        HeaderRules::new(&all, &BTreeMap::new())
    }

    fn client(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(
                HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_str(value).unwrap(),
            );
        }
        map
    }

    fn names_values(headers: &Headers) -> Vec<(String, String)> {
        headers
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
            .collect()
    }

    #[test]
    fn rules_apply_in_order() {
        let rules = rules(
            "- propagate: { named: x-tenant, rename: x-tenant-id }\n\
             - propagate: { named: x-region, default: eu }\n\
             - propagate: { matching: '^x-feature-' }\n\
             - insert: { name: x-router, value: switchyard }\n\
             - remove: { named: cookie }\n",
        )
        .unwrap();
        let client = client(&[
            ("x-tenant", "t1"),
            ("x-feature-a", "on"),
            ("cookie", "c"),
            ("host", "evil"),
        ]);
        let base = vec![(
            HeaderName::from_static("cookie"),
            HeaderValue::from_static("c"),
        )];
        let (common, own) = rules.apply(&client, base);
        assert!(own.is_empty());
        assert_eq!(
            names_values(&common),
            [
                ("x-tenant-id", "t1"),
                ("x-region", "eu"),
                ("x-feature-a", "on"),
                ("x-router", "switchyard"),
            ]
            .map(|(n, v)| (n.to_owned(), v.to_owned()))
        );
    }

    #[test]
    fn malformed_and_reserved_rules_are_refused() {
        for yaml in [
            "- propagate: { named: host }",
            "- insert: { name: content-length, value: '1' }",
            "- propagate: { named: a, matching: b }",
            "- propagate: { matching: '^x', rename: y }",
            "- propagate: { matching: '(' }",
            "- insert: { name: 'bad name', value: v }",
            "- remove: {}",
        ] {
            assert!(rules(yaml).is_err(), "{yaml}");
        }
        assert!(rules("- copy: { named: a }").is_err());
        assert!(rules("- { insert: { name: a, value: b }, remove: { named: c } }").is_err());
    }
}
