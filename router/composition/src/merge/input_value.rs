//! Merging of arguments and input object fields: they must be accepted by every
//! subgraph, so the supergraph keeps the intersection with the most specific type.

use super::{Context, merge_descriptions};
use crate::error::ErrorCode;
use crate::meta::Meta;
use crate::model::InputValue;
use crate::supergraph::OutInputValue;
use crate::types::merge_input;

/// Where an input value sits, for error codes and wording.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Position {
    Argument,
    InputField,
}

/// The merged input value, and whether every subgraph declared the same type.
pub(crate) struct MergedInput {
    pub value: OutInputValue,
    pub types_equal: bool,
}

/// Merges the input value `coordinate`, declared in `present` out of the `all` subgraphs
/// that define its parent; `None` when it is dropped (or an error was recorded).
pub(crate) fn merge_input_value(
    cx: &mut Context<'_>,
    coordinate: &str,
    position: Position,
    all: &[usize],
    present: &[(usize, &InputValue)],
) -> Option<MergedInput> {
    let (missing_code, hint_code, type_code, default_code, what) = match position {
        Position::Argument => (
            ErrorCode::REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH,
            "INCONSISTENT_ARGUMENT_PRESENCE",
            ErrorCode::FIELD_ARGUMENT_TYPE_MISMATCH,
            ErrorCode::FIELD_ARGUMENT_DEFAULT_MISMATCH,
            "Argument",
        ),
        Position::InputField => (
            ErrorCode::REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH,
            "INCONSISTENT_INPUT_OBJECT_FIELD",
            ErrorCode::FIELD_TYPE_MISMATCH,
            ErrorCode::INPUT_FIELD_DEFAULT_MISMATCH,
            "Input object field",
        ),
    };
    let missing: Vec<usize> = all
        .iter()
        .copied()
        .filter(|i| !present.iter().any(|(p, _)| p == i))
        .collect();
    if !missing.is_empty() {
        let required: Vec<usize> = present
            .iter()
            .filter(|(_, v)| v.is_required())
            .map(|(i, _)| *i)
            .collect();
        if required.is_empty() {
            let message = format!(
                "{what} \"{coordinate}\" will not be added to the supergraph as it does not appear in all subgraphs: it is defined in {} but not in {}",
                cx.names(present.iter().map(|(i, _)| *i)),
                cx.names(missing.iter().copied())
            );
            cx.diags.hint(hint_code, message);
        } else {
            let message = format!(
                "{what} \"{coordinate}\" is required in some subgraphs but does not appear in all subgraphs: it is required in {} but does not appear in {}",
                cx.names(required),
                cx.names(missing)
            );
            cx.diags.error(missing_code, message);
        }
        return None;
    }

    let types: Vec<_> = present.iter().map(|(_, v)| &v.ty).collect();
    let Some(merged) = merge_input(&types) else {
        let list: Vec<String> = present
            .iter()
            .map(|(i, v)| format!("type \"{}\" in subgraph \"{}\"", v.ty, cx.name(*i)))
            .collect();
        let message = format!(
            "Type of {} \"{coordinate}\" is incompatible across subgraphs: it has {}",
            what.to_lowercase(),
            list.join(" but ")
        );
        cx.diags.error(type_code, message);
        return None;
    };
    let mut defaults: Vec<(usize, String)> = Vec::new();
    for (i, v) in present {
        if let Some(default) = &v.default {
            defaults.push((*i, default.to_string()));
        }
    }
    if defaults.iter().any(|(_, d)| *d != defaults[0].1) {
        let list: Vec<String> = defaults
            .iter()
            .map(|(i, d)| format!("default value {d} in subgraph \"{}\"", cx.name(*i)))
            .collect();
        let message = format!(
            "{what} \"{coordinate}\" has incompatible default values across subgraphs: it has {}",
            list.join(" but ")
        );
        cx.diags.error(default_code, message);
        return None;
    }
    let meta = Meta::merge(present.iter().map(|(_, v)| &v.meta));
    let types_equal = types.iter().all(|t| *t == types[0]);
    Some(MergedInput {
        value: OutInputValue {
            name: present[0].1.name.clone(),
            description: merge_descriptions(present.iter().map(|(_, v)| v.description.as_ref())),
            ty: merged.to_string(),
            default: defaults.first().map(|(_, d)| d.clone()),
            directives: meta.render(&mut cx.features),
        },
        types_equal,
    })
}
