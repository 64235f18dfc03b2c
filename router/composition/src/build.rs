//! Accumulates a subgraph's type definitions and extensions into the model,
//! interpreting federation directives under the subgraph's local names.

use crate::error::{Diagnostics, ErrorCode};
use crate::links::{FederationNames, bool_arg, string_arg};
use crate::meta::Meta;
use crate::model::{EnumValue, Field, InputValue, Key, Kind, TypeDef};
use apollo_compiler::ast::{
    Definition, DirectiveList, FieldDefinition, InputValueDefinition, Type,
};
use apollo_compiler::{Name, Node};
use indexmap::IndexMap;
use std::collections::HashSet;

/// Accumulates type definitions and extensions into [`TypeDef`]s.
pub(crate) struct Builder<'a> {
    pub sg: &'a str,
    pub names: &'a FederationNames,
    pub composed: &'a HashSet<String>,
    pub rename: &'a dyn Fn(&str) -> String,
    pub types: IndexMap<String, TypeDef>,
    pub diags: &'a mut Diagnostics,
}

impl Builder<'_> {
    pub fn add(&mut self, definition: &Definition) {
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
                Some("context") => ty.contexts.extend(string_arg(directive, "name")),
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
        from_context: value
            .directives
            .iter()
            .find(|d| names.spec(&d.name) == Some("fromContext"))
            .and_then(|d| string_arg(d, "field")),
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
