//! One test per composition error: inline subgraphs that must not compose, and a
//! snapshot of every error reported (code, subgraphs, coordinates).

mod common;

use common::{errors, fed2};
use insta::assert_snapshot;

#[test]
fn invalid_graphql_names_the_subgraph() {
    assert_snapshot!(errors(&[
        ("broken", "type Query { a: }"),
        ("ok", &fed2("type Query { b: Int }"))
    ]));
}

#[test]
fn unknown_type_reference_is_invalid_graphql() {
    assert_snapshot!(errors(&[("a", &fed2("type Query { a: Missing }"))]));
}

#[test]
fn non_shareable_field_in_two_subgraphs() {
    let a =
        fed2(r#"type Query { me: User } type User @key(fields: "id") { id: ID! name: String }"#);
    let b = fed2(
        r#"type Query { me: User @shareable } type User @key(fields: "id") { id: ID! name: String }"#,
    );
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn incompatible_field_types() {
    let a =
        fed2(r#"type Query { t: T } type T @key(fields: "id") { id: ID! size: Int @shareable }"#);
    let b = fed2(r#"type T @key(fields: "id") { id: ID! size: [Int] @shareable }"#);
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn incompatible_argument_types_and_defaults() {
    let a = fed2(r#"type Query { f(x: Int, y: Int = 1): Int @shareable }"#);
    let b = fed2(r#"type Query { f(x: String, y: Int = 2): Int @shareable }"#);
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn key_field_sets_that_do_not_parse_or_name_missing_fields() {
    let a = fed2(
        r#"type Query { t: T u: U v: V }
        type T @key(fields: "id missing") { id: ID! }
        type U @key(fields: "id {") { id: ID! }
        type V @key(fields: "node") @key(fields: "node { id }") @key(fields: "id(x: 1)") { node: N id(x: Int): ID }
        interface N { id: ID! }"#,
    );
    assert_snapshot!(errors(&[("a", &a)]));
}

#[test]
fn requires_field_sets_that_are_invalid_or_not_external() {
    let a =
        fed2(r#"type Query { t: T } type T @key(fields: "id") { id: ID! weight: Int price: Int }"#);
    let b = fed2(
        r#"type T @key(fields: "id") { id: ID! weight: Int @external price: Int
        cost: Int @requires(fields: "wieght") tax: Int @requires(fields: "price") ship: Int @requires(fields: "weight") }"#,
    );
    let b = b.replace("price: Int\n", "price: Int @shareable\n");
    let a = a.replace("price: Int }", "price: Int @shareable }");
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn provides_field_sets_that_are_invalid_or_on_leaf_fields() {
    let a = fed2(
        r#"type Query { r: Review n: Int @provides(fields: "x") }
        type Review { author: User @provides(fields: "nmae") }
        type User @key(fields: "id") { id: ID! name: String @external }"#,
    );
    let b = fed2(r#"type User @key(fields: "id") { id: ID! name: String }"#);
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn unused_external_field() {
    let a = fed2(r#"type Query { t: T } type T @key(fields: "id") { id: ID! weight: Int }"#);
    let b = fed2(r#"type T @key(fields: "id") { id: ID! weight: Int @external }"#);
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn external_field_without_a_definition_anywhere() {
    let a = fed2(
        r#"type Query { t: T } type T @key(fields: "id") { id: ID! weight: Int @external cost: Int @requires(fields: "weight") }"#,
    );
    assert_snapshot!(errors(&[("a", &a)]));
}

#[test]
fn empty_merged_enum_and_input_types() {
    let a = fed2("type Query { a(c: Color, i: In): Int } enum Color { RED } input In { x: Int }");
    let b = fed2("type Query { b(c: Color, i: In): Int } enum Color { BLUE } input In { y: Int }");
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn enum_used_as_input_and_output_must_match() {
    let a = fed2("type Query { a(c: Color): Color } enum Color { RED GREEN }");
    let b = fed2("type Query { b: Color } enum Color { RED }");
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn required_argument_or_input_field_missing_in_a_subgraph() {
    let a = fed2(
        "type Query { items(first: Int!): [String] @shareable f(i: In): Int } input In { x: Int! y: Int }",
    );
    let b = fed2("type Query { items: [String] @shareable g(i: In): Int } input In { y: Int }");
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn type_kind_mismatch() {
    let a = fed2("type Query { a: Thing } type Thing { id: ID }");
    let b = fed2("type Query { b: Thing @shareable } interface Thing { id: ID }");
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn override_from_self_and_on_external() {
    let a = fed2(
        r#"type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @override(from: "a")
        y: Int @external @override(from: "b") z: Int @requires(fields: "y") }"#,
    );
    let b = fed2(r#"type T @key(fields: "id") { id: ID! y: Int }"#);
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn interface_field_missing_on_an_implementation() {
    let a = fed2("type Query { i: I } interface I { id: ID! } type A implements I { id: ID! }");
    let b = fed2(
        "interface I { id: ID! name: String } type B implements I { id: ID! name: String } type Query { b: B }",
    );
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn unknown_federation_import_for_the_linked_version() {
    let a = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.0", import: ["@key", "@interfaceObject", "@nope"])
      type Query { a: Int }"#;
    assert_snapshot!(errors(&[("a", a)]));
}

#[test]
fn duplicate_subgraph_names() {
    let a = fed2("type Query { a: Int }");
    assert_snapshot!(errors(&[("a", &a), ("a", &a)]));
}

#[test]
fn no_queries() {
    let a = fed2(r#"type T @key(fields: "id") { id: ID! }"#);
    assert_snapshot!(errors(&[("a", &a)]));
}

#[test]
fn every_error_is_reported_at_once() {
    let a = fed2(
        r#"type Query { me: User } type User @key(fields: "id") { id: ID! name: String size: Int @shareable }"#,
    );
    let b = fed2(
        r#"type Query { me: User } type User @key(fields: "id") { id: ID! name: String size: String @shareable }"#,
    );
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn value_type_field_unreachable_from_a_subgraph_returning_it() {
    let a =
        fed2("type Query { a: Address } type Address @shareable { street: String zip: String }");
    let b = fed2("type Query { b: Address } type Address @shareable { street: String }");
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}

#[test]
fn inaccessible_elements_must_leave_a_valid_api_schema() {
    let a = fed2(
        r#"type Query { s: Secret f(token: String! @inaccessible): Int hidden: Int @inaccessible }
        type Secret @inaccessible { v: String }
        enum Mode { ON @inaccessible } input In { m: Mode x: Int @inaccessible } extend type Query { g(i: In): Int }"#,
    );
    assert_snapshot!(errors(&[("a", &a)]));
}

#[test]
fn entity_interface_key_missing_on_an_implementation() {
    let a = fed2(
        r#"type Query { n: Node } interface Node @key(fields: "id") { id: ID! }
        type A implements Node @key(fields: "id") { id: ID! } type B implements Node { id: ID! }"#,
    );
    assert_snapshot!(errors(&[("a", &a)]));
}

#[test]
fn interface_object_without_key() {
    let a = fed2(r#"type Query { m: Media } type Media @interfaceObject { id: ID! }"#);
    assert_snapshot!(errors(&[("a", &a)]));
}

#[test]
fn interface_object_without_an_interface_in_any_subgraph() {
    let b =
        fed2(r#"type Query { n: Note } type Note @key(fields: "id") @interfaceObject { id: ID! }"#);
    assert_snapshot!(errors(&[("b", &b)]));
}

#[test]
fn directive_used_without_import_in_a_federation_2_subgraph() {
    let a = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type Query { t: T } type T @key(fields: "id") { id: ID! name: String @shareable @custom }"#;
    assert_snapshot!(errors(&[("a", a)]));
}

#[test]
fn external_copy_with_another_type_than_where_it_is_resolved() {
    let a = fed2(r#"type Query { t: T } type T @key(fields: "id") { id: ID! weight: Int! }"#);
    let b = fed2(
        r#"type T @key(fields: "id") { id: ID! weight: Int @external cost: Int @requires(fields: "weight") }"#,
    );
    assert_snapshot!(errors(&[("a", &a), ("b", &b)]));
}
