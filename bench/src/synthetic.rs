//! A large synthetic federated graph for planner benchmarks: dozens of subgraphs,
//! hundreds of entity types, keys everywhere, cross-subgraph references and a
//! `@requires` per type, generated in code so its size is a parameter.
//!
//! Subgraph `s{i}` owns types `T{i}_{j}` (`@key(fields: "id")`) with fields
//! `name`, `value`, `next` (a type of its own) and `peer` (the same `j` in the
//! next subgraph), and extends every `T{i+1}_{j}` with `score{i}`, which
//! `@requires(fields: "value")` owned by `s{i+1}`. Planning a walk along `peer`
//! therefore jumps subgraph at every step and needs a requires fetch per score.

use std::fmt::Write as _;

use switchyard_composition::{CompositionErrors, SubgraphDefinition, compose};

/// The shape of the generated graph.
#[derive(Debug, Clone, Copy)]
pub struct Size {
    pub subgraphs: usize,
    pub types_per_subgraph: usize,
}

impl Size {
    /// 40 subgraphs × 8 types: 320 entity types, each in two subgraphs.
    pub const LARGE: Size = Size {
        subgraphs: 40,
        types_per_subgraph: 8,
    };
}

/// The SDL of subgraph `index`.
pub fn subgraph_sdl(size: Size, index: usize) -> String {
    let next_subgraph = (index + 1) % size.subgraphs;
    let mut sdl = String::from(
        "extend schema @link(url: \"https://specs.apollo.dev/federation/v2.3\", \
         import: [\"@key\", \"@external\", \"@requires\"])\n\n",
    );
    let _ = writeln!(
        sdl,
        "type Query {{\n  root{index}: T{index}_0\n  all{index}: [T{index}_0]\n}}\n"
    );
    for j in 0..size.types_per_subgraph {
        let next_type = (j + 1) % size.types_per_subgraph;
        let _ = writeln!(
            sdl,
            "type T{index}_{j} @key(fields: \"id\") {{\n  id: ID!\n  name: String\n  value: Int\n  \
             next: T{index}_{next_type}\n  peer: T{next_subgraph}_{j}\n}}\n"
        );
        let _ = writeln!(
            sdl,
            "type T{next_subgraph}_{j} @key(fields: \"id\") {{\n  id: ID!\n  value: Int @external\n  \
             score{index}: Int @requires(fields: \"value\")\n}}\n"
        );
    }
    sdl
}

/// All subgraph definitions (URLs are placeholders: the graph is only planned).
pub fn subgraphs(size: Size) -> Vec<SubgraphDefinition> {
    (0..size.subgraphs)
        .map(|i| {
            SubgraphDefinition::new(
                format!("s{i}"),
                format!("http://127.0.0.1:1/s{i}"),
                subgraph_sdl(size, i),
            )
        })
        .collect()
}

/// The composed supergraph SDL.
pub fn supergraph(size: Size) -> Result<String, CompositionErrors> {
    Ok(compose(&subgraphs(size))?.supergraph_sdl)
}

/// A query that walks `steps` subgraphs along `peer` from `root0`, asking at
/// each step for a field of the owner and a `@requires` field of the previous
/// subgraph, and branching into `next` once per step.
pub fn walk_query(size: Size, steps: usize) -> String {
    let steps = steps.min(size.subgraphs.saturating_sub(1)).max(1);
    let mut query = String::from("query Walk {\n  root0 {\n    id\n    name\n");
    let mut close = String::from("  }\n}\n");
    for step in 0..steps {
        let _ = write!(
            query,
            "    next {{ name value }}\n    peer {{\n      name\n      score{step}\n"
        );
        close.insert_str(0, "    }\n");
    }
    query.push_str(&close);
    query
}
