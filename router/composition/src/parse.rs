//! Turns one subgraph SDL into the normalised [`Subgraph`] model.
//!
//! Parsing is lenient on purpose: `_service { sdl }` output often references
//! federation types (`_Any`, `FieldSet`, ...) without defining them, so only the
//! syntax must be valid; the federation built-ins are dropped whether present or not.

use crate::SubgraphDefinition;
use crate::error::{Diagnostics, ErrorCode};
use crate::links::{FederationNames, Link, bool_arg, string_arg};
use crate::meta::Meta;
use crate::model::{ComposedDirective, EnumValue, Field, InputValue, Key, Kind, Subgraph, TypeDef};
use apollo_compiler::ast::{
    Definition, Directive, DirectiveList, Document, FieldDefinition, InputValueDefinition,
    OperationType, Type,
};
use apollo_compiler::{Name, Node};
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

/// Accumulates type definitions and extensions into [`TypeDef`]s.
struct Builder<'a> {
    sg: &'a str,
    names: &'a FederationNames,
    composed: &'a HashSet<String>,
    rename: &'a dyn Fn(&str) -> String,
    types: IndexMap<String, TypeDef>,
    diags: &'a mut Diagnostics,
}

impl Builder<'_> {
    fn add(&mut self, definition: &Definition) {
        match definition {
            Definition::ObjectTypeDefinition(def) => self.composite(
                &def.name,
                Kind::Object,
                false,
                def.description.as_deref(),
                &def.directives,
                &def.implements_interfaces,
                &def.fields,
            ),
            Definition::ObjectTypeExtension(def) => self.composite(
                &def.name,
                Kind::Object,
                true,
                None,
                &def.directives,
                &def.implements_interfaces,
                &def.fields,
            ),
            Definition::InterfaceTypeDefinition(def) => self.composite(
                &def.name,
                Kind::Interface,
                false,
                def.description.as_deref(),
                &def.directives,
                &def.implements_interfaces,
                &def.fields,
            ),
            Definition::InterfaceTypeExtension(def) => self.composite(
                &def.name,
                Kind::Interface,
                true,
                None,
                &def.directives,
                &def.implements_interfaces,
                &def.fields,
            ),
            Definition::UnionTypeDefinition(def) => {
                let ty = self.start(
                    &def.name,
                    Kind::Union,
                    false,
                    def.description.as_deref(),
                    &def.directives,
                );
                if let Some(ty) = ty {
                    ty.members.extend(def.members.iter().map(|m| m.to_string()));
                }
            }
            Definition::UnionTypeExtension(def) => {
                if let Some(ty) = self.start(&def.name, Kind::Union, true, None, &def.directives) {
                    ty.members.extend(def.members.iter().map(|m| m.to_string()));
                }
            }
            Definition::EnumTypeDefinition(def) => self.enum_values(
                &def.name,
                false,
                def.description.as_deref(),
                &def.directives,
                &def.values,
            ),
            Definition::EnumTypeExtension(def) => {
                self.enum_values(&def.name, true, None, &def.directives, &def.values)
            }
            Definition::InputObjectTypeDefinition(def) => self.input_object(
                &def.name,
                false,
                def.description.as_deref(),
                &def.directives,
                &def.fields,
            ),
            Definition::InputObjectTypeExtension(def) => {
                self.input_object(&def.name, true, None, &def.directives, &def.fields)
            }
            Definition::ScalarTypeDefinition(def) => {
                self.start(
                    &def.name,
                    Kind::Scalar,
                    false,
                    def.description.as_deref(),
                    &def.directives,
                );
            }
            Definition::ScalarTypeExtension(def) => {
                self.start(&def.name, Kind::Scalar, true, None, &def.directives);
            }
            _ => {}
        }
    }

    /// Finds or creates the type, checks its kind and applies type-level directives.
    fn start(
        &mut self,
        name: &Name,
        kind: Kind,
        extension: bool,
        description: Option<&str>,
        directives: &DirectiveList,
    ) -> Option<&mut TypeDef> {
        let type_name = (self.rename)(name);
        let ty = self
            .types
            .entry(type_name.clone())
            .or_insert_with(|| TypeDef::new(&type_name, kind));
        if ty.kind != kind {
            let message = format!(
                "[{}] Type \"{type_name}\" is defined both as {} and {}",
                self.sg,
                ty.kind.describe(),
                kind.describe()
            );
            self.diags.error(ErrorCode::INVALID_GRAPHQL, message);
            return None;
        }
        if !extension {
            ty.defined = true;
        }
        if ty.description.is_none() {
            ty.description = description.map(str::to_string);
        }
        let mut meta = Meta::collect(directives, self.names, self.composed);
        for directive in directives.iter() {
            match self.names.spec(&directive.name) {
                Some("key") => {
                    if let Some(fields) = string_arg(directive, "fields") {
                        ty.keys.push(Key {
                            fields,
                            resolvable: bool_arg(directive, "resolvable").unwrap_or(true),
                        });
                    }
                }
                Some("extends") => ty.extends = true,
                Some("shareable") => ty.shareable = true,
                Some("interfaceObject") => ty.interface_object = true,
                _ => {}
            }
        }
        meta = Meta::merge([&ty.meta, &meta]);
        ty.meta = meta;
        Some(ty)
    }

    #[allow(clippy::too_many_arguments)]
    fn composite(
        &mut self,
        name: &Name,
        kind: Kind,
        extension: bool,
        description: Option<&str>,
        directives: &DirectiveList,
        implements: &[Name],
        fields: &[Node<FieldDefinition>],
    ) {
        let sg = self.sg;
        let names = self.names;
        let composed = self.composed;
        let rename = self.rename;
        let all_external = directives
            .iter()
            .any(|d| names.spec(&d.name) == Some("external"));
        let mut duplicates = Vec::new();
        let Some(ty) = self.start(name, kind, extension, description, directives) else {
            return;
        };
        for interface in implements {
            if !ty.implements.iter().any(|i| i == interface.as_str()) {
                ty.implements.push(interface.to_string());
            }
        }
        for field in fields {
            let converted = convert_field(field, names, composed, rename, all_external);
            if ty.fields.contains_key(field.name.as_str()) {
                duplicates.push(format!("{}.{}", ty.name, field.name));
            } else {
                ty.fields.insert(field.name.to_string(), converted);
            }
        }
        for duplicate in duplicates {
            self.diags.error(
                ErrorCode::INVALID_GRAPHQL,
                format!("[{sg}] Field \"{duplicate}\" is defined more than once"),
            );
        }
    }

    fn enum_values(
        &mut self,
        name: &Name,
        extension: bool,
        description: Option<&str>,
        directives: &DirectiveList,
        values: &[Node<apollo_compiler::ast::EnumValueDefinition>],
    ) {
        let names = self.names;
        let composed = self.composed;
        if let Some(ty) = self.start(name, Kind::Enum, extension, description, directives) {
            for value in values {
                ty.values.insert(
                    value.value.to_string(),
                    EnumValue {
                        description: value.description.as_deref().map(str::to_string),
                        meta: Meta::collect(&value.directives, names, composed),
                    },
                );
            }
        }
    }

    fn input_object(
        &mut self,
        name: &Name,
        extension: bool,
        description: Option<&str>,
        directives: &DirectiveList,
        fields: &[Node<InputValueDefinition>],
    ) {
        let names = self.names;
        let composed = self.composed;
        let rename = self.rename;
        if let Some(ty) = self.start(name, Kind::InputObject, extension, description, directives) {
            for field in fields {
                ty.input_fields.insert(
                    field.name.to_string(),
                    convert_input_value(field, names, composed, rename),
                );
            }
        }
    }
}

fn convert_field(
    field: &FieldDefinition,
    names: &FederationNames,
    composed: &HashSet<String>,
    rename: &dyn Fn(&str) -> String,
    all_external: bool,
) -> Field {
    let mut converted = Field {
        name: field.name.to_string(),
        description: field.description.as_deref().map(str::to_string),
        ty: rename_type(&field.ty, rename),
        args: field
            .arguments
            .iter()
            .map(|arg| {
                (
                    arg.name.to_string(),
                    convert_input_value(arg, names, composed, rename),
                )
            })
            .collect(),
        external: all_external,
        shareable: false,
        requires: None,
        provides: None,
        override_from: None,
        override_label: None,
        meta: Meta::collect(&field.directives, names, composed),
    };
    for directive in field.directives.iter() {
        match names.spec(&directive.name) {
            Some("external") => converted.external = true,
            Some("shareable") => converted.shareable = true,
            Some("requires") => converted.requires = string_arg(directive, "fields"),
            Some("provides") => converted.provides = string_arg(directive, "fields"),
            Some("override") => {
                converted.override_from = string_arg(directive, "from");
                converted.override_label = string_arg(directive, "label");
            }
            _ => {}
        }
    }
    converted
}

fn convert_input_value(
    value: &InputValueDefinition,
    names: &FederationNames,
    composed: &HashSet<String>,
    rename: &dyn Fn(&str) -> String,
) -> InputValue {
    InputValue {
        name: value.name.to_string(),
        description: value.description.as_deref().map(str::to_string),
        ty: rename_type(&value.ty, rename),
        default: value.default_value.clone(),
        meta: Meta::collect(&value.directives, names, composed),
    }
}

/// Applies root type renames (`schema { query: RootQuery }`) to a type reference.
fn rename_type(ty: &Type, rename: &dyn Fn(&str) -> String) -> Type {
    let named = |name: &Name| Name::new(&rename(name)).unwrap_or_else(|_| name.clone());
    match ty {
        Type::Named(name) => Type::Named(named(name)),
        Type::NonNullNamed(name) => Type::NonNullNamed(named(name)),
        Type::List(inner) => Type::List(Box::new(rename_type(inner, rename))),
        Type::NonNullList(inner) => Type::NonNullList(Box::new(rename_type(inner, rename))),
    }
}
