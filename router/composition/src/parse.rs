//! Turns one subgraph SDL into the normalised [`Subgraph`] model.
//!
//! Parsing is lenient on purpose: `_service { sdl }` output often references
//! federation types (`_Any`, `FieldSet`, ...) without defining them, so only the
//! syntax must be valid; the federation built-ins are dropped whether present or not.

use crate::SubgraphDefinition;
use crate::build::Builder;
use crate::error::{Diagnostics, ErrorCode};
use crate::links::{FederationNames, Link, string_arg};
use crate::model::{ComposedDirective, Kind, Subgraph, TypeDef};
use apollo_compiler::Node;
use apollo_compiler::ast::{Definition, Directive, Document, OperationType};
use indexmap::IndexMap;
use std::collections::{HashMap, HashSet};

/// Types every federation subgraph may carry that never reach the supergraph.
const BUILT_IN_TYPES: &[&str] = &[
    "_Any",
    "_Entity",
    "_Service",
    "FieldSet",
    "_FieldSet",
    "String",
    "Int",
    "Float",
    "Boolean",
    "ID",
];

/// Parses and normalises one subgraph; `None` (with errors recorded) when its SDL is not GraphQL.
pub(crate) fn parse_subgraph(
    definition: &SubgraphDefinition,
    graph: String,
    diags: &mut Diagnostics,
) -> Option<Subgraph> {
    let sg = definition.name.as_str();
    let document = match Document::parse(definition.sdl.as_str(), format!("{sg}.graphql")) {
        Ok(document) => document,
        Err(with_errors) => {
            for error in with_errors.errors.iter() {
                let json = error.unstable_to_json_compat();
                diags.error(
                    ErrorCode::INVALID_GRAPHQL,
                    format!("[{sg}] {}", json.message),
                );
            }
            return None;
        }
    };

    let mut links = Vec::new();
    let mut roots: HashMap<String, &'static str> = HashMap::new();
    let mut schema_directives: Vec<&Node<Directive>> = Vec::new();
    for definition in &document.definitions {
        let (directives, root_operations) = match definition {
            Definition::SchemaDefinition(def) => (&def.directives, &def.root_operations),
            Definition::SchemaExtension(ext) => (&ext.directives, &ext.root_operations),
            _ => continue,
        };
        for root in root_operations {
            let (operation, name) = &**root;
            let default = match operation {
                OperationType::Query => "Query",
                OperationType::Mutation => "Mutation",
                OperationType::Subscription => "Subscription",
            };
            roots.insert(name.to_string(), default);
        }
        for directive in directives.iter() {
            if directive.name == "link" {
                match Link::from_directive(directive) {
                    Some(link) => links.push(link),
                    None => diags.error(
                        ErrorCode::INVALID_LINK_IDENTIFIER,
                        format!("[{sg}] @link must have a valid `url` argument"),
                    ),
                }
            } else {
                schema_directives.push(directive);
            }
        }
    }
    for link in &links {
        for item in &link.invalid_imports {
            diags.error(
                ErrorCode::INVALID_LINK_DIRECTIVE_USAGE,
                format!(
                    "[{sg}] Invalid sub-value {item} for @link(import:) argument: values should be \
                     either strings or input object values of the form \
                     {{ name: \"<importedElement>\", as: \"<alias>\" }}."
                ),
            );
        }
    }
    let federation_link = links.iter().find(|link| link.is_federation());
    let fed2 = federation_link.is_some();
    for unknown in federation_link
        .map(Link::unknown_federation_imports)
        .unwrap_or_default()
    {
        diags.error(
            ErrorCode::INVALID_LINK_DIRECTIVE_USAGE,
            format!("[{sg}] Cannot import unknown element \"@{unknown}\"."),
        );
    }
    let names = federation_link.map_or_else(FederationNames::fed1, FederationNames::from_link);
    let federation_namespace = federation_link.map(|link| format!("{}__", link.namespace));

    if fed2 {
        crate::directives::check_known_directives(sg, &document, &names, &links, diags);
    }
    let composed = composed_directives(sg, &document, &schema_directives, &links, &names, diags);
    let composed_names: HashSet<String> = composed.iter().map(|d| d.name.clone()).collect();

    let is_built_in = |name: &str| {
        BUILT_IN_TYPES.contains(&name)
            || name.starts_with("link__")
            || federation_namespace
                .as_deref()
                .is_some_and(|prefix| name.starts_with(prefix))
            || name.starts_with("federation__")
    };
    let rename = |name: &str| -> String {
        roots
            .get(name)
            .map_or_else(|| name.to_string(), |default| default.to_string())
    };

    let mut builder = Builder {
        sg,
        names: &names,
        composed: &composed_names,
        rename: &rename,
        types: IndexMap::new(),
        diags,
    };
    for definition in &document.definitions {
        let name = match definition.name() {
            Some(name) => name.as_str(),
            None => continue,
        };
        if is_built_in(name) || matches!(definition, Definition::DirectiveDefinition(_)) {
            continue;
        }
        builder.add(definition);
    }
    let mut types = builder.types;
    if let Some(query) = types.get_mut("Query") {
        query.fields.shift_remove("_entities");
        query.fields.shift_remove("_service");
    } else {
        // Every subgraph answers `_service` on `Query`, so every subgraph has a `Query` type.
        let mut query = TypeDef::new("Query", Kind::Object);
        query.defined = true;
        types.insert("Query".to_string(), query);
    }

    Some(Subgraph {
        name: definition.name.clone(),
        url: definition.url.clone(),
        graph,
        fed2,
        types,
        composed,
        key_coordinates: HashSet::new(),
        requires_coordinates: HashSet::new(),
        provides_coordinates: HashSet::new(),
    })
}

/// Reads `@composeDirective(name: "@x")` applications and finds each directive's spec link.
fn composed_directives(
    sg: &str,
    document: &Document,
    schema_directives: &[&Node<Directive>],
    links: &[Link],
    names: &FederationNames,
    diags: &mut Diagnostics,
) -> Vec<ComposedDirective> {
    let mut composed = Vec::new();
    for directive in schema_directives {
        if names.spec(&directive.name) != Some("composeDirective") {
            continue;
        }
        let Some(name) = string_arg(directive, "name") else {
            continue;
        };
        let Some(local) = name.strip_prefix('@') else {
            diags.error(
                ErrorCode::DIRECTIVE_COMPOSITION_ERROR,
                format!("[{sg}] @composeDirective name \"{name}\" must start with \"@\""),
            );
            continue;
        };
        let link = links.iter().find(|link| {
            !link.is_federation()
                && (link.imports.iter().any(|(_, l)| l == local)
                    || local.starts_with(&format!("{}__", link.namespace))
                    || link.namespace == local)
        });
        let Some(link) = link else {
            diags.error(
                ErrorCode::DIRECTIVE_COMPOSITION_ERROR,
                format!(
                    "[{sg}] Directive \"@{local}\" in @composeDirective must come from a spec imported with @link"
                ),
            );
            continue;
        };
        let definition = document.definitions.iter().find_map(|d| match d {
            Definition::DirectiveDefinition(def) if def.name == local => Some(def.clone()),
            _ => None,
        });
        composed.push(ComposedDirective {
            name: local.to_string(),
            definition,
            link: link.clone(),
        });
    }
    composed
}
