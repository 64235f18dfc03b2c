//! The supergraph: its schema, the API schema derived from it, and the join model
//! that says which subgraph can resolve what.

mod api_schema;
mod join;
pub(crate) mod link;

use std::collections::HashMap;

use crate::authorization::AuthorizationRules;
use apollo_compiler::executable::SelectionSet;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use apollo_compiler::{Name, Schema};

pub use join::{ContextArgument, FieldJoin, Key, TypeInGraph};
pub use link::{Link, Links};

/// Index of a subgraph in `join__Graph` order.
pub type GraphId = usize;

#[derive(Debug, thiserror::Error)]
pub enum SupergraphError {
    #[error("invalid supergraph schema: {0}")]
    Schema(String),
    #[error("invalid supergraph: {0}")]
    Invalid(String),
    #[error("unsupported supergraph: {0}")]
    Unsupported(String),
    #[error("the API schema derived from the supergraph is invalid: {0}")]
    ApiSchema(String),
}

/// A subgraph as declared by `@join__graph`.
#[derive(Debug, Clone)]
pub struct Subgraph {
    /// The `join__Graph` enum value naming it in join directives.
    pub enum_value: Name,
    pub name: String,
    pub url: String,
}

/// A parsed supergraph. Built once per schema reload and shared by every plan.
#[derive(Debug)]
pub struct Supergraph {
    schema: Valid<Schema>,
    api: Valid<Schema>,
    api_sdl: String,
    pub(crate) graphs: Vec<Subgraph>,
    /// Per type: the graphs that define it (`None` when the type has no
    /// `@join__type` at all, meaning every graph has it).
    pub(crate) types: HashMap<Name, Vec<TypeInGraph>>,
    /// Per type, per field: its `@join__field`s; absent when it has none.
    pub(crate) fields: HashMap<Name, HashMap<Name, Vec<FieldJoin>>>,
    /// Per object or interface type: `(graph, interface)` from `@join__implements`.
    pub(crate) implements: HashMap<Name, Vec<(GraphId, Name)>>,
    /// Per union: `(graph, member)` from `@join__unionMember`.
    pub(crate) union_members: HashMap<Name, Vec<(GraphId, Name)>>,
    /// Per type: the contexts it sets (`@context`), qualified by subgraph.
    pub(crate) contexts: HashMap<Name, Vec<String>>,
    /// Per interface: its object implementations in the supergraph, in schema order.
    pub(crate) implementers: HashMap<Name, Vec<Name>>,
    /// `@authenticated`, `@requiresScopes` and `@policy`, by where they apply.
    authorization: AuthorizationRules,
}

impl Supergraph {
    /// Parses and validates a supergraph SDL and derives its API schema.
    pub fn parse(sdl: &str) -> Result<Supergraph, SupergraphError> {
        let schema = Schema::parse_and_validate(sdl, "supergraph.graphql")
            .map_err(|e| SupergraphError::Schema(e.errors.to_string()))?;
        let links = link::Links::read(&schema)?;
        let model = join::read(&schema, &links)?;
        let api = api_schema::derive(&schema, &links)?;
        let api_sdl = api.to_string();
        let authorization = AuthorizationRules::read(&schema, &links);
        let mut implementers: HashMap<Name, Vec<Name>> = HashMap::new();
        for ty in schema.types.values() {
            if let ExtendedType::Object(object) = ty {
                for interface in &object.implements_interfaces {
                    implementers
                        .entry(interface.name.clone())
                        .or_default()
                        .push(object.name.clone());
                }
            }
        }
        Ok(Supergraph {
            schema,
            api,
            api_sdl,
            graphs: model.graphs,
            types: model.types,
            fields: model.fields,
            implements: model.implements,
            union_members: model.union_members,
            contexts: model.contexts,
            implementers,
            authorization,
        })
    }

    /// The client-facing schema: operations are validated against it.
    pub fn api_schema(&self) -> &Valid<Schema> {
        &self.api
    }

    /// The authorization directives of the supergraph.
    pub fn authorization(&self) -> &AuthorizationRules {
        &self.authorization
    }

    /// The API schema printed as SDL.
    pub fn api_schema_sdl(&self) -> &str {
        &self.api_sdl
    }

    /// The whole supergraph schema, join directives included.
    pub fn supergraph_schema(&self) -> &Valid<Schema> {
        &self.schema
    }

    /// `(name, url)` of every subgraph, in `join__Graph` order.
    pub fn subgraphs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.graphs
            .iter()
            .map(|g| (g.name.as_str(), g.url.as_str()))
    }

    pub(crate) fn graph_name(&self, graph: GraphId) -> &str {
        &self.graphs[graph].name
    }

    /// Whether `graph` defines `ty` (a type without `@join__type` is in every graph).
    pub(crate) fn has_type(&self, ty: &str, graph: GraphId) -> bool {
        match self.types.get(ty) {
            None => self.schema.types.contains_key(ty),
            Some(list) => list.iter().any(|t| t.graph == graph),
        }
    }

    /// Whether some graph declares a key for `ty` (it is an entity there).
    pub(crate) fn is_entity(&self, ty: &str) -> bool {
        self.types
            .get(ty)
            .is_some_and(|list| list.iter().any(|t| !t.keys.is_empty()))
    }

    fn type_entry(&self, ty: &str, graph: GraphId) -> Option<&TypeInGraph> {
        self.types.get(ty)?.iter().find(|t| t.graph == graph)
    }

    /// Whether `graph` sees the interface `ty` as an object (`@interfaceObject`).
    pub(crate) fn is_interface_object_in(&self, ty: &str, graph: GraphId) -> bool {
        self.type_entry(ty, graph)
            .is_some_and(|t| t.interface_object)
    }

    /// Resolvable keys of `ty` in `graph`.
    pub(crate) fn resolvable_keys(&self, ty: &str, graph: GraphId) -> Vec<&SelectionSet> {
        self.type_entry(ty, graph)
            .map(|t| {
                t.keys
                    .iter()
                    .filter(|k| k.resolvable)
                    .map(|k| &k.selection)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// All keys (resolvable or not) of `ty` in `graph`: the fields `graph` can
    /// always produce for a reference to the entity.
    pub(crate) fn all_keys(&self, ty: &str, graph: GraphId) -> Vec<&SelectionSet> {
        self.type_entry(ty, graph)
            .map(|t| t.keys.iter().map(|k| &k.selection).collect())
            .unwrap_or_default()
    }

    /// Whether every object at a position of type `ty` sets `context`: `ty`
    /// carries `@context` itself, or (for an object type) one of its
    /// interfaces or a union it belongs to does.
    pub(crate) fn sets_context(&self, ty: &str, context: &str) -> bool {
        let own = |t: &str| {
            self.contexts
                .get(t)
                .is_some_and(|list| list.iter().any(|c| c == context))
        };
        if own(ty) {
            return true;
        }
        match self.schema.types.get(ty) {
            Some(ExtendedType::Object(o)) => {
                o.implements_interfaces.iter().any(|i| own(&i.name))
                    || self.schema.types.values().any(|t| {
                        matches!(t, ExtendedType::Union(u)
                            if own(&u.name) && u.members.iter().any(|m| m.name == ty))
                    })
            }
            _ => false,
        }
    }

    /// Whether `ty` or any type possible at a position of type `ty` sets a context.
    pub(crate) fn may_set_context(&self, ty: &str) -> bool {
        !self.contexts.is_empty()
            && (self.contexts.contains_key(ty)
                || self
                    .possible_types(ty)
                    .iter()
                    .any(|t| self.contexts.contains_key(t)))
    }

    pub(crate) fn field_joins(&self, ty: &str, field: &str) -> Option<&[FieldJoin]> {
        self.fields.get(ty)?.get(field).map(Vec::as_slice)
    }

    /// Object types `graph` may return at a position of abstract type `ty`.
    pub(crate) fn possible_types_in(&self, ty: &str, graph: GraphId) -> Vec<Name> {
        match self.schema.types.get(ty) {
            Some(ExtendedType::Object(o)) => {
                if self.has_type(ty, graph) {
                    vec![o.name.clone()]
                } else {
                    Vec::new()
                }
            }
            Some(ExtendedType::Union(u)) => {
                let declared = self.union_members.get(ty);
                u.members
                    .iter()
                    .map(|m| m.name.clone())
                    .filter(|m| match declared {
                        Some(list) => list.iter().any(|(g, n)| *g == graph && n == m),
                        None => self.has_type(m, graph),
                    })
                    .collect()
            }
            Some(ExtendedType::Interface(_)) => self
                .implementers
                .get(ty)
                .into_iter()
                .flatten()
                .filter(|o| self.has_type(o, graph) && self.implements_in(o, ty, graph))
                .cloned()
                .collect(),
            _ => Vec::new(),
        }
    }

    /// Whether `object` implements `interface` in `graph`.
    pub(crate) fn implements_in(&self, object: &str, interface: &str, graph: GraphId) -> bool {
        match self.implements.get(object) {
            Some(list) => list.iter().any(|(g, i)| *g == graph && i == interface),
            None => true,
        }
    }

    /// Every object type of the supergraph possible at a position of type `ty`.
    pub(crate) fn possible_types(&self, ty: &str) -> Vec<Name> {
        match self.schema.types.get(ty) {
            Some(ExtendedType::Object(o)) => vec![o.name.clone()],
            Some(ExtendedType::Union(u)) => u.members.iter().map(|m| m.name.clone()).collect(),
            Some(ExtendedType::Interface(_)) => {
                self.implementers.get(ty).cloned().unwrap_or_default()
            }
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests;
