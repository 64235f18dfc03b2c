//! Federation 2 subgraphs must define or `@link`-import every directive they apply:
//! a forgotten import (`@shareable` used but not imported) would otherwise be
//! silently ignored and surface later as a confusing sharing error.

use crate::error::{Diagnostics, ErrorCode};
use crate::links::{FederationNames, Link};
use apollo_compiler::ast::{Definition, DirectiveList, Document};
use std::collections::BTreeSet;

/// Directives every GraphQL schema has.
const BUILT_IN: &[&str] = &[
    "deprecated",
    "specifiedBy",
    "skip",
    "include",
    "oneOf",
    "link",
];

/// Reports each directive applied in `document` that is neither built in, defined
/// in the document, a federation directive, nor imported from a linked spec.
pub(crate) fn check_known_directives(
    sg: &str,
    document: &Document,
    names: &FederationNames,
    links: &[Link],
    diags: &mut Diagnostics,
) {
    let defined: BTreeSet<&str> = document
        .definitions
        .iter()
        .filter_map(|d| match d {
            Definition::DirectiveDefinition(def) => Some(def.name.as_str()),
            _ => None,
        })
        .collect();
    let known = |name: &str| {
        BUILT_IN.contains(&name)
            || defined.contains(name)
            || names.spec(name).is_some()
            || links.iter().filter(|l| !l.is_federation()).any(|l| {
                l.imports.iter().any(|(_, local)| local == name)
                    || name.starts_with(&format!("{}__", l.namespace))
                    || name == l.namespace
            })
    };
    let mut unknown = BTreeSet::new();
    let mut missing = BTreeSet::new();
    let mut visit = |list: &DirectiveList| {
        for directive in list.iter() {
            if !known(&directive.name) {
                unknown.insert(directive.name.to_string());
            }
            let spec = names.spec(&directive.name).unwrap_or_default();
            for (argument, argument_type) in required_arguments(spec) {
                if directive.specified_argument_by_name(argument).is_none() {
                    missing.insert((directive.name.to_string(), *argument, *argument_type));
                }
            }
        }
    };
    for definition in &document.definitions {
        visit(definition.directives());
        let (fields, input_values, values) = match definition {
            Definition::ObjectTypeDefinition(d) => (Some(&d.fields), None, None),
            Definition::ObjectTypeExtension(d) => (Some(&d.fields), None, None),
            Definition::InterfaceTypeDefinition(d) => (Some(&d.fields), None, None),
            Definition::InterfaceTypeExtension(d) => (Some(&d.fields), None, None),
            Definition::InputObjectTypeDefinition(d) => (None, Some(&d.fields), None),
            Definition::InputObjectTypeExtension(d) => (None, Some(&d.fields), None),
            Definition::EnumTypeDefinition(d) => (None, None, Some(&d.values)),
            Definition::EnumTypeExtension(d) => (None, None, Some(&d.values)),
            _ => (None, None, None),
        };
        for field in fields.into_iter().flatten() {
            visit(&field.directives);
            for arg in &field.arguments {
                visit(&arg.directives);
            }
        }
        for value in input_values.into_iter().flatten() {
            visit(&value.directives);
        }
        for value in values.into_iter().flatten() {
            visit(&value.directives);
        }
    }
    for name in unknown {
        diags.error(
            ErrorCode::INVALID_GRAPHQL,
            format!("[{sg}] Unknown directive \"@{name}\": it is not defined, not a federation directive, and not imported with @link."),
        );
    }
    for (name, argument, argument_type) in missing {
        diags.error(
            ErrorCode::INVALID_GRAPHQL,
            format!("[{sg}] Directive \"@{name}\" argument \"{argument}\" of type \"{argument_type}\" is required, but it was not provided."),
        );
    }
}

/// The arguments a federation directive cannot do without, by its spec name,
/// with their types: an application without one would otherwise be read as if
/// it said nothing (a `@key` with no fields, an `@override` from nowhere).
fn required_arguments(spec: &str) -> &'static [(&'static str, &'static str)] {
    match spec {
        "key" | "requires" | "provides" => &[("fields", "FieldSet!")],
        "override" => &[("from", "String!")],
        "tag" | "composeDirective" | "context" => &[("name", "String!")],
        "requiresScopes" => &[("scopes", "[[Scope!]!]!")],
        "policy" => &[("policies", "[[Policy!]!]!")],
        "cost" => &[("weight", "Int!")],
        _ => &[],
    }
}
