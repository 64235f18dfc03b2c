//! Phase 1b: fields the request is not authorized to see leave the operation
//! before anything is planned, so no subgraph is ever asked for them.
//!
//! Each removed field becomes an [`UnresolvableField`] with the reason
//! [`UnresolvableReason::Unauthorized`]: the executor answers it with an
//! `UNAUTHORIZED` error at its path on every object that holds it, and shaping
//! writes `null` there with the usual null propagation. Where a field was
//! removed from a selection, `__typename` is selected instead: the selection
//! stays non-empty, and under an abstract type the executor can tell the objects
//! of the fragment's type apart from the others.

use std::collections::BTreeSet;
use std::rc::Rc;

use apollo_compiler::Name;

use super::operation::{CField, CFragment, CSel, Cond};
use super::search::list_depth;
use crate::authorization::{AuthorizationRules, Requirement};
use crate::plan::{PathElement, UnresolvableField, UnresolvableReason};

/// The operation without the fields protected by an `unmet` requirement, and
/// the record of each removed field.
pub(crate) fn remove_unauthorized(
    rules: &AuthorizationRules,
    unmet: &BTreeSet<Requirement>,
    root: &Name,
    selections: Vec<CSel>,
) -> (Vec<CSel>, Vec<UnresolvableField>) {
    if unmet.is_empty() {
        return (selections, Vec::new());
    }
    let mut filter = Filter {
        rules,
        unmet,
        path: Vec::new(),
        conditions: Vec::new(),
        removed: Vec::new(),
    };
    let kept = filter.selections(&selections, root, true);
    (kept, filter.removed)
}

struct Filter<'a> {
    rules: &'a AuthorizationRules,
    unmet: &'a BTreeSet<Requirement>,
    /// Where the current selection's objects are, as in a `Flatten` path.
    path: Vec<PathElement>,
    /// `@skip`/`@include` conditions of the enclosing fields and fragments.
    conditions: Vec<Cond>,
    removed: Vec<UnresolvableField>,
}

impl Filter<'_> {
    fn selections(&mut self, set: &[CSel], parent: &Name, at_root: bool) -> Vec<CSel> {
        let mut kept = Vec::with_capacity(set.len());
        let mut removed_any = false;
        for selection in set {
            match selection {
                CSel::Field(field) => {
                    if self.denied(parent, field) {
                        self.record(parent, field);
                        removed_any = true;
                    } else {
                        kept.push(CSel::Field(self.field(field)));
                    }
                }
                CSel::Fragment(fragment) => {
                    let ty = fragment.type_condition.as_ref().unwrap_or(parent).clone();
                    let depth = self.conditions.len();
                    self.conditions.extend(fragment.conditions.iter().cloned());
                    let selections = self.selections(&fragment.selections, &ty, at_root);
                    self.conditions.truncate(depth);
                    kept.push(CSel::Fragment(CFragment {
                        type_condition: fragment.type_condition.clone(),
                        conditions: fragment.conditions.clone(),
                        selections: Rc::new(selections),
                    }));
                }
            }
        }
        let has_typename = kept.iter().any(|selection| {
            matches!(selection, CSel::Field(f) if f.name == "__typename" && f.conditions.is_empty())
        });
        if removed_any && !at_root && !has_typename {
            kept.push(CSel::Field(CField::typename(Name::new_static_unchecked(
                "__typename",
            ))));
        }
        kept
    }

    fn denied(&self, parent: &Name, field: &CField) -> bool {
        !field.name.starts_with("__")
            && self
                .rules
                .requirements_of(parent, &field.name, field.ty.inner_named_type())
                .any(|requirement| self.unmet.contains(requirement))
    }

    /// The field with its own selection filtered.
    fn field(&mut self, field: &CField) -> CField {
        if field.selections.is_empty() {
            return field.clone();
        }
        let path_depth = self.path.len();
        let condition_depth = self.conditions.len();
        self.path
            .push(PathElement::Key(field.response_key.to_string()));
        self.path.extend(std::iter::repeat_n(
            PathElement::Flatten,
            list_depth(&field.ty),
        ));
        self.conditions.extend(field.conditions.iter().cloned());
        let selections = self.selections(&field.selections, field.ty.inner_named_type(), false);
        self.path.truncate(path_depth);
        self.conditions.truncate(condition_depth);
        CField {
            selections: Rc::new(selections),
            ..field.clone()
        }
    }

    fn record(&mut self, parent: &Name, field: &CField) {
        self.removed.push(field.left_out(
            self.path.clone(),
            parent,
            &self.conditions,
            UnresolvableReason::Unauthorized,
        ));
    }
}
