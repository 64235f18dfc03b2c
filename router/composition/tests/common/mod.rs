//! Helpers shared by the composition tests.
#![allow(dead_code)]

use apollo_compiler::Schema;
use switchyard_composition::{CompositionErrors, SubgraphDefinition, compose};

/// The `@link` every Federation 2 test subgraph starts with.
pub const FED2: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@shareable", "@external", "@requires", "@provides", "@override", "@inaccessible", "@tag", "@interfaceObject", "@extends", "@composeDirective", "@authenticated", "@requiresScopes", "@policy", "@cost", "@listSize"])"#;

fn definitions(subgraphs: &[(&str, &str)]) -> Vec<SubgraphDefinition> {
    subgraphs
        .iter()
        .map(|(name, sdl)| {
            SubgraphDefinition::new(*name, format!("http://{name}.local/graphql"), *sdl)
        })
        .collect()
}

/// Composes, checks the supergraph is valid GraphQL for apollo-compiler, and returns it.
pub fn supergraph(subgraphs: &[(&str, &str)]) -> String {
    let composed = compose(&definitions(subgraphs))
        .unwrap_or_else(|errors| panic!("composition failed:\n{errors}"));
    if let Err(errors) = Schema::parse_and_validate(&composed.supergraph_sdl, "supergraph.graphql")
    {
        panic!(
            "invalid supergraph:\n{}\n{}",
            errors.errors, composed.supergraph_sdl
        );
    }
    composed.supergraph_sdl
}

/// The supergraph without the fixed link/join definitions every supergraph repeats,
/// so snapshots show what the test is about.
pub fn types(subgraphs: &[(&str, &str)]) -> String {
    let sdl = supergraph(subgraphs);
    let boilerplate = [
        "directive @join__",
        "directive @link(",
        "input join__ContextArgument",
        "scalar join__",
        "scalar link__Import",
        "enum link__Purpose",
    ];
    // A definition starts at an unindented line after a blank line; enum values with
    // descriptions have blank lines too, but indented ones follow them.
    let mut blocks: Vec<String> = Vec::new();
    let mut previous_blank = true;
    for line in sdl.lines() {
        let starts = previous_blank && !line.is_empty() && !line.starts_with([' ', '}', '{']);
        if starts || blocks.is_empty() {
            blocks.push(String::new());
        }
        let block = blocks.last_mut().expect("a block was pushed");
        block.push_str(line);
        block.push('\n');
        previous_blank = line.is_empty();
    }
    blocks
        .into_iter()
        .filter(|block| !boilerplate.iter().any(|b| block.starts_with(b)))
        .collect()
}

/// Composes a set that must fail and returns the printed error list.
pub fn errors(subgraphs: &[(&str, &str)]) -> String {
    match compose(&definitions(subgraphs)) {
        Ok(composed) => panic!(
            "composition should fail but produced:\n{}",
            composed.supergraph_sdl
        ),
        Err(CompositionErrors(errors)) => errors.iter().map(|e| format!("{e}\n")).collect(),
    }
}

/// A Federation 2 subgraph: the standard `@link` followed by `body`.
pub fn fed2(body: &str) -> String {
    format!("{FED2}\n{body}")
}
