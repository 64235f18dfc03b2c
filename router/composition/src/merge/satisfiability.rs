//! A reduced satisfiability check: when a subgraph returns an object type, every
//! field the supergraph gives that type must be reachable from that subgraph,
//! either resolved there or through `@key` jumps to subgraphs that resolve it.
//! (Apollo's composition runs a full query-graph analysis; this catches its most
//! common failure, value types whose fields differ between subgraphs.)

use super::{Context, Source};
use crate::error::ErrorCode;
use crate::model::{Kind, Subgraph, TypeDef};
use indexmap::IndexMap;
use std::collections::VecDeque;

const ROOT_TYPES: &[&str] = &["Query", "Mutation", "Subscription"];

pub(crate) fn check_satisfiability(
    cx: &mut Context<'_>,
    by_name: &IndexMap<&str, Vec<Source<'_>>>,
) {
    for (type_name, sources) in by_name {
        if ROOT_TYPES.contains(type_name)
            || sources
                .iter()
                .any(|(_, t)| t.kind != Kind::Object || t.interface_object)
        {
            continue;
        }
        let mut fields: Vec<&str> = Vec::new();
        for (index, ty) in sources {
            for field in ty.fields.values() {
                if resolves(&cx.subgraphs[*index], ty, &field.name)
                    && !fields.contains(&field.name.as_str())
                {
                    fields.push(&field.name);
                }
            }
        }
        for (start, ty) in sources {
            if !returned_in(&cx.subgraphs[*start], type_name) {
                continue;
            }
            let reachable = reachable_subgraphs(*start, sources);
            for field in &fields {
                let satisfied = reachable
                    .iter()
                    .any(|(i, t)| resolves(&cx.subgraphs[*i], t, field));
                if satisfied || ty.fields.get(*field).is_some_and(|f| f.requires.is_some()) {
                    continue;
                }
                let holders = sources
                    .iter()
                    .filter(|(i, t)| resolves(&cx.subgraphs[*i], t, field))
                    .map(|(i, _)| *i);
                let message = format!(
                    "Field \"{type_name}.{field}\" cannot be resolved for a \"{type_name}\" returned by subgraph \"{}\": that subgraph does not resolve it, and it cannot move to subgraph {} (which resolves it) because type \"{type_name}\" has no @key there whose fields subgraph \"{}\" can provide.",
                    cx.name(*start),
                    cx.names(holders),
                    cx.name(*start),
                );
                cx.diags.error(ErrorCode::SATISFIABILITY_ERROR, message);
            }
        }
    }
}

/// Whether `subgraph` resolves `type.field` itself.
fn resolves(subgraph: &Subgraph, ty: &TypeDef, field: &str) -> bool {
    ty.fields.get(field).is_some_and(|f| {
        let coordinate = (ty.name.clone(), field.to_string());
        !f.external
            || subgraph.provides_coordinates.contains(&coordinate)
            || subgraph.key_coordinates.contains(&coordinate)
    })
}

/// Whether some field of `subgraph` returns `type_name` (directly or as an interface or union it belongs to).
fn returned_in(subgraph: &Subgraph, type_name: &str) -> bool {
    let ty = &subgraph.types[type_name];
    let covers = |name: &str| {
        name == type_name
            || ty.implements.iter().any(|i| i == name)
            || subgraph
                .types
                .get(name)
                .is_some_and(|u| u.members.iter().any(|m| m == type_name))
    };
    subgraph.types.values().any(|owner| {
        owner
            .fields
            .values()
            .any(|f| !f.external && covers(f.ty.inner_named_type().as_str()))
    })
}

/// The subgraphs `start` can reach for this type by `@key` jumps (itself included).
fn reachable_subgraphs<'a>(start: usize, sources: &[Source<'a>]) -> Vec<Source<'a>> {
    let mut reached: Vec<Source<'a>> = sources
        .iter()
        .filter(|(i, _)| *i == start)
        .copied()
        .collect();
    let mut queue: VecDeque<Source<'a>> = reached.iter().copied().collect();
    while let Some((_, from)) = queue.pop_front() {
        for (index, to) in sources {
            if reached.iter().any(|(i, _)| i == index) {
                continue;
            }
            let can_jump = to.keys.iter().any(|key| {
                key.resolvable
                    && top_level_fields(&key.fields)
                        .iter()
                        .all(|f| from.fields.contains_key(f))
            });
            if can_jump {
                reached.push((*index, to));
                queue.push_back((*index, to));
            }
        }
    }
    reached
}

/// The field names a field set selects at its top level (`id org { id }` → `id`, `org`).
fn top_level_fields(fields: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut current = String::new();
    let mut flush = |current: &mut String, depth: usize| {
        if depth == 0 && !current.is_empty() && current != "on" && !current.starts_with("...") {
            names.push(current.clone());
        }
        current.clear();
    };
    for c in fields.chars() {
        match c {
            '{' | '(' => {
                flush(&mut current, depth);
                depth += 1;
            }
            '}' | ')' => {
                flush(&mut current, depth);
                depth = depth.saturating_sub(1);
            }
            c if c.is_alphanumeric() || c == '_' => current.push(c),
            _ => flush(&mut current, depth),
        }
    }
    flush(&mut current, depth);
    names
}
