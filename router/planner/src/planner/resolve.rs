//! What a subgraph can resolve at a position: the join model read per field,
//! with `@provides`, `@override` labels and key fields taken into account.

use apollo_compiler::Name;
use apollo_compiler::schema::ExtendedType;

use super::operation::CSel;
use super::search::Planner;
use crate::supergraph::{FieldJoin, GraphId};

impl<'a> Planner<'a> {
    /// Whether `graph` resolves `ty.field` at a position (see [`Pos`]).
    pub(super) fn can_resolve(
        &self,
        graph: GraphId,
        ty: &Name,
        field: &str,
        provided: Option<&[CSel]>,
        key_context: bool,
    ) -> bool {
        if field == "__typename" {
            return true;
        }
        if !self.sg.has_type(ty, graph) {
            return false;
        }
        let Some(joins) = self.sg.field_joins(ty, field) else {
            return true;
        };
        joins.iter().filter(|j| j.graph == Some(graph)).any(|j| {
            if j.external {
                // A subgraph always has the key fields of the entities it
                // references, even where it marks them external (Federation 1
                // `@extends` types).
                provided.is_some_and(|p| provided_field(p, ty, field).is_some())
                    || self.is_key_field(ty, graph, field)
            } else if j.used_overridden {
                key_context
            } else {
                self.label_allows(j)
            }
        })
    }

    /// Whether `graph` resolves `ty.field` with an `@requires` whose fields it
    /// cannot produce itself at this position (they are external and not
    /// provided): then the field needs its own entity fetch, after the fetches
    /// that obtain the required fields, instead of joining its parent's fetch.
    pub(super) fn requires_unavailable(
        &self,
        graph: GraphId,
        ty: &Name,
        field: &str,
        provided: Option<&[CSel]>,
    ) -> bool {
        let Some(requires) = self
            .join_in(graph, ty, field)
            .and_then(|j| j.requires.as_ref())
        else {
            return false;
        };
        !self.selection_local(graph, ty, &requires.selections, provided)
    }

    /// Whether every field of a field set (with its sub-selections) resolves
    /// in `graph` without a jump.
    fn selection_local(
        &self,
        graph: GraphId,
        ty: &Name,
        selections: &[apollo_compiler::executable::Selection],
        provided: Option<&[CSel]>,
    ) -> bool {
        use apollo_compiler::executable::Selection;
        selections.iter().all(|s| match s {
            Selection::Field(f) => {
                self.can_resolve(graph, ty, &f.name, provided, false)
                    && self
                        .join_in(graph, ty, &f.name)
                        .is_none_or(|j| j.requires.is_none())
                    && self.selection_local(
                        graph,
                        f.ty().inner_named_type(),
                        &f.selection_set.selections,
                        provided
                            .and_then(|p| provided_field(p, ty, &f.name))
                            .as_deref(),
                    )
            }
            Selection::InlineFragment(fr) => self.selection_local(
                graph,
                fr.type_condition.as_ref().unwrap_or(ty),
                &fr.selection_set.selections,
                provided,
            ),
            Selection::FragmentSpread(_) => false,
        })
    }

    /// Whether `graph` has `ty.field` only as an external field (so only
    /// where an `@provides` grants it).
    pub(super) fn only_provided(&self, graph: GraphId, ty: &str, field: &str) -> bool {
        self.sg.field_joins(ty, field).is_some_and(|joins| {
            let mut in_graph = joins.iter().filter(|j| j.graph == Some(graph)).peekable();
            in_graph.peek().is_some() && in_graph.all(|j| j.external)
        }) && !self.is_key_field(ty, graph, field)
    }

    /// Whether a provided field's client sub-selection can be served from
    /// `graph`: each field is provided or owned there, or reachable from there
    /// through an entity key. If not, the provided field itself must come from
    /// its owner instead.
    pub(super) fn covered(
        &self,
        graph: GraphId,
        ty: &Name,
        selections: &[CSel],
        provided: Option<&[CSel]>,
    ) -> bool {
        selections.iter().all(|sel| match sel {
            CSel::Field(f) if f.name == "__typename" => true,
            CSel::Field(f) => {
                if self.can_resolve(graph, ty, &f.name, provided, false) {
                    f.selections.is_empty()
                        || !self.only_provided(graph, ty, &f.name)
                        || self.covered(
                            graph,
                            f.ty.inner_named_type(),
                            &f.selections,
                            provided
                                .and_then(|p| provided_field(p, ty, &f.name))
                                .as_deref(),
                        )
                } else {
                    (0..self.sg.graphs.len()).any(|g| {
                        g != graph
                            && !self.sg.resolvable_keys(ty, g).is_empty()
                            && self.can_resolve(g, ty, &f.name, None, false)
                    })
                }
            }
            CSel::Fragment(fragment) => {
                let on = fragment.type_condition.as_ref().unwrap_or(ty);
                self.covered(graph, on, &fragment.selections, provided)
            }
        })
    }

    pub(super) fn label_allows(&self, join: &FieldJoin) -> bool {
        match &join.override_label {
            None => true,
            Some(label) => {
                let enabled = self.options.enabled_override_labels.contains(label);
                // The overriding subgraph owns the field while its label is on;
                // the overridden one keeps it while the label is off.
                if join.override_from.is_some() {
                    enabled
                } else {
                    !enabled
                }
            }
        }
    }

    pub(super) fn is_key_field(&self, ty: &str, graph: GraphId, field: &str) -> bool {
        self.sg.all_keys(ty, graph).iter().any(|k| {
            k.selections.iter().any(|s| matches!(s, apollo_compiler::executable::Selection::Field(f) if f.name == field))
        })
    }

    pub(super) fn join_in(&self, graph: GraphId, ty: &str, field: &str) -> Option<&'a FieldJoin> {
        self.sg
            .field_joins(ty, field)?
            .iter()
            .find(|j| j.graph == Some(graph) && !j.external && self.label_allows(j))
    }

    pub(super) fn is_abstract(&self, ty: &str) -> bool {
        matches!(
            self.sg.supergraph_schema().types.get(ty),
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_))
        )
    }

    pub(super) fn is_interface(&self, ty: &str) -> bool {
        matches!(
            self.sg.supergraph_schema().types.get(ty),
            Some(ExtendedType::Interface(_))
        )
    }

    pub(super) fn is_composite(&self, ty: &str) -> bool {
        matches!(
            self.sg.supergraph_schema().types.get(ty),
            Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_))
        )
    }

    pub(super) fn is_interface_object(&self, ty: &str, graph: GraphId) -> bool {
        self.is_interface(ty) && self.sg.is_interface_object_in(ty, graph)
    }

    pub(super) fn interfaces_of(&self, ty: &str) -> Vec<Name> {
        match self.sg.supergraph_schema().types.get(ty) {
            Some(ExtendedType::Object(o)) => o
                .implements_interfaces
                .iter()
                .map(|i| i.name.clone())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The sub-selection an `@provides` grants for `ty.field`, if it names it.
pub(super) fn provided_field(provided: &[CSel], ty: &Name, field: &str) -> Option<Vec<CSel>> {
    let mut found: Option<Vec<CSel>> = None;
    for sel in provided {
        match sel {
            CSel::Field(f) if f.name == field => {
                found
                    .get_or_insert_with(Vec::new)
                    .extend(f.selections.iter().cloned());
            }
            CSel::Fragment(fr) if fr.type_condition.as_ref().is_none_or(|t| t == ty) => {
                if let Some(inner) = provided_field(&fr.selections, ty, field) {
                    found.get_or_insert_with(Vec::new).extend(inner);
                }
            }
            _ => {}
        }
    }
    found
}
