//! Reading `@link` on the schema definition: which specs the supergraph uses, at
//! which versions, and under which local names their directives and types live.
//!
//! Names are resolved the way the link spec says: an imported element keeps its
//! import name (or its `as:` rename), everything else is `prefix__name` where the
//! prefix is the spec name or the link's `as:`.

use apollo_compiler::Schema;
use apollo_compiler::ast::Value;

use super::SupergraphError;

/// One `@link` of the supergraph.
#[derive(Debug, Clone)]
pub struct Link {
    /// Spec name taken from the URL, e.g. `join`.
    pub spec: String,
    /// Version taken from the URL, e.g. `(0, 3)` for `v0.3`.
    pub version: (u32, u32),
    /// Prefix for non-imported names (`as:` or the spec name).
    pub prefix: String,
    /// `(element, local)` for imported elements, directives with their `@`.
    pub imports: Vec<(String, String)>,
}

impl Link {
    /// Local name of one of this spec's directives (without `@`).
    pub fn directive_name(&self, name: &str) -> String {
        let element = format!("@{name}");
        if let Some((_, local)) = self.imports.iter().find(|(e, _)| *e == element) {
            return local.trim_start_matches('@').to_string();
        }
        // The link spec's own directive, and a spec's directive named like the spec,
        // are both reachable under the bare prefix.
        if name == self.spec {
            return self.prefix.clone();
        }
        format!("{}__{name}", self.prefix)
    }

    /// Local name of one of this spec's types.
    pub fn type_name(&self, name: &str) -> String {
        if let Some((_, local)) = self.imports.iter().find(|(e, _)| e == name) {
            return local.clone();
        }
        format!("{}__{name}", self.prefix)
    }

    /// Whether `local` is one of this spec's directive names.
    pub fn owns_directive(&self, local: &str) -> bool {
        local == self.prefix
            || local.starts_with(&format!("{}__", self.prefix))
            || self
                .imports
                .iter()
                .any(|(e, l)| e.starts_with('@') && l.trim_start_matches('@') == local)
    }

    /// Whether `local` is one of this spec's type names.
    pub fn owns_type(&self, local: &str) -> bool {
        local.starts_with(&format!("{}__", self.prefix))
            || self
                .imports
                .iter()
                .any(|(e, l)| !e.starts_with('@') && l == local)
    }
}

/// All links of a schema, the `link` spec itself included.
#[derive(Debug, Clone, Default)]
pub struct Links {
    pub links: Vec<Link>,
}

impl Links {
    pub fn find(&self, spec: &str) -> Option<&Link> {
        self.links.iter().find(|l| l.spec == spec)
    }

    /// Reads every `@link` of the schema definition. The link spec may itself be
    /// renamed (`@link(url: ".../link/v1.0", as: "lnk")`), so the bootstrap link is
    /// found by URL first.
    pub fn read(schema: &Schema) -> Result<Links, SupergraphError> {
        let directives = &schema.schema_definition.directives;
        let mut link_directive_name = None;
        for directive in directives.iter() {
            let Some(url) = directive
                .specified_argument_by_name("url")
                .and_then(|v| v.as_str())
            else {
                continue;
            };
            if let Some((spec, _)) = parse_url(url)
                && spec == "link"
            {
                link_directive_name = Some(directive.name.clone());
                break;
            }
        }
        let Some(link_name) = link_directive_name else {
            if directives.iter().any(|d| d.name == "core") {
                return Err(SupergraphError::Unsupported(
                    "this supergraph uses @core (Federation 1 composition); recompose it with Federation 2"
                        .into(),
                ));
            }
            return Err(SupergraphError::Invalid(
                "the schema definition has no @link to the link spec (https://specs.apollo.dev/link/v1.0): not a Federation 2 supergraph".into(),
            ));
        };
        let mut links = Vec::new();
        for directive in directives.get_all(&link_name) {
            let url = directive
                .specified_argument_by_name("url")
                .and_then(|v| v.as_str())
                .ok_or_else(|| SupergraphError::Invalid("@link without a `url` string".into()))?;
            let (spec, version) = parse_url(url).ok_or_else(|| {
                SupergraphError::Invalid(format!(
                    "@link(url: \"{url}\"): expected `<scheme>://<host>/<name>/v<major>.<minor>`"
                ))
            })?;
            let prefix = directive
                .specified_argument_by_name("as")
                .and_then(|v| v.as_str())
                .map(str::to_string)
                .unwrap_or_else(|| spec.clone());
            let mut imports = Vec::new();
            if let Some(list) = directive
                .specified_argument_by_name("import")
                .and_then(|v| v.as_list())
            {
                for item in list {
                    imports.push(read_import(item)?);
                }
            }
            links.push(Link {
                spec,
                version,
                prefix,
                imports,
            });
        }
        let links = Links { links };
        let link = links.find("link").expect("bootstrap link was found above");
        if link.version != (1, 0) {
            return Err(SupergraphError::Unsupported(format!(
                "link spec v{}.{} (only v1.0 is supported)",
                link.version.0, link.version.1
            )));
        }
        Ok(links)
    }
}

fn read_import(item: &Value) -> Result<(String, String), SupergraphError> {
    if let Some(name) = item.as_str() {
        return Ok((name.to_string(), name.to_string()));
    }
    if let Some(fields) = item.as_object() {
        let get = |key: &str| {
            fields
                .iter()
                .find(|(k, _)| k == key)
                .and_then(|(_, v)| v.as_str())
                .map(str::to_string)
        };
        if let Some(name) = get("name") {
            let local = get("as").unwrap_or_else(|| name.clone());
            if name.starts_with('@') != local.starts_with('@') {
                return Err(SupergraphError::Invalid(format!(
                    "@link import {name} renamed to {local}: a directive must stay a directive"
                )));
            }
            return Ok((name, local));
        }
    }
    Err(SupergraphError::Invalid(format!(
        "@link import {item}: expected a string or {{ name: \"...\", as: \"...\" }}"
    )))
}

/// `https://specs.apollo.dev/join/v0.3` to `("join", (0, 3))`.
fn parse_url(url: &str) -> Option<(String, (u32, u32))> {
    let mut segments = url.trim_end_matches('/').rsplit('/');
    let version = segments.next()?.strip_prefix('v')?;
    let name = segments.next()?;
    let (major, minor) = version.split_once('.')?;
    Some((name.to_string(), (major.parse().ok()?, minor.parse().ok()?)))
}
