//! Merges the validated subgraphs type by type into the supergraph.

mod composite;
mod implementations;
mod inaccessible;
mod input_value;
mod interface_object;
mod satisfiability;
mod simple;

use crate::error::{Diagnostics, ErrorCode};
use crate::meta::{Features, quote};
use crate::model::{ComposedDirective, Kind, Subgraph, TypeDef};
use crate::supergraph::{Graph, OutType, Supergraph};
use crate::types::Relations;
use indexmap::IndexMap;
use std::collections::HashSet;

/// One subgraph's definition of the type being merged.
pub(crate) type Source<'a> = (usize, &'a TypeDef);

/// What every type merger needs to know about all subgraphs.
pub(crate) struct Context<'a> {
    pub subgraphs: &'a [Subgraph],
    pub relations: Relations,
    pub output_types: HashSet<String>,
    pub input_types: HashSet<String>,
    pub features: Features,
    pub diags: &'a mut Diagnostics,
}

impl Context<'_> {
    pub fn graph(&self, index: usize) -> &str {
        &self.subgraphs[index].graph
    }

    pub fn name(&self, index: usize) -> &str {
        &self.subgraphs[index].name
    }

    /// `"a" and "b"` style list of the named subgraphs.
    pub fn names(&self, indices: impl IntoIterator<Item = usize>) -> String {
        let names: Vec<String> = indices
            .into_iter()
            .map(|i| format!("\"{}\"", self.name(i)))
            .collect();
        match names.as_slice() {
            [] => String::new(),
            [one] => one.clone(),
            [init @ .., last] => format!("{} and {last}", init.join(", ")),
        }
    }
}

/// Merges all subgraphs; errors go to `diags`.
pub(crate) fn merge(subgraphs: &[Subgraph], diags: &mut Diagnostics) -> Supergraph {
    let mut by_name: IndexMap<&str, Vec<Source<'_>>> = IndexMap::new();
    let mut relations = Relations::default();
    let mut output_types = HashSet::new();
    let mut input_types = HashSet::new();
    for (index, subgraph) in subgraphs.iter().enumerate() {
        for ty in subgraph.types.values() {
            by_name.entry(&ty.name).or_default().push((index, ty));
            for interface in &ty.implements {
                relations.add(&ty.name, interface);
            }
            for member in &ty.members {
                relations.add(member, &ty.name);
            }
            for field in ty.fields.values() {
                output_types.insert(field.ty.inner_named_type().to_string());
                for arg in field.args.values() {
                    input_types.insert(arg.ty.inner_named_type().to_string());
                }
            }
            for field in ty.input_fields.values() {
                input_types.insert(field.ty.inner_named_type().to_string());
            }
        }
    }
    let mut cx = Context {
        subgraphs,
        relations,
        output_types,
        input_types,
        features: Features::default(),
        diags,
    };

    let mut types = Vec::new();
    for (name, sources) in &by_name {
        let Some(kind) = check_kinds(&mut cx, name, sources) else {
            continue;
        };
        let merged = match kind {
            Kind::Object | Kind::Interface => {
                Some(composite::merge_composite(&mut cx, name, kind, sources))
            }
            Kind::Union => Some(simple::merge_union(&mut cx, name, sources)),
            Kind::Enum => simple::merge_enum(&mut cx, name, sources),
            Kind::InputObject => simple::merge_input_object(&mut cx, name, sources),
            Kind::Scalar => Some(simple::merge_scalar(&mut cx, name, sources)),
        };
        types.extend(merged);
    }
    interface_object::add_interface_object_fields(&by_name, &mut types);
    implementations::check_implementations(&mut cx, &by_name, &types);
    satisfiability::check_satisfiability(&mut cx, &by_name);
    inaccessible::check_inaccessible(&mut cx, &types);

    if !types
        .iter()
        .any(|t| t.name == "Query" && !t.fields.is_empty())
    {
        cx.diags.error(
            ErrorCode::NO_QUERIES,
            "No queries found in any subgraph: a supergraph must have a query root type.",
        );
    }
    // Root types left without fields (their subgraphs only had `_entities`) are not part of the API.
    types.retain(|t| t.name == "Query" || !(t.kind == Kind::Object && t.fields.is_empty()));

    let mut composed: Vec<ComposedDirective> = Vec::new();
    for subgraph in subgraphs {
        for directive in &subgraph.composed {
            if !composed.iter().any(|d| d.name == directive.name) {
                composed.push(directive.clone());
            }
        }
    }
    Supergraph {
        graphs: subgraphs
            .iter()
            .map(|s| Graph {
                value: s.graph.clone(),
                name: s.name.clone(),
                url: s.url.clone(),
            })
            .collect(),
        types,
        composed,
        features: cx.features,
    }
}

/// The supergraph kind of a type, or an error when subgraphs disagree.
fn check_kinds(cx: &mut Context<'_>, name: &str, sources: &[Source<'_>]) -> Option<Kind> {
    let kind = sources[0].1.merged_kind();
    if sources.iter().all(|(_, t)| t.merged_kind() == kind) {
        if sources.iter().all(|(_, t)| t.interface_object) {
            let message = format!(
                "Type \"{name}\" is declared with @interfaceObject in all the subgraphs in which it is defined (it is defined in {} but should be defined as an interface in at least one subgraph)",
                cx.names(sources.iter().map(|(i, _)| *i))
            );
            cx.diags
                .error(ErrorCode::INTERFACE_OBJECT_USAGE_ERROR, message);
            return None;
        }
        return Some(kind);
    }
    let mut kinds: IndexMap<&str, Vec<usize>> = IndexMap::new();
    for (index, ty) in sources {
        kinds
            .entry(ty.merged_kind().describe())
            .or_default()
            .push(*index);
    }
    let parts: Vec<String> = kinds
        .iter()
        .map(|(kind, indices)| {
            let plural = if indices.len() > 1 { "s" } else { "" };
            format!(
                "{kind} in subgraph{plural} {}",
                cx.names(indices.iter().copied())
            )
        })
        .collect();
    cx.diags.error(
        ErrorCode::TYPE_KIND_MISMATCH,
        format!(
            "Type \"{name}\" has mismatched kind: it is defined as {}",
            parts.join(" but ")
        ),
    );
    None
}

/// The description most subgraphs agree on (the first one on a tie).
pub(crate) fn merge_descriptions<'a>(
    descriptions: impl IntoIterator<Item = Option<&'a String>>,
) -> Option<String> {
    let mut counts: IndexMap<&str, usize> = IndexMap::new();
    for description in descriptions.into_iter().flatten() {
        if !description.trim().is_empty() {
            *counts.entry(description.as_str()).or_default() += 1;
        }
    }
    let best = counts.values().copied().max()?;
    counts
        .iter()
        .find(|(_, count)| **count == best)
        .map(|(description, _)| description.to_string())
}

/// `@join__type` applications: one per key, or one without key.
pub(crate) fn join_types(cx: &Context<'_>, sources: &[Source<'_>]) -> Vec<String> {
    let mut out = Vec::new();
    for (index, ty) in sources {
        let graph = cx.graph(*index);
        // Federation 1 `extend type` blocks were the way to reference an entity, not
        // extensions in the join sense; only `@extends`, or a Federation 2 type
        // declared by extensions only, is an extension (as Apollo's fed1 upgrade reads it).
        let is_extension = ty.extends || (cx.subgraphs[*index].fed2 && !ty.defined);
        let interface_object = if ty.interface_object {
            ", isInterfaceObject: true"
        } else {
            ""
        };
        if ty.keys.is_empty() {
            out.push(format!("@join__type(graph: {graph}{interface_object})"));
        }
        for key in &ty.keys {
            let extension = if is_extension {
                ", extension: true"
            } else {
                ""
            };
            let resolvable = if key.resolvable {
                ""
            } else {
                ", resolvable: false"
            };
            out.push(format!(
                "@join__type(graph: {graph}, key: {}{extension}{resolvable}{interface_object})",
                quote(&key.fields)
            ));
        }
    }
    out
}

/// A new output type with the merged description of its sources.
pub(crate) fn out_type(name: &str, kind: Kind, sources: &[Source<'_>]) -> OutType {
    let mut ty = OutType::new(name, kind);
    ty.description = merge_descriptions(sources.iter().map(|(_, t)| t.description.as_ref()));
    ty
}
