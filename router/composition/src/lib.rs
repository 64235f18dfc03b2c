//! Composes Federation subgraph SDLs into an Apollo-format supergraph SDL.
//!
//! Switchyard composes inside the router so that users can point it at subgraphs
//! and run. The output is the same format Apollo's composition produces (`@link`ed
//! join v0.5 spec, `@join__*` directives), so any federation router can load it.
//!
//! The crate is pure: no I/O and no async. Composition runs in phases, each in its
//! own module: parse and normalise each subgraph (`parse`, `build`), validate it on its
//! own (`validate`), merge all of them (`merge`), print (`print`). Every
//! error of every phase is collected and returned together.
//!
//! What it reads: Federation 2 subgraphs (`@link` to `federation/v2.x`, directives
//! imported, renamed with `as:` or prefixed `@federation__`) and Federation 1 ones
//! (no `@link`: `extend type`/`@extends`, `@external` keys, every field shareable),
//! with or without the federation built-ins `_service { sdl }` may print.
//!
//! Not implemented (yet):
//! `@join__directive`, and Apollo's full query-graph satisfiability analysis (a
//! reduced check covers fields a subgraph returning a type cannot reach through keys).
//! `tests/composition-diff` compares the output with The Guild's composer on 40+ cases.

mod build;
mod directives;
mod error;
mod fieldset;
mod links;
mod merge;
mod meta;
mod model;
mod parse;
mod print;
mod supergraph;
mod types;
mod validate;

pub use error::{CompositionError, CompositionErrors, ErrorCode, Hint};

use error::Diagnostics;
use std::collections::HashSet;

/// One subgraph to compose: its name (as `@override(from:)` and `join__Graph` know it),
/// the URL the router will send its requests to, and its SDL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubgraphDefinition {
    pub name: String,
    pub url: String,
    pub sdl: String,
}

impl SubgraphDefinition {
    pub fn new(name: impl Into<String>, url: impl Into<String>, sdl: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            url: url.into(),
            sdl: sdl.into(),
        }
    }
}

/// A successful composition.
#[derive(Debug, Clone)]
pub struct Composed {
    pub supergraph_sdl: String,
    /// Non-fatal remarks, e.g. an optional argument dropped because not all subgraphs have it.
    pub hints: Vec<Hint>,
}

/// Composes `subgraphs` into a supergraph, or returns every error found.
pub fn compose(subgraphs: &[SubgraphDefinition]) -> Result<Composed, CompositionErrors> {
    let mut diags = Diagnostics::default();
    if subgraphs.is_empty() {
        diags.error(ErrorCode::NO_QUERIES, "No subgraphs to compose.");
    }
    let mut seen = HashSet::new();
    for subgraph in subgraphs {
        if subgraph.name.trim().is_empty() {
            diags.error(
                ErrorCode::INVALID_SUBGRAPH_NAME,
                "A subgraph name must not be empty.",
            );
        } else if !seen.insert(subgraph.name.as_str()) {
            diags.error(
                ErrorCode::INVALID_SUBGRAPH_NAME,
                format!(
                    "Subgraph name \"{}\" is used more than once.",
                    subgraph.name
                ),
            );
        }
    }
    let graphs = graph_values(subgraphs);
    let mut parsed = Vec::new();
    for (definition, graph) in subgraphs.iter().zip(graphs) {
        if let Some(mut subgraph) = parse::parse_subgraph(definition, graph, &mut diags) {
            validate::validate_subgraph(&mut subgraph, &mut diags);
            parsed.push(subgraph);
        }
    }
    if !diags.errors.is_empty() {
        return Err(CompositionErrors(diags.errors));
    }
    let supergraph = merge::merge(&parsed, &mut diags);
    if !diags.errors.is_empty() {
        return Err(CompositionErrors(diags.errors));
    }
    Ok(Composed {
        supergraph_sdl: print::print(&supergraph),
        hints: diags.hints,
    })
}

/// The `enum join__Graph` value of each subgraph: its name upper-cased with every
/// character that is not valid in a GraphQL name replaced by `_`, made unique.
fn graph_values(subgraphs: &[SubgraphDefinition]) -> Vec<String> {
    let mut used = HashSet::new();
    subgraphs
        .iter()
        .map(|subgraph| {
            let mut base: String = subgraph
                .name
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() {
                        c.to_ascii_uppercase()
                    } else {
                        '_'
                    }
                })
                .collect();
            if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
                base.insert(0, '_');
            }
            let mut value = base.clone();
            let mut n = 1;
            while !used.insert(value.clone()) {
                value = format!("{base}_{n}");
                n += 1;
            }
            value
        })
        .collect()
}
