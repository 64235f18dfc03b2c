//! One test per merging rule: inline subgraphs, snapshot of the composed supergraph
//! (without the fixed link/join definitions). Every supergraph is also validated by
//! apollo-compiler in `common::supergraph`.

mod common;

use common::{fed2, supergraph, types};
use insta::assert_snapshot;

#[test]
fn full_supergraph_has_link_join_definitions_and_graph_enum() {
    let a = fed2("type Query { hello: String }");
    assert_snapshot!(supergraph(&[("hello-world", &a)]));
}

#[test]
fn entity_fields_merge_and_join_field_marks_owners() {
    let a =
        fed2(r#"type Query { me: User } type User @key(fields: "id") { id: ID! name: String }"#);
    let b = fed2(r#"type User @key(fields: "id") { id: ID! reviews: [String!]! }"#);
    assert_snapshot!(types(&[("accounts", &a), ("reviews", &b)]));
}

#[test]
fn several_compound_nested_and_unresolvable_keys() {
    let a = fed2(
        r#"type Query { m: Membership }
        type User @key(fields: "id") @key(fields: "email") { id: ID! email: String! }
        type Org @key(fields: "id") { id: ID! }
        type Membership @key(fields: "user { id } org { id }") @key(fields: "id kind") { id: ID! kind: String! user: User! org: Org! }"#,
    );
    let b = fed2(
        r#"type Membership @key(fields: "user { id } org { id }", resolvable: false) { user: User! org: Org! }
        type User @key(fields: "id", resolvable: false) { id: ID! }
        type Org @key(fields: "id", resolvable: false) { id: ID! }"#,
    );
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn shareable_value_type_fields_need_no_join_field() {
    let a = fed2("type Query { a: Money } type Money @shareable { amount: Int currency: String }");
    let b = fed2("type Query { b: Money } type Money @shareable { amount: Int currency: String }");
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn output_field_type_is_the_most_general_with_type_per_subgraph() {
    let a = fed2(
        r#"type Query { t: T } type T @key(fields: "id") { id: ID! name: String! @shareable tags: [String!]! @shareable }"#,
    );
    let b = fed2(
        r#"type T @key(fields: "id") { id: ID! name: String @shareable tags: [String] @shareable }"#,
    );
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn output_field_type_may_be_an_interface_a_subgraph_narrows() {
    let a = fed2(
        r#"interface Node { id: ID! } type Query { node: Node @shareable }
        type User implements Node @key(fields: "id") { id: ID! }"#,
    );
    let b =
        fed2(r#"type Query { node: User @shareable } type User @key(fields: "id") { id: ID! }"#);
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn requires_and_provides_are_carried_with_external_fields() {
    let products = fed2(
        r#"type Query { products: [Product] } type Product @key(fields: "upc") { upc: String! weight: Int name: String @shareable }"#,
    );
    let shipping = fed2(
        r#"type Product @key(fields: "upc") { upc: String! weight: Int @external cost(express: Boolean = false): Int @requires(fields: "weight") }"#,
    );
    let reviews = fed2(
        r#"type Query { top: [Review] } type Review { product: Product @provides(fields: "name") }
        type Product @key(fields: "upc") { upc: String! name: String @external }"#,
    );
    assert_snapshot!(types(&[
        ("products", &products),
        ("shipping", &shipping),
        ("reviews", &reviews)
    ]));
}

#[test]
fn override_moves_a_field_and_keeps_used_or_labelled_sources() {
    let a = fed2(
        r#"type Query { bills: [Bill] } type Bill @key(fields: "id") { id: ID! amount: Int sku: String status: String }"#,
    );
    let b = fed2(
        r#"type Bill @key(fields: "id") @key(fields: "sku") { id: ID! amount: Int @override(from: "a", label: "percent(10)")
        sku: String @override(from: "a") status: String @override(from: "a") note: String @override(from: "gone") }"#,
    );
    let c = fed2(r#"type Bill @key(fields: "sku") { sku: String total: Int }"#);
    assert_snapshot!(types(&[("a", &a), ("b", &b), ("c", &c)]));
}

#[test]
fn interfaces_and_implementations_per_subgraph() {
    let a = fed2(
        r#"type Query { items: [Item] } interface Item { id: ID! }
        type Book implements Item @key(fields: "id") { id: ID! title: String }"#,
    );
    let b = fed2(
        r#"interface Item { id: ID! } type Book implements Item @key(fields: "id") { id: ID! pages: Int }
        type Movie implements Item @key(fields: "id") { id: ID! }"#,
    );
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn interface_object_adds_fields_to_the_interface_and_its_implementations() {
    let a = fed2(
        r#"type Query { media: [Media] } interface Media @key(fields: "id") { id: ID! title: String }
        type Book implements Media @key(fields: "id") { id: ID! title: String }"#,
    );
    let b = fed2(r#"type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }"#);
    assert_snapshot!(types(&[("media", &a), ("ratings", &b)]));
}

#[test]
fn union_members_per_subgraph() {
    let a = fed2(
        r#"type Query { s: [R] } union R = A | B type A @key(fields: "id") { id: ID! } type B @key(fields: "id") { id: ID! }"#,
    );
    let b = fed2(
        r#"union R = B | C type B @key(fields: "id") { id: ID! } type C { c: Int } type Query { c: C }"#,
    );
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn output_enum_takes_the_union_of_values() {
    let a = fed2("type Query { a: Color } enum Color { RED GREEN }");
    let b = fed2("type Query { b: Color } enum Color { RED BLUE }");
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn input_enum_takes_the_intersection_of_values() {
    let a = fed2("type Query { a(c: Color): Int } enum Color { RED GREEN }");
    let b = fed2("type Query { b(c: Color): Int } enum Color { RED BLUE }");
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn input_object_takes_common_fields_with_the_most_specific_type() {
    let a = fed2("type Query { a(i: In): Int } input In { x: Int! y: Int z: String = \"z\" }");
    let b = fed2("type Query { b(i: In): Int } input In { x: Int y: Int z: String = \"z\" }");
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn arguments_take_the_intersection_and_the_most_specific_type() {
    let a = fed2(r#"type Query { f(a: Int, b: String!, c: Boolean): Int @shareable }"#);
    let b = fed2(r#"type Query { f(a: Int!, b: String): Int @shareable }"#);
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn descriptions_and_deprecations_are_carried() {
    let a = fed2(
        "\"\"\"The root\"\"\" type Query {\n \"\"\"Greets\nsomeone\"\"\" hello(\"\"\"who\"\"\" name: String): String @deprecated(reason: \"use hi\")\n}\n\"Colors\" enum Color { \"red\" RED BLUE @deprecated }\ntype T { c: Color }\nextend type Query { t: T }",
    );
    assert_snapshot!(types(&[("a", &a)]));
}

#[test]
fn inaccessible_and_tag_are_carried_and_linked() {
    let a = fed2(
        r#"type Query { users(debug: Boolean @inaccessible): [User] @tag(name: "public") }
        type User @key(fields: "id") @tag(name: "entity") { id: ID! ssn: String @inaccessible role: Role }
        enum Role { ADMIN SYSTEM @inaccessible }
        type Secret @inaccessible { v: String } extend type Query { s: Secret @inaccessible }"#,
    );
    let b = fed2(
        r#"type User @key(fields: "id") { id: ID! age: Int @tag(name: "private") @tag(name: "public") }"#,
    );
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn authorization_and_cost_directives_are_carried() {
    let a = fed2(
        r#"type Query { me: User @authenticated stats: Int @requiresScopes(scopes: [["admin"], ["ops", "read"]]) @cost(weight: 5)
        list(first: Int): [User] @listSize(slicingArguments: ["first"], assumedSize: 10) }
        type User @key(fields: "id") { id: ID! email: String @policy(policies: [["pii"]]) }"#,
    );
    let b = fed2(
        r#"type User @key(fields: "id") { id: ID! email: String @shareable @cost(weight: 2) }"#,
    );
    let a = a.replace("email: String @policy", "email: String @shareable @policy");
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn compose_directive_carries_a_custom_directive_and_its_link() {
    let a = r#"extend schema
        @link(url: "https://specs.apollo.dev/federation/v2.5", import: ["@key", "@composeDirective"])
        @link(url: "https://example.com/cache/v1.0", import: ["@cacheControl"])
        @composeDirective(name: "@cacheControl")
      directive @cacheControl(maxAge: Int) on FIELD_DEFINITION | OBJECT
      type Query { now: String @cacheControl(maxAge: 10) }"#;
    assert_snapshot!(types(&[("a", a)]));
}

#[test]
fn custom_scalars_and_specified_by_are_carried() {
    let a = fed2(
        r#"scalar DateTime @specifiedBy(url: "https://tools.ietf.org/html/rfc3339") type Query { now: DateTime }"#,
    );
    let b = fed2("scalar DateTime type Query { later: DateTime }");
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn renamed_and_prefixed_federation_imports() {
    let a = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{ name: "@key", as: "@id" }])
      type Query { t: T } type T @id(fields: "id") { id: ID! name: String @federation__shareable }"#;
    let b = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", as: "fed")
      type T @fed__key(fields: "id") { id: ID! name: String @fed__shareable secret: String @fed__inaccessible }"#;
    assert_snapshot!(types(&[("a", a), ("b", b)]));
}

#[test]
fn federation_1_subgraphs_extend_entities_and_share_value_types() {
    let accounts = r#"type Query { me: User } type User @key(fields: "id") { id: ID! name: String } type Money { amount: Int }"#;
    let reviews = r#"extend type User @key(fields: "id") { id: ID! @external name: String @external reviews: [String] greeting: String @requires(fields: "name") unused: Int @external }
      type Money { amount: Int } extend type Query { price: Money }"#;
    assert_snapshot!(types(&[("accounts", accounts), ("reviews", reviews)]));
}

#[test]
fn federation_2_extensions_are_marked() {
    let a = fed2(
        r#"type Query { u: User } extend type User @key(fields: "id") { id: ID! nick: String } type Team @extends @key(fields: "id") { id: ID! }"#,
    );
    let b = fed2(
        r#"type User @key(fields: "id") { id: ID! name: String } type Team @key(fields: "id") { id: ID! size: Int }"#,
    );
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn service_sdl_with_built_ins_and_renamed_root_is_normalised() {
    let a = r#"schema @link(url: "https://specs.apollo.dev/link/v1.0") @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "FieldSet"]) { query: Root mutation: Mut }
      directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
      directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
      scalar FieldSet scalar _Any scalar link__Import enum link__Purpose { SECURITY EXECUTION }
      type _Service { sdl: String } union _Entity = W
      type Root { w: W _entities(representations: [_Any!]!): [_Entity]! _service: _Service! }
      type Mut { touch: W }
      type W @key(fields: "id") { id: ID! }"#;
    let b = "type Query { _service: _Service! }";
    assert_snapshot!(types(&[("a", a), ("b", b)]));
}

#[test]
fn composed_supergraph_is_deterministic() {
    let a = fed2(r#"type Query { u: User } type User @key(fields: "id") { id: ID! }"#);
    let b = fed2(r#"type User @key(fields: "id") { id: ID! x: Int }"#);
    assert_eq!(
        supergraph(&[("a", &a), ("b", &b)]),
        supergraph(&[("a", &a), ("b", &b)])
    );
}

#[test]
fn entity_field_missing_in_a_subgraph_is_reached_through_a_key() {
    let a = fed2(r#"type Query { a: T } type T @key(fields: "id") { id: ID! x: Int }"#);
    let b = fed2(r#"type Query { b: T } type T @key(fields: "id") { id: ID! y: Int }"#);
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn labelled_override_of_a_key_field_keeps_it_used_in_the_source() {
    let a = fed2(
        r#"type Query { t: T } type T @key(fields: "id") @key(fields: "code") { id: ID! code: String! }"#,
    );
    let b = fed2(
        r#"type T @key(fields: "id") { id: ID! code: String! @override(from: "a", label: "percent(50)") }"#,
    );
    assert_snapshot!(types(&[("a", &a), ("b", &b)]));
}

#[test]
fn from_context_arguments_become_context_arguments_of_join_field() {
    let a = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.8", import: ["@key", "@context", "@fromContext"])
      type Query { t: T }
      type T @key(fields: "id") @context(name: "user") { id: ID! locale: String! prefs: Prefs! }
      type Prefs @key(fields: "id") { id: ID! greeting(locale: String @fromContext(field: "$user { locale }"), polite: Boolean): String }"#;
    assert_snapshot!(types(&[("accounts", a)]));
}
