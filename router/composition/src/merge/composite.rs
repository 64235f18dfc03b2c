//! Merging of object and interface types: `@join__type`/`@join__implements`, field
//! sharing, field types, arguments, `@override` and the `@join__field`s that say
//! which subgraph resolves what.

use super::input_value::{Position, merge_input_value};
use super::{Context, Source, join_types, merge_descriptions, out_type};
use crate::error::ErrorCode;
use crate::meta::{Meta, quote};
use crate::model::{Field, Kind};
use crate::supergraph::{OutField, OutType};
use crate::types::merge_output;
use indexmap::IndexMap;
use std::collections::HashMap;

/// How the field of a subgraph named in another's `@override(from:)` is treated.
struct Overridden {
    label: Option<String>,
    /// The overridden subgraph still needs the field (a key or a `@requires` selects it).
    used: bool,
}

pub(crate) fn merge_composite(
    cx: &mut Context<'_>,
    name: &str,
    kind: Kind,
    sources: &[Source<'_>],
) -> OutType {
    let mut out = out_type(name, kind, sources);
    out.directives = join_types(cx, sources);
    for (index, ty) in sources {
        for interface in &ty.implements {
            out.directives.push(format!(
                "@join__implements(graph: {}, interface: {})",
                cx.graph(*index),
                quote(interface)
            ));
            if !out.implements.contains(interface) {
                out.implements.push(interface.clone());
            }
        }
    }
    let meta = Meta::merge(sources.iter().map(|(_, t)| &t.meta));
    out.directives.extend(meta.render(&mut cx.features));
    for (index, ty) in sources {
        for context in &ty.contexts {
            cx.features.context = true;
            let name = format!("{}__{context}", cx.name(*index));
            out.directives
                .push(format!("@context(name: {})", quote(&name)));
        }
    }

    let mut fields: IndexMap<&str, Vec<(usize, &Field)>> = IndexMap::new();
    for (index, ty) in sources {
        for field in ty.fields.values() {
            fields.entry(&field.name).or_default().push((*index, field));
        }
    }
    for (field_name, field_sources) in &fields {
        if let Some(field) = merge_field(cx, name, kind, sources, field_name, field_sources) {
            out.fields.push(field);
        }
    }
    out
}

/// Merges one field of a composite type from the subgraphs that define it:
/// checks sharing and `@override`, merges its type and arguments, and says
/// which subgraph resolves it how (`@join__field`). `None` when it cannot merge
/// (the error is recorded).
fn merge_field(
    cx: &mut Context<'_>,
    type_name: &str,
    kind: Kind,
    type_sources: &[Source<'_>],
    field_name: &str,
    sources: &[(usize, &Field)],
) -> Option<OutField> {
    let coordinate = format!("{type_name}.{field_name}");
    if sources.iter().all(|(_, f)| f.external) {
        let message = format!(
            "Field \"{coordinate}\" is marked @external on all the subgraphs in which it is listed ({}).",
            subgraph_list(cx, sources.iter().map(|(i, _)| *i))
        );
        cx.diags.error(ErrorCode::EXTERNAL_MISSING_ON_BASE, message);
        return None;
    }
    let overridden = overrides(cx, type_name, field_name, &coordinate, sources);
    check_sharing(
        cx,
        type_name,
        kind,
        type_sources,
        &coordinate,
        sources,
        &overridden,
    );
    let merged_type = merge_field_type(cx, &coordinate, sources)?;
    check_external_types(cx, type_name, &coordinate, merged_type, sources);
    let args = merge_arguments(cx, &coordinate, sources);
    let mut directives = join_fields(cx, type_sources, sources, &overridden);
    let meta = Meta::merge(sources.iter().map(|(_, f)| &f.meta));
    directives.extend(meta.render(&mut cx.features));
    Some(OutField {
        name: field_name.to_string(),
        description: merge_descriptions(sources.iter().map(|(_, f)| f.description.as_ref())),
        args,
        ty: merged_type.to_string(),
        directives,
    })
}

/// The subgraphs that resolve the field; all of them when every one marks it
/// `@external` (their copies then say what it is).
fn resolving<'a>(sources: &[(usize, &'a Field)]) -> Vec<(usize, &'a Field)> {
    let resolving: Vec<(usize, &Field)> = sources
        .iter()
        .filter(|(_, f)| !f.external)
        .copied()
        .collect();
    if resolving.is_empty() {
        sources.to_vec()
    } else {
        resolving
    }
}

/// The field's supergraph type: the one every resolving subgraph's type is a
/// subtype of (`@external` copies are checked against it separately).
fn merge_field_type<'a>(
    cx: &mut Context<'_>,
    coordinate: &str,
    sources: &[(usize, &'a Field)],
) -> Option<&'a apollo_compiler::ast::Type> {
    let defining = resolving(sources);
    let defining_types: Vec<_> = defining.iter().map(|(_, f)| &f.ty).collect();
    let merged = merge_output(&defining_types, &cx.relations);
    if merged.is_none() {
        let list: Vec<String> = defining
            .iter()
            .map(|(i, f)| format!("type \"{}\" in subgraph \"{}\"", f.ty, cx.name(*i)))
            .collect();
        let message = format!(
            "Type of field \"{coordinate}\" is incompatible across subgraphs: it has {}",
            list.join(" but ")
        );
        cx.diags.error(ErrorCode::FIELD_TYPE_MISMATCH, message);
    }
    merged
}

/// The field's arguments, from the subgraphs that resolve it (`@external`
/// copies only mirror them); `@fromContext` arguments are not the client's.
fn merge_arguments(
    cx: &mut Context<'_>,
    coordinate: &str,
    sources: &[(usize, &Field)],
) -> Vec<crate::supergraph::OutInputValue> {
    let argument_sources = resolving(sources);
    let argument_graphs: Vec<usize> = argument_sources.iter().map(|(i, _)| *i).collect();
    let mut argument_names: Vec<&str> = Vec::new();
    for (_, field) in &argument_sources {
        for arg in field.args.values().filter(|a| a.from_context.is_none()) {
            if !argument_names.contains(&arg.name.as_str()) {
                argument_names.push(&arg.name);
            }
        }
    }
    let mut args = Vec::new();
    for arg in argument_names {
        let present: Vec<_> = argument_sources
            .iter()
            .filter_map(|(i, f)| f.args.get(arg).map(|a| (*i, a)))
            .collect();
        let at = format!("{coordinate}({arg}:)");
        if let Some(merged) =
            merge_input_value(cx, &at, Position::Argument, &argument_graphs, &present)
        {
            args.push(merged.value);
        }
    }
    args
}

/// The `@join__field`s of the field, one per subgraph that defines it, when
/// anything about it differs between subgraphs (types, presence, `@external`,
/// `@requires`, `@provides`, `@override`, context arguments); none when every
/// subgraph of the type resolves it alike.
fn join_fields(
    cx: &Context<'_>,
    type_sources: &[Source<'_>],
    sources: &[(usize, &Field)],
    overridden: &HashMap<usize, Overridden>,
) -> Vec<String> {
    let types_equal = sources.iter().all(|(_, f)| f.ty == sources[0].1.ty);
    let missing_somewhere = type_sources
        .iter()
        .any(|(i, _)| !sources.iter().any(|(s, _)| s == i));
    let needs_join_field = !types_equal
        || !overridden.is_empty()
        || missing_somewhere
        || sources.iter().any(|(_, f)| {
            f.external
                || f.requires.is_some()
                || f.provides.is_some()
                || f.override_from.is_some()
                || f.args.values().any(|a| a.from_context.is_some())
        });
    if !needs_join_field {
        return Vec::new();
    }
    sources
        .iter()
        .filter_map(|(index, field)| {
            let overridden = overridden.get(index);
            // A subgraph overridden outright, and that no longer needs the
            // field, does not resolve it any more.
            if overridden.is_some_and(|o| o.label.is_none() && !o.used) {
                return None;
            }
            Some(join_field(cx, *index, field, overridden, types_equal))
        })
        .collect()
}

/// One subgraph's `@join__field` for a field.
fn join_field(
    cx: &Context<'_>,
    index: usize,
    field: &Field,
    overridden: Option<&Overridden>,
    types_equal: bool,
) -> String {
    let mut parts = vec![format!("graph: {}", cx.graph(index))];
    if let Some(requires) = &field.requires {
        parts.push(format!("requires: {}", quote(requires)));
    }
    if let Some(provides) = &field.provides {
        parts.push(format!("provides: {}", quote(provides)));
    }
    if !types_equal {
        parts.push(format!("type: {}", quote(&field.ty.to_string())));
    }
    if field.external {
        parts.push("external: true".to_string());
    }
    if let Some(from) = &field.override_from {
        parts.push(format!("override: {}", quote(from)));
    }
    if overridden.is_some_and(|o| o.used) {
        parts.push("usedOverridden: true".to_string());
    }
    let label = field
        .override_label
        .as_ref()
        .or_else(|| overridden.and_then(|o| o.label.as_ref()));
    if let Some(label) = label {
        parts.push(format!("overrideLabel: {}", quote(label)));
    }
    let context_arguments = context_arguments(cx.name(index), field);
    if !context_arguments.is_empty() {
        parts.push(format!(
            "contextArguments: [{}]",
            context_arguments.join(", ")
        ));
    }
    format!("@join__field({})", parts.join(", "))
}

/// Finds the subgraphs whose definition of the field another subgraph overrides.
fn overrides(
    cx: &mut Context<'_>,
    type_name: &str,
    field_name: &str,
    coordinate: &str,
    sources: &[(usize, &Field)],
) -> HashMap<usize, Overridden> {
    let mut overridden = HashMap::new();
    for (index, field) in sources {
        let Some(from) = &field.override_from else {
            continue;
        };
        let Some(from_index) = cx.subgraphs.iter().position(|s| s.name == *from) else {
            let message = format!(
                "Field \"{coordinate}\" on subgraph \"{}\" is overridden from subgraph \"{from}\" which does not exist",
                cx.name(*index)
            );
            cx.diags.hint("FROM_SUBGRAPH_DOES_NOT_EXIST", message);
            continue;
        };
        let Some((_, from_field)) = sources.iter().find(|(i, _)| *i == from_index) else {
            let message = format!(
                "Field \"{coordinate}\" on subgraph \"{}\" overrides subgraph \"{from}\" which does not define it",
                cx.name(*index)
            );
            cx.diags.hint("OVERRIDE_DIRECTIVE_CAN_BE_REMOVED", message);
            continue;
        };
        if from_field.override_from.as_deref() == Some(cx.name(*index)) {
            let message = format!(
                "Field \"{coordinate}\" on subgraph \"{}\" is also marked with directive @override in subgraph \"{from}\". Only one @override directive is allowed per field.",
                cx.name(*index)
            );
            cx.diags
                .error(ErrorCode::OVERRIDE_SOURCE_HAS_OVERRIDE, message);
            continue;
        }
        let from_subgraph = &cx.subgraphs[from_index];
        let key = (type_name.to_string(), field_name.to_string());
        let used = from_subgraph.key_coordinates.contains(&key)
            || from_subgraph.requires_coordinates.contains(&key);
        overridden.insert(
            from_index,
            Overridden {
                label: field.override_label.clone(),
                used,
            },
        );
    }
    overridden
}

/// A field resolved by several subgraphs must be `@shareable` in all of them.
fn check_sharing(
    cx: &mut Context<'_>,
    type_name: &str,
    kind: Kind,
    type_sources: &[Source<'_>],
    coordinate: &str,
    sources: &[(usize, &Field)],
    overridden: &HashMap<usize, Overridden>,
) {
    let type_in = |index: usize| {
        type_sources
            .iter()
            .find(|(i, _)| *i == index)
            .map(|(_, t)| *t)
    };
    let resolving: Vec<(usize, &Field)> = sources
        .iter()
        .filter(|(i, f)| {
            !f.external
                && !overridden.contains_key(i)
                && (kind == Kind::Object || type_in(*i).is_some_and(|t| t.interface_object))
        })
        .copied()
        .collect();
    if resolving.len() < 2 {
        return;
    }
    let non_shareable: Vec<usize> = resolving
        .iter()
        .filter(|(i, f)| {
            let subgraph = &cx.subgraphs[*i];
            let shareable = !subgraph.fed2
                || f.shareable
                || type_in(*i).is_some_and(|t| t.shareable)
                || subgraph
                    .key_coordinates
                    .contains(&(type_name.to_string(), f.name.clone()));
            !shareable
        })
        .map(|(i, _)| *i)
        .collect();
    if non_shareable.is_empty() {
        return;
    }
    let message = format!(
        "Non-shareable field \"{coordinate}\" is resolved from multiple subgraphs: it is resolved from subgraphs {} and defined as non-shareable in subgraph{} {}",
        cx.names(resolving.iter().map(|(i, _)| *i)),
        if non_shareable.len() > 1 { "s" } else { "" },
        cx.names(non_shareable)
    );
    cx.diags.error(ErrorCode::INVALID_FIELD_SHARING, message);
}

/// `subgraph "a"` or `subgraphs "a" and "b"`.
fn subgraph_list(cx: &Context<'_>, indices: impl IntoIterator<Item = usize>) -> String {
    let indices: Vec<usize> = indices.into_iter().collect();
    let plural = if indices.len() > 1 { "s" } else { "" };
    format!("subgraph{plural} {}", cx.names(indices))
}

/// An `@external` copy of a field must have the type the resolving subgraphs give it
/// (key fields excepted: they are shared by construction).
fn check_external_types(
    cx: &mut Context<'_>,
    type_name: &str,
    coordinate: &str,
    merged: &apollo_compiler::ast::Type,
    sources: &[(usize, &Field)],
) {
    let Some((_, first)) = sources.first() else {
        return;
    };
    let key = (type_name.to_string(), first.name.clone());
    if cx
        .subgraphs
        .iter()
        .any(|s| s.key_coordinates.contains(&key))
    {
        return;
    }
    let mismatched: Vec<String> = sources
        .iter()
        .filter(|(_, f)| f.external && f.ty != *merged)
        .map(|(i, f)| format!("type \"{}\" in subgraph \"{}\"", f.ty, cx.name(*i)))
        .collect();
    if mismatched.is_empty() || sources.iter().all(|(_, f)| f.external) {
        return;
    }
    let message = format!(
        "Type of field \"{coordinate}\" is incompatible across subgraphs (where marked @external): it has type \"{merged}\" where it is resolved but {}",
        mismatched.join(" and ")
    );
    cx.diags.error(ErrorCode::EXTERNAL_TYPE_MISMATCH, message);
}

/// `join__ContextArgument`s of a field's `@fromContext` arguments in one subgraph:
/// `$ctx { a }` becomes context `<subgraph>__ctx` with selection ` { a }`.
fn context_arguments(subgraph: &str, field: &Field) -> Vec<String> {
    field
        .args
        .values()
        .filter_map(|arg| {
            let value = arg.from_context.as_deref()?.trim_start();
            let rest = value.strip_prefix('$')?;
            let end = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let (context, selection) = rest.split_at(end);
            Some(format!(
                "{{context: {}, name: {}, type: {}, selection: {}}}",
                quote(&format!("{subgraph}__{context}")),
                quote(&arg.name),
                quote(&arg.ty.to_string()),
                quote(selection)
            ))
        })
        .collect()
}
