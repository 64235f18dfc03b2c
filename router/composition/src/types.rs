//! Type compatibility across subgraphs: output positions merge to the most general
//! type every subgraph's type is a subtype of (nullable wins, interfaces and unions
//! cover their members); input positions merge to the most specific one (non-null wins).

use apollo_compiler::ast::Type;
use std::collections::{HashMap, HashSet};

/// Which named types are subtypes of which (implementations and union members), over all subgraphs.
#[derive(Debug, Default)]
pub(crate) struct Relations {
    supertypes: HashMap<String, HashSet<String>>,
}

impl Relations {
    pub fn add(&mut self, sub: &str, sup: &str) {
        self.supertypes
            .entry(sub.to_string())
            .or_default()
            .insert(sup.to_string());
    }

    fn is_named_subtype(&self, sub: &str, sup: &str) -> bool {
        sub == sup || self.supertypes.get(sub).is_some_and(|s| s.contains(sup))
    }
}

/// Whether a value of type `sub` can stand where `sup` is expected in an output position.
pub(crate) fn is_subtype(sub: &Type, sup: &Type, relations: &Relations) -> bool {
    match (sub, sup) {
        (_, Type::NonNullNamed(_) | Type::NonNullList(_)) => {
            sub.is_non_null()
                && is_subtype(&sub.clone().nullable(), &sup.clone().nullable(), relations)
        }
        (Type::NonNullNamed(_) | Type::NonNullList(_), _) => {
            is_subtype(&sub.clone().nullable(), sup, relations)
        }
        (Type::List(a), Type::List(b)) => is_subtype(a, b, relations),
        (Type::Named(a), Type::Named(b)) => relations.is_named_subtype(a, b),
        _ => false,
    }
}

/// The output type that all `types` are subtypes of, if one of them is.
pub(crate) fn merge_output<'a>(types: &[&'a Type], relations: &Relations) -> Option<&'a Type> {
    types
        .iter()
        .find(|candidate| types.iter().all(|t| is_subtype(t, candidate, relations)))
        .copied()
}

/// The input type that is a subtype of all `types` (only nullability may differ).
pub(crate) fn merge_input<'a>(types: &[&'a Type]) -> Option<&'a Type> {
    let none = Relations::default();
    types
        .iter()
        .find(|candidate| types.iter().all(|t| is_subtype(candidate, t, &none)))
        .copied()
}
