//! Merging of unions, enums, input objects and scalars.

use super::input_value::{Position, merge_input_value};
use super::{Context, Source, join_types, merge_descriptions, out_type};
use crate::error::ErrorCode;
use crate::meta::{Meta, quote};
use crate::model::Kind;
use crate::supergraph::{OutEnumValue, OutType};

/// Unions: every member of every subgraph, with `@join__unionMember` per subgraph.
pub(crate) fn merge_union(cx: &mut Context<'_>, name: &str, sources: &[Source<'_>]) -> OutType {
    let mut out = out_type(name, Kind::Union, sources);
    out.directives = join_types(cx, sources);
    for (index, ty) in sources {
        for member in &ty.members {
            out.directives.push(format!(
                "@join__unionMember(graph: {}, member: {})",
                cx.graph(*index),
                quote(member)
            ));
            if !out.members.contains(member) {
                out.members.push(member.clone());
            }
        }
    }
    let meta = Meta::merge(sources.iter().map(|(_, t)| &t.meta));
    out.directives.extend(meta.render(&mut cx.features));
    out
}

/// Enums: the union of values when only returned, the intersection when only
/// accepted as input, and the same values everywhere when both.
pub(crate) fn merge_enum(
    cx: &mut Context<'_>,
    name: &str,
    sources: &[Source<'_>],
) -> Option<OutType> {
    let input = cx.input_types.contains(name);
    let output = cx.output_types.contains(name);
    let mut out = out_type(name, Kind::Enum, sources);
    out.directives = join_types(cx, sources);
    let meta = Meta::merge(sources.iter().map(|(_, t)| &t.meta));
    out.directives.extend(meta.render(&mut cx.features));

    let mut value_names: Vec<&str> = Vec::new();
    for (_, ty) in sources {
        for value in ty.values.keys() {
            if !value_names.contains(&value.as_str()) {
                value_names.push(value);
            }
        }
    }
    let mut mismatch = false;
    for value_name in value_names {
        let present: Vec<_> = sources
            .iter()
            .filter_map(|(i, t)| t.values.get(value_name).map(|v| (*i, v)))
            .collect();
        if present.len() < sources.len() && input {
            let missing = sources
                .iter()
                .map(|(i, _)| *i)
                .filter(|i| !present.iter().any(|(p, _)| p == i));
            let defined = cx.names(present.iter().map(|(i, _)| *i));
            let missing = cx.names(missing);
            if output {
                let message = format!(
                    "Enum type \"{name}\" is used as both input type and output type, but value \"{value_name}\" is not defined in all the subgraphs defining \"{name}\": \"{value_name}\" is defined in {defined} but not in {missing}"
                );
                cx.diags.error(ErrorCode::ENUM_VALUE_MISMATCH, message);
                mismatch = true;
            } else {
                let message = format!(
                    "Value \"{value_name}\" of enum type \"{name}\" will not be part of the supergraph as it is not defined in all the subgraphs defining \"{name}\": it is defined in {defined} but not in {missing}"
                );
                cx.diags
                    .hint("INCONSISTENT_ENUM_VALUE_FOR_INPUT_ENUM", message);
            }
            continue;
        }
        let mut directives: Vec<String> = present
            .iter()
            .map(|(i, _)| format!("@join__enumValue(graph: {})", cx.graph(*i)))
            .collect();
        let meta = Meta::merge(present.iter().map(|(_, v)| &v.meta));
        directives.extend(meta.render(&mut cx.features));
        out.values.push(OutEnumValue {
            name: value_name.to_string(),
            description: merge_descriptions(present.iter().map(|(_, v)| v.description.as_ref())),
            directives,
        });
    }
    if mismatch {
        return None;
    }
    if out.values.is_empty() {
        cx.diags.error(
            ErrorCode::EMPTY_MERGED_ENUM_TYPE,
            format!(
                "None of the values of enum type \"{name}\" are defined consistently in all the subgraphs defining that type. As only values common to all subgraphs are merged, this would result in an empty type."
            ),
        );
        return None;
    }
    Some(out)
}

/// Input objects: the fields every subgraph accepts.
pub(crate) fn merge_input_object(
    cx: &mut Context<'_>,
    name: &str,
    sources: &[Source<'_>],
) -> Option<OutType> {
    let mut out = out_type(name, Kind::InputObject, sources);
    out.directives = join_types(cx, sources);
    let meta = Meta::merge(sources.iter().map(|(_, t)| &t.meta));
    out.directives.extend(meta.render(&mut cx.features));
    let all: Vec<usize> = sources.iter().map(|(i, _)| *i).collect();
    let mut field_names: Vec<&str> = Vec::new();
    for (_, ty) in sources {
        for field in ty.input_fields.keys() {
            if !field_names.contains(&field.as_str()) {
                field_names.push(field);
            }
        }
    }
    let mut failed = false;
    for field_name in field_names {
        let present: Vec<_> = sources
            .iter()
            .filter_map(|(i, t)| t.input_fields.get(field_name).map(|f| (*i, f)))
            .collect();
        let coordinate = format!("{name}.{field_name}");
        let errors_before = cx.diags.errors.len();
        let Some(merged) = merge_input_value(cx, &coordinate, Position::InputField, &all, &present)
        else {
            failed |= cx.diags.errors.len() > errors_before;
            continue;
        };
        let mut value = merged.value;
        if !merged.types_equal {
            let join_fields: Vec<String> = present
                .iter()
                .map(|(i, f)| {
                    format!(
                        "@join__field(graph: {}, type: {})",
                        cx.graph(*i),
                        quote(&f.ty.to_string())
                    )
                })
                .collect();
            value.directives.splice(0..0, join_fields);
        }
        out.input_fields.push(value);
    }
    if out.input_fields.is_empty() && !failed {
        cx.diags.error(
            ErrorCode::EMPTY_MERGED_INPUT_TYPE,
            format!(
                "None of the fields of input object type \"{name}\" are consistently defined in all the subgraphs defining that type. As only fields common to all subgraphs are merged, this would result in an empty type."
            ),
        );
        return None;
    }
    Some(out)
}

/// Custom scalars: carried as they are.
pub(crate) fn merge_scalar(cx: &mut Context<'_>, name: &str, sources: &[Source<'_>]) -> OutType {
    let mut out = out_type(name, Kind::Scalar, sources);
    out.directives = join_types(cx, sources);
    let meta = Meta::merge(sources.iter().map(|(_, t)| &t.meta));
    out.directives.extend(meta.render(&mut cx.features));
    out
}
