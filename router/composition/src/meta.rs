//! Directives carried from subgraphs into the supergraph unchanged in meaning:
//! `@inaccessible`, `@tag`, `@authenticated`, `@requiresScopes`, `@policy`, `@cost`,
//! `@listSize`, `@deprecated`, `@specifiedBy` and `@composeDirective`-listed ones.

use crate::links::{FederationNames, string_arg};
use apollo_compiler::Node;
use apollo_compiler::ast::{Argument, Directive, DirectiveList, Value};
use std::collections::HashSet;

/// Carried directives of one schema element in one subgraph, or merged.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub inaccessible: bool,
    pub tags: Vec<String>,
    pub authenticated: bool,
    pub requires_scopes: Vec<Vec<String>>,
    pub policies: Vec<Vec<String>>,
    pub cost: Option<i64>,
    pub list_size: Option<Vec<Node<Argument>>>,
    /// `Some(reason)` when deprecated; `reason` is `None` for a bare `@deprecated`.
    pub deprecated: Option<Option<String>>,
    pub specified_by: Option<String>,
    /// `@composeDirective`-listed directives, printed as applied.
    pub custom: Vec<Node<Directive>>,
}

/// Which optional specs the supergraph uses, so it links exactly those.
#[derive(Debug, Clone, Default)]
pub(crate) struct Features {
    pub inaccessible: bool,
    pub tag: bool,
    pub authenticated: bool,
    pub requires_scopes: bool,
    pub policy: bool,
    pub cost: bool,
    pub list_size: bool,
    pub context: bool,
}

impl Meta {
    /// Reads the carried directives among `directives`.
    pub fn collect(
        directives: &DirectiveList,
        names: &FederationNames,
        composed: &HashSet<String>,
    ) -> Meta {
        let mut meta = Meta::default();
        for directive in directives.iter() {
            let name = directive.name.as_str();
            match (name, names.spec(name)) {
                (_, Some("inaccessible")) => meta.inaccessible = true,
                (_, Some("tag")) => {
                    if let Some(tag) = string_arg(directive, "name") {
                        push_unique(&mut meta.tags, tag);
                    }
                }
                (_, Some("authenticated")) => meta.authenticated = true,
                (_, Some("requiresScopes")) => {
                    meta.requires_scopes = nested_strings(directive, "scopes");
                }
                (_, Some("policy")) => meta.policies = nested_strings(directive, "policies"),
                (_, Some("cost")) => {
                    if let Some(Value::Int(weight)) =
                        directive.specified_argument_by_name("weight").map(|v| &**v)
                    {
                        meta.cost = weight.try_to_i32().ok().map(i64::from);
                    }
                }
                (_, Some("listSize")) => meta.list_size = Some(directive.arguments.clone()),
                ("deprecated", None) => {
                    meta.deprecated = Some(string_arg(directive, "reason"));
                }
                ("specifiedBy", None) => meta.specified_by = string_arg(directive, "url"),
                (_, None) if composed.contains(name) => meta.custom.push(directive.clone()),
                _ => {}
            }
        }
        meta
    }

    /// Merges the carried directives of the same element across subgraphs.
    pub fn merge<'a>(metas: impl IntoIterator<Item = &'a Meta>) -> Meta {
        let mut merged = Meta::default();
        for meta in metas {
            merged.inaccessible |= meta.inaccessible;
            for tag in &meta.tags {
                push_unique(&mut merged.tags, tag.clone());
            }
            merged.authenticated |= meta.authenticated;
            for scopes in &meta.requires_scopes {
                push_unique(&mut merged.requires_scopes, scopes.clone());
            }
            for policies in &meta.policies {
                push_unique(&mut merged.policies, policies.clone());
            }
            merged.cost = match (merged.cost, meta.cost) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
            if merged.list_size.is_none() {
                merged.list_size.clone_from(&meta.list_size);
            }
            if merged.deprecated.is_none() {
                merged.deprecated.clone_from(&meta.deprecated);
            }
            if merged.specified_by.is_none() {
                merged.specified_by.clone_from(&meta.specified_by);
            }
            for directive in &meta.custom {
                if !merged.custom.iter().any(|d| d == directive) {
                    merged.custom.push(directive.clone());
                }
            }
        }
        merged
    }

    /// The supergraph directive applications, recording the specs they need.
    pub fn render(&self, features: &mut Features) -> Vec<String> {
        let mut out = Vec::new();
        if self.authenticated {
            features.authenticated = true;
            out.push("@authenticated".to_string());
        }
        if let Some(weight) = self.cost {
            features.cost = true;
            out.push(format!("@cost(weight: {weight})"));
        }
        if let Some(reason) = &self.deprecated {
            out.push(match reason {
                Some(reason) => format!("@deprecated(reason: {})", quote(reason)),
                None => "@deprecated".to_string(),
            });
        }
        if self.inaccessible {
            features.inaccessible = true;
            out.push("@inaccessible".to_string());
        }
        if let Some(arguments) = &self.list_size {
            features.list_size = true;
            let directive = Directive {
                name: apollo_compiler::name!("listSize"),
                arguments: arguments.clone(),
            };
            out.push(directive.to_string());
        }
        if !self.policies.is_empty() {
            features.policy = true;
            out.push(format!(
                "@policy(policies: {})",
                nested_list(&self.policies)
            ));
        }
        if !self.requires_scopes.is_empty() {
            features.requires_scopes = true;
            out.push(format!(
                "@requiresScopes(scopes: {})",
                nested_list(&self.requires_scopes)
            ));
        }
        if let Some(url) = &self.specified_by {
            out.push(format!("@specifiedBy(url: {})", quote(url)));
        }
        for tag in &self.tags {
            features.tag = true;
            out.push(format!("@tag(name: {})", quote(tag)));
        }
        for directive in &self.custom {
            out.push(directive.to_string());
        }
        out
    }
}

/// A GraphQL string literal for `s`, escaped.
pub(crate) fn quote(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

fn push_unique<T: PartialEq>(list: &mut Vec<T>, item: T) {
    if !list.contains(&item) {
        list.push(item);
    }
}

fn nested_list(lists: &[Vec<String>]) -> String {
    let inner: Vec<String> = lists
        .iter()
        .map(|list| {
            let items: Vec<String> = list.iter().map(|s| quote(s)).collect();
            format!("[{}]", items.join(", "))
        })
        .collect();
    format!("[{}]", inner.join(", "))
}

fn nested_strings(directive: &Directive, argument: &str) -> Vec<Vec<String>> {
    let Some(Value::List(outer)) = directive.specified_argument_by_name(argument).map(|v| &**v)
    else {
        return Vec::new();
    };
    outer
        .iter()
        .map(|inner| match &**inner {
            Value::List(items) => items
                .iter()
                .filter_map(|item| match &**item {
                    Value::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect(),
            Value::String(s) => vec![s.to_string()],
            _ => Vec::new(),
        })
        .collect()
}
