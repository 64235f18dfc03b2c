//! Bad input never panics: malformed SDLs, field sets and odd shapes give errors.

mod common;

use common::fed2;
use switchyard_composition::{SubgraphDefinition, compose};

fn compose_one(sdl: &str) -> Result<String, String> {
    compose(&[SubgraphDefinition::new("s", "http://s", sdl)])
        .map(|c| c.supergraph_sdl)
        .map_err(|e| e.to_string())
}

#[test]
fn malformed_inputs_are_errors_not_panics() {
    let cases = [
        String::new(),
        "{".to_string(),
        "type".to_string(),
        "query { a }".to_string(),
        "type Query { a: Int } type Query { a: Int }".to_string(),
        "type Query { a: Int } input Query { a: Int }".to_string(),
        "union U = Query type Query { u: U }".to_string(),
        fed2(r#"type Query { t: T } type T @key(fields: "}{") { id: ID }"#),
        fed2(r#"type Query { t: T } type T @key(fields: "...F") { id: ID }"#),
        fed2(r#"type Query { t: T } type T @key(fields: "... on Missing { id }") { id: ID }"#),
        fed2(r#"type Query { t: T } type T @key(fields: "") { id: ID }"#),
        fed2(r#"type Query { t: T @provides(fields: "id") } type T { id: ID }"#),
        fed2(r#"type Query { t: T } type T @key { id: ID } "#),
        fed2(r#"type Query { t: T @override } type T { id: ID }"#),
        r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [1, {}, {name: 2}])
           type Query { a: Int }"#
            .to_string(),
        r#"extend schema @link(url: 3) type Query { a: Int }"#.to_string(),
        "schema { query: Root } type Root { root: Root }".to_string(),
    ];
    // Each outcome is pinned: an error must say what is wrong, and a case that
    // composes must keep composing.
    let outcomes: Vec<String> = cases
        .iter()
        .map(|sdl| {
            let outcome = match compose_one(sdl) {
                Ok(_) => "composes".to_owned(),
                Err(error) => format!("error: {error}"),
            };
            format!("{sdl}\n  => {outcome}")
        })
        .collect();
    insta::assert_snapshot!(outcomes.join("\n\n"));
    assert!(compose_one("{").is_err());
    assert!(compose_one("").is_err(), "no queries");
}

#[test]
fn recursive_root_type_renamed_composes() {
    let sdl = compose_one("schema { query: Root } type Root { root: Root name: String }")
        .expect("composes");
    assert!(sdl.contains("root: Query"), "{sdl}");
}

#[test]
fn hints_report_dropped_arguments_and_enum_values() {
    let a = fed2(
        "type Query { f(x: Int, y: Int): Int @shareable g(c: Color): Int } enum Color { RED BLUE }",
    );
    let b = fed2("type Query { f(x: Int): Int @shareable h(c: Color): Int } enum Color { RED }");
    let composed = compose(&[
        SubgraphDefinition::new("a", "http://a", a),
        SubgraphDefinition::new("b", "http://b", b),
    ])
    .expect("composes");
    let hints: Vec<String> = composed.hints.iter().map(ToString::to_string).collect();
    insta::assert_snapshot!(hints.join("\n"));
}
