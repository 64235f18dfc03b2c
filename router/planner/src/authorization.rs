//! The authorization directives of a supergraph (`@authenticated`,
//! `@requiresScopes`, `@policy`, federation 2.5+/2.6+) and which of them an
//! operation touches.
//!
//! What a directive protects, as the routers that enforce them agree:
//! - on a field definition: that field;
//! - on a type (object, interface, scalar, enum): every field whose named type
//!   it is, and every field selected on it (including through a fragment on
//!   it);
//! - a field selected on an interface is protected by what protects the same
//!   field, or the type, of any of the interface's implementations: the
//!   router cannot know before fetching which implementation comes back, so it
//!   errs on the side of refusing.
//!
//! Several directives on one field must all be satisfied. Deciding whether a
//! request satisfies a [`Requirement`] (its claims, scopes and policy rules) is
//! the router's business; this module only names the requirements, so that the
//! planner can leave out the fields whose requirements a request does not meet.

use std::collections::{BTreeSet, HashMap, HashSet};

use apollo_compiler::ast::Directive;
use apollo_compiler::ast::Value;
use apollo_compiler::executable::{FragmentMap, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::{ExecutableDocument, Name, Schema};

use crate::supergraph::link::Links;

/// One directive application's demand on the request.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Requirement {
    /// `@authenticated`: any verified identity.
    Authenticated,
    /// `@requiresScopes(scopes:)`: every scope of at least one inner list.
    Scopes(Vec<Vec<String>>),
    /// `@policy(policies:)`: every policy of at least one inner list.
    Policies(Vec<Vec<String>>),
}

impl std::fmt::Display for Requirement {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let alternatives = |f: &mut std::fmt::Formatter<'_>, sets: &[Vec<String>]| {
            let sets: Vec<String> = sets.iter().map(|set| set.join(" and ")).collect();
            write!(f, "{}", sets.join(", or "))
        };
        match self {
            Requirement::Authenticated => write!(f, "an authenticated request"),
            Requirement::Scopes(sets) => {
                write!(f, "the scopes ")?;
                alternatives(f, sets)
            }
            Requirement::Policies(sets) => {
                write!(f, "the policies ")?;
                alternatives(f, sets)
            }
        }
    }
}

/// The requirements declared in a supergraph, by where they are declared.
#[derive(Debug, Clone, Default)]
pub struct AuthorizationRules {
    /// Per type, per field: the field definition's own requirements.
    fields: HashMap<Name, HashMap<Name, Vec<Requirement>>>,
    /// Per type: the type's requirements.
    types: HashMap<Name, Vec<Requirement>>,
    /// Per interface: its object implementations.
    implementations: HashMap<Name, Vec<Name>>,
}

/// The local names of the three directives in one supergraph.
struct DirectiveNames {
    authenticated: Option<String>,
    requires_scopes: Option<String>,
    policy: Option<String>,
}

impl DirectiveNames {
    /// Through the supergraph's `@link`s when it links the specs (a rename with
    /// `as:` or an import is followed); else the plain names, which is how
    /// composers print them.
    fn read(links: &Links) -> DirectiveNames {
        let name = |spec: &str| {
            links
                .find(spec)
                .map(|link| link.directive_name(spec))
                .or_else(|| Some(spec.to_string()))
        };
        DirectiveNames {
            authenticated: name("authenticated"),
            requires_scopes: name("requiresScopes"),
            policy: name("policy"),
        }
    }

    fn requirements<'a>(
        &self,
        directives: impl Iterator<Item = &'a Directive>,
    ) -> Vec<Requirement> {
        let mut out = Vec::new();
        for directive in directives {
            let name = directive.name.as_str();
            if self.authenticated.as_deref() == Some(name) {
                out.push(Requirement::Authenticated);
            } else if self.requires_scopes.as_deref() == Some(name) {
                out.push(Requirement::Scopes(nested_strings(directive, "scopes")));
            } else if self.policy.as_deref() == Some(name) {
                out.push(Requirement::Policies(nested_strings(directive, "policies")));
            }
        }
        out
    }
}

/// `[[String]]` argument values (a bare string or a flat list is coerced as
/// GraphQL input coercion would).
fn nested_strings(directive: &Directive, argument: &str) -> Vec<Vec<String>> {
    let strings = |value: &Value| -> Vec<String> {
        match value {
            Value::String(s) => vec![s.clone()],
            Value::List(items) => items
                .iter()
                .filter_map(|item| item.as_str().map(str::to_string))
                .collect(),
            _ => Vec::new(),
        }
    };
    match directive
        .specified_argument_by_name(argument)
        .map(|value| &**value)
    {
        Some(Value::List(items)) => items.iter().map(|item| strings(item)).collect(),
        Some(value) => vec![strings(value)],
        None => Vec::new(),
    }
}

impl AuthorizationRules {
    pub(crate) fn read(schema: &Schema, links: &Links) -> AuthorizationRules {
        let names = DirectiveNames::read(links);
        let mut rules = AuthorizationRules::default();
        for (type_name, ty) in &schema.types {
            if ty.is_built_in() {
                continue;
            }
            let on_type = names.requirements(ty.directives().iter().map(|d| &***d));
            if !on_type.is_empty() {
                rules.types.insert(type_name.clone(), on_type);
            }
            let fields = match ty {
                ExtendedType::Object(object) => &object.fields,
                ExtendedType::Interface(interface) => &interface.fields,
                _ => continue,
            };
            for (field_name, field) in fields {
                let on_field = names.requirements(field.directives.iter().map(|d| &**d));
                if !on_field.is_empty() {
                    rules
                        .fields
                        .entry(type_name.clone())
                        .or_default()
                        .insert(field_name.clone(), on_field);
                }
            }
            if let ExtendedType::Object(object) = ty {
                for interface in &object.implements_interfaces {
                    rules
                        .implementations
                        .entry(interface.name.clone())
                        .or_default()
                        .push(type_name.clone());
                }
            }
        }
        rules
    }

    /// Whether the supergraph declares no requirement at all (then nothing is
    /// ever checked).
    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.types.is_empty()
    }

    /// Every requirement declared anywhere in the supergraph.
    pub fn requirements(&self) -> impl Iterator<Item = &Requirement> {
        self.fields
            .values()
            .flat_map(|fields| fields.values())
            .chain(self.types.values())
            .flatten()
    }

    /// Every requirement that protects `parent.field` (see the module docs).
    /// `field_type` is the field's named type.
    pub fn requirements_of<'a>(
        &'a self,
        parent: &'a str,
        field: &'a str,
        field_type: &'a str,
    ) -> impl Iterator<Item = &'a Requirement> + 'a {
        let own = |ty: &str| {
            self.fields
                .get(ty)
                .and_then(|fields| fields.get(field))
                .into_iter()
                .flatten()
                .chain(self.types.get(ty).into_iter().flatten())
        };
        let implementations = self
            .implementations
            .get(parent)
            .into_iter()
            .flatten()
            .flat_map(move |object| own(object.as_str()));
        own(parent)
            .chain(self.types.get(field_type).into_iter().flatten())
            .chain(implementations)
    }

    /// The requirements protecting any field `operation_name`'s operation
    /// selects, fragments included. Empty when the operation touches nothing
    /// protected (or the name picks no operation).
    pub fn requirements_in(
        &self,
        document: &ExecutableDocument,
        operation_name: Option<&str>,
    ) -> BTreeSet<Requirement> {
        let mut found = BTreeSet::new();
        if self.is_empty() {
            return found;
        }
        if let Ok(operation) = document.operations.get(operation_name) {
            let mut visited = HashSet::new();
            self.collect(
                &operation.selection_set,
                &document.fragments,
                &mut visited,
                &mut found,
            );
        }
        found
    }

    fn collect<'doc>(
        &self,
        set: &'doc SelectionSet,
        fragments: &'doc FragmentMap,
        visited: &mut HashSet<&'doc Name>,
        found: &mut BTreeSet<Requirement>,
    ) {
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    if !field.name.starts_with("__") {
                        found.extend(
                            self.requirements_of(
                                &set.ty,
                                &field.name,
                                field.definition.ty.inner_named_type(),
                            )
                            .cloned(),
                        );
                    }
                    self.collect(&field.selection_set, fragments, visited, found);
                }
                Selection::InlineFragment(inline) => {
                    self.collect(&inline.selection_set, fragments, visited, found);
                }
                Selection::FragmentSpread(spread) => {
                    if visited.insert(&spread.fragment_name)
                        && let Some(fragment) = fragments.get(&spread.fragment_name)
                    {
                        self.collect(&fragment.selection_set, fragments, visited, found);
                    }
                }
            }
        }
    }
}
