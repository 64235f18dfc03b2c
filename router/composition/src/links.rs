//! Reads a subgraph's `@link`s to learn under which local names it uses the
//! federation directives (`@key`, `@federation__key`, `@myKey` imported `as:`),
//! and which other specs it links (needed to carry `@composeDirective` directives).

use apollo_compiler::ast::{Directive, Value};
use std::collections::HashMap;

/// Directives of the federation spec, by their spec name.
pub(crate) const FEDERATION_DIRECTIVES: &[&str] = &[
    "key",
    "requires",
    "provides",
    "external",
    "tag",
    "extends",
    "shareable",
    "inaccessible",
    "override",
    "composeDirective",
    "interfaceObject",
    "authenticated",
    "requiresScopes",
    "policy",
    "context",
    "fromContext",
    "cost",
    "listSize",
];

/// The federation version (minor of v2.x) that introduced each directive.
const INTRODUCED_IN: &[(&str, u32)] = &[
    ("composeDirective", 1),
    ("interfaceObject", 3),
    ("authenticated", 5),
    ("requiresScopes", 5),
    ("policy", 6),
    ("context", 8),
    ("fromContext", 8),
    ("cost", 9),
    ("listSize", 9),
];

/// One `@link` of a subgraph.
#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub url: String,
    /// Prefix of non-imported names (`as:` or the spec name).
    pub namespace: String,
    /// Imported directives: (name in the spec, local name), both without `@`.
    pub imports: Vec<(String, String)>,
    /// `import:` entries that are neither a string nor `{name: String, as:
    /// String}`, as written: reported, never silently skipped.
    pub invalid_imports: Vec<String>,
}

impl Link {
    /// Reads a `@link(url:, as:, import:)` application; `None` when it has no usable url.
    pub fn from_directive(directive: &Directive) -> Option<Link> {
        let url = string_arg(directive, "url")?;
        let trimmed = url.trim_end_matches('/');
        let mut segments = trimmed.rsplit('/');
        let last = segments.next()?;
        let spec_name = if last.starts_with('v') && last[1..].contains('.') {
            segments.next()?.to_string()
        } else {
            last.to_string()
        };
        let namespace = string_arg(directive, "as").unwrap_or_else(|| spec_name.clone());
        let mut imports = Vec::new();
        let mut invalid_imports = Vec::new();
        if let Some(Value::List(items)) =
            directive.specified_argument_by_name("import").map(|v| &**v)
        {
            for item in items {
                match &**item {
                    Value::String(name) => {
                        if let Some(name) = name.strip_prefix('@') {
                            imports.push((name.to_string(), name.to_string()));
                        }
                    }
                    Value::Object(fields) => {
                        let get = |key: &str| {
                            fields
                                .iter()
                                .find(|(k, _)| k == key)
                                .and_then(|(_, v)| match &**v {
                                    Value::String(s) => Some(s.to_string()),
                                    _ => None,
                                })
                        };
                        let well_formed = get("name").is_some()
                            && fields.iter().all(|(key, value)| {
                                matches!(key.as_str(), "name" | "as")
                                    && matches!(&**value, Value::String(_))
                            });
                        if !well_formed {
                            invalid_imports.push(item.to_string());
                        } else if let Some(name) =
                            get("name").and_then(|n| n.strip_prefix('@').map(str::to_string))
                        {
                            let local = get("as")
                                .map(|a| a.trim_start_matches('@').to_string())
                                .unwrap_or_else(|| name.clone());
                            imports.push((name, local));
                        }
                    }
                    _ => invalid_imports.push(item.to_string()),
                }
            }
        }
        Some(Link {
            url: url.to_string(),
            namespace,
            imports,
            invalid_imports,
        })
    }

    /// The minor version of a `federation/v2.x` url.
    pub fn federation_minor(&self) -> Option<u32> {
        let version = self.url.trim_end_matches('/').rsplit('/').next()?;
        version.strip_prefix("v2.")?.parse().ok()
    }

    /// Imports this federation link names that its version does not define.
    pub fn unknown_federation_imports(&self) -> Vec<String> {
        let minor = self.federation_minor().unwrap_or(u32::MAX);
        self.imports
            .iter()
            .filter(|(name, _)| {
                let known = FEDERATION_DIRECTIVES.contains(&name.as_str());
                let introduced = INTRODUCED_IN
                    .iter()
                    .find(|(d, _)| d == name)
                    .map_or(0, |(_, v)| *v);
                !known || introduced > minor
            })
            .map(|(name, _)| name.clone())
            .collect()
    }

    /// Whether this link is the federation spec.
    pub fn is_federation(&self) -> bool {
        self.url.contains("specs.apollo.dev/federation/")
    }
}

/// Maps a subgraph's local directive names to federation spec directive names.
#[derive(Debug, Clone, Default)]
pub(crate) struct FederationNames {
    local_to_spec: HashMap<String, &'static str>,
}

impl FederationNames {
    /// Federation 1 subgraphs use the directives under their plain names.
    pub fn fed1() -> Self {
        let local_to_spec = FEDERATION_DIRECTIVES
            .iter()
            .map(|name| (name.to_string(), *name))
            .collect();
        Self { local_to_spec }
    }

    /// Federation 2 subgraphs use imported names, or `namespace__name` otherwise.
    pub fn from_link(link: &Link) -> Self {
        let mut local_to_spec = HashMap::new();
        for name in FEDERATION_DIRECTIVES {
            local_to_spec.insert(format!("{}__{}", link.namespace, name), *name);
        }
        for (name, local) in &link.imports {
            if let Some(spec) = FEDERATION_DIRECTIVES.iter().find(|d| *d == name) {
                local_to_spec.insert(local.clone(), *spec);
            }
        }
        Self { local_to_spec }
    }

    /// The spec name of a local directive name, if it is a federation directive.
    pub fn spec(&self, local: &str) -> Option<&'static str> {
        self.local_to_spec.get(local).copied()
    }
}

/// A string argument of a directive application.
pub(crate) fn string_arg(directive: &Directive, name: &str) -> Option<String> {
    match directive.specified_argument_by_name(name).map(|v| &**v) {
        Some(Value::String(s)) => Some(s.to_string()),
        _ => None,
    }
}

/// A boolean argument of a directive application.
pub(crate) fn bool_arg(directive: &Directive, name: &str) -> Option<bool> {
    match directive.specified_argument_by_name(name).map(|v| &**v) {
        Some(Value::Boolean(b)) => Some(*b),
        _ => None,
    }
}
