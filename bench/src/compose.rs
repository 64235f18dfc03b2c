//! Composes the benchmark subgraphs into the supergraph committed as
//! `bench/supergraph.graphql`.

use switchyard_composition::{CompositionErrors, SubgraphDefinition, compose};

use crate::subgraphs::Subgraph;

/// The supergraph SDL of the four subgraphs, routed to `url_of(subgraph)`.
pub fn supergraph(url_of: impl Fn(Subgraph) -> String) -> Result<String, CompositionErrors> {
    let definitions: Vec<SubgraphDefinition> = Subgraph::ALL
        .iter()
        .map(|&subgraph| SubgraphDefinition::new(subgraph.name(), url_of(subgraph), subgraph.sdl()))
        .collect();
    Ok(compose(&definitions)?.supergraph_sdl)
}

/// The routing URL of a subgraph on its default port.
pub fn default_url(subgraph: Subgraph) -> String {
    format!("http://127.0.0.1:{}/graphql", subgraph.default_port())
}
