//! The normalised model of one subgraph: its types with federation directives
//! already interpreted (whatever local names the subgraph imported them under),
//! built-in federation definitions removed and root types under their default names.

use crate::links::Link;
use crate::meta::Meta;
use apollo_compiler::Node;
use apollo_compiler::ast::{DirectiveDefinition, Type, Value};
use indexmap::IndexMap;
use std::collections::HashSet;

/// The kind of a named type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Object,
    Interface,
    Union,
    Enum,
    InputObject,
    Scalar,
}

impl Kind {
    pub fn describe(self) -> &'static str {
        match self {
            Kind::Object => "ObjectType",
            Kind::Interface => "InterfaceType",
            Kind::Union => "UnionType",
            Kind::Enum => "EnumType",
            Kind::InputObject => "InputObjectType",
            Kind::Scalar => "ScalarType",
        }
    }
}

/// A (type, field) coordinate.
pub(crate) type Coordinate = (String, String);

/// One subgraph, parsed and normalised.
#[derive(Debug, Clone)]
pub(crate) struct Subgraph {
    pub name: String,
    pub url: String,
    /// The value naming this subgraph in `enum join__Graph`.
    pub graph: String,
    /// Federation 2 (has a federation `@link`) or Federation 1.
    pub fed2: bool,
    pub types: IndexMap<String, TypeDef>,
    /// Directives listed in `@composeDirective`, to carry into the supergraph.
    pub composed: Vec<ComposedDirective>,
    /// Fields selected by a `@key` of this subgraph (at any depth).
    pub key_coordinates: HashSet<Coordinate>,
    /// Fields selected by a `@requires` of this subgraph (at any depth).
    pub requires_coordinates: HashSet<Coordinate>,
    /// Fields selected by a `@provides` of this subgraph (at any depth).
    pub provides_coordinates: HashSet<Coordinate>,
}

/// A custom directive a subgraph asked to keep in the supergraph with `@composeDirective`.
#[derive(Debug, Clone)]
pub(crate) struct ComposedDirective {
    /// Name without `@`, as used in the subgraph.
    pub name: String,
    pub definition: Option<Node<DirectiveDefinition>>,
    pub link: Link,
}

/// A named type of a subgraph, with its definition and extensions merged.
#[derive(Debug, Clone)]
pub(crate) struct TypeDef {
    pub name: String,
    pub kind: Kind,
    pub description: Option<String>,
    /// Whether a non-extension definition was seen (`type X` rather than `extend type X`).
    pub defined: bool,
    /// `@extends` applied.
    pub extends: bool,
    pub keys: Vec<Key>,
    pub shareable: bool,
    pub interface_object: bool,
    /// Names given by `@context(name:)`, as the subgraph wrote them.
    pub contexts: Vec<String>,
    pub implements: Vec<String>,
    pub fields: IndexMap<String, Field>,
    pub members: Vec<String>,
    pub values: IndexMap<String, EnumValue>,
    pub input_fields: IndexMap<String, InputValue>,
    pub meta: Meta,
}

impl TypeDef {
    pub fn new(name: &str, kind: Kind) -> Self {
        Self {
            name: name.to_string(),
            kind,
            description: None,
            defined: false,
            extends: false,
            keys: Vec::new(),
            shareable: false,
            interface_object: false,
            contexts: Vec::new(),
            implements: Vec::new(),
            fields: IndexMap::new(),
            members: Vec::new(),
            values: IndexMap::new(),
            input_fields: IndexMap::new(),
            meta: Meta::default(),
        }
    }

    /// The kind this type has in the supergraph (an `@interfaceObject` is an interface there).
    pub fn merged_kind(&self) -> Kind {
        if self.interface_object {
            Kind::Interface
        } else {
            self.kind
        }
    }
}

/// One `@key` application.
#[derive(Debug, Clone)]
pub(crate) struct Key {
    pub fields: String,
    pub resolvable: bool,
}

/// A field of an object or interface type.
#[derive(Debug, Clone)]
pub(crate) struct Field {
    pub name: String,
    pub description: Option<String>,
    pub ty: Type,
    pub args: IndexMap<String, InputValue>,
    pub external: bool,
    pub shareable: bool,
    pub requires: Option<String>,
    pub provides: Option<String>,
    pub override_from: Option<String>,
    pub override_label: Option<String>,
    pub meta: Meta,
}

/// An argument or an input object field.
#[derive(Debug, Clone)]
pub(crate) struct InputValue {
    pub name: String,
    pub description: Option<String>,
    pub ty: Type,
    pub default: Option<Node<Value>>,
    /// `@fromContext(field: "$context { selection }")`: filled from a context, not by clients.
    pub from_context: Option<String>,
    pub meta: Meta,
}

impl InputValue {
    /// Non-null without a default: a caller must always give it.
    pub fn is_required(&self) -> bool {
        self.ty.is_non_null() && self.default.is_none()
    }
}

/// A value of an enum type.
#[derive(Debug, Clone)]
pub(crate) struct EnumValue {
    pub description: Option<String>,
    pub meta: Meta,
}
