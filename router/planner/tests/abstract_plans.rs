//! Plans over interfaces and unions whose members differ per subgraph, and over
//! `@interfaceObject`.

mod common;

use common::{plan, planner};

fn abstract_types(operation: &str) -> String {
    plan(&planner("abstract"), operation)
}

fn interface_object(operation: &str) -> String {
    plan(&planner("interface_object"), operation)
}

#[test]
fn interface_fields_resolvable_everywhere_stay_at_interface_level() {
    insta::assert_snapshot!(abstract_types("{ items { id title } }"));
}

#[test]
fn fragment_on_a_type_the_subgraph_does_not_know_is_not_sent() {
    insta::assert_snapshot!(abstract_types(
        "{ items { title ... on Game { platform } ... on Book { pages } } }"
    ));
}

#[test]
fn fragment_on_a_member_resolved_elsewhere_jumps_per_type() {
    insta::assert_snapshot!(abstract_types("{ items { ... on Movie { duration } } }"));
}

#[test]
fn interface_field_unknown_to_the_subgraph_expands_to_type_conditions() {
    insta::assert_snapshot!(abstract_types("{ items { price } }"));
}

#[test]
fn union_members_differ_per_subgraph() {
    insta::assert_snapshot!(abstract_types(
        "{ search(q: \"x\") { __typename ... on Book { title } ... on Movie { title duration } ... on Game { platform } } }"
    ));
}

#[test]
fn other_subgraph_union_members() {
    insta::assert_snapshot!(abstract_types(
        "{ mediaSearch { ... on Book { pages } ... on Movie { title } ... on Game { title } } }"
    ));
}

#[test]
fn same_response_key_with_different_subgraph_types_gets_an_internal_alias() {
    insta::assert_snapshot!(abstract_types(
        "{ items { ... on Book { code } ... on Movie { code } } }"
    ));
}

#[test]
fn provides_on_a_union() {
    insta::assert_snapshot!(abstract_types(
        "{ searchWithTitles(q: \"x\") { ... on Book { title pages } ... on Movie { title } } }"
    ));
}

#[test]
fn provides_on_an_interface() {
    insta::assert_snapshot!(abstract_types(
        "{ catalogDeals { ... on Movie { price } } }"
    ));
}

#[test]
fn nested_provides() {
    insta::assert_snapshot!(abstract_types(
        "{ topMovie { title studio { name founded } } }"
    ));
}

#[test]
fn fragment_on_the_interface_inside_a_union_position() {
    insta::assert_snapshot!(abstract_types(
        "{ mediaSearch { ... on Item { id title } } }"
    ));
}

#[test]
fn interface_object_field_from_the_owner_rewrites_typename() {
    insta::assert_snapshot!(interface_object("{ products { title averageRating } }"));
}

#[test]
fn interface_object_root_gets_concrete_typename_from_the_owner() {
    insta::assert_snapshot!(interface_object(
        "{ topRated { averageRating __typename ... on Book { author } } }"
    ));
}

#[test]
fn interface_object_fields_resolved_in_the_interface_object_subgraph() {
    insta::assert_snapshot!(interface_object(
        "{ topRated { id averageRating reviews { stars } } }"
    ));
}

#[test]
fn non_resolvable_interface_object_jumps_to_the_owner() {
    insta::assert_snapshot!(interface_object(
        "{ featured { title ... on Movie { director } } }"
    ));
}

#[test]
fn interface_object_between_two_interface_object_subgraphs() {
    insta::assert_snapshot!(interface_object("{ featured { averageRating } }"));
}

#[test]
fn shareable_field_jump_picks_the_subgraph_its_siblings_need() {
    // Movie.title is in catalog and media, duration only in media: asked first,
    // title must still go to media so that one fetch serves both.
    insta::assert_snapshot!(abstract_types(
        "{ search(q: \"m\") { ... on Movie { title duration } } }"
    ));
}

#[test]
fn typename_inside_fragments_on_union_members() {
    insta::assert_snapshot!(abstract_types(
        "{ search(q: \"x\") { ... on Book { __typename pages } ... on Movie { kind: __typename } } }"
    ));
}

#[test]
fn named_fragment_on_an_interface_spread_into_a_union() {
    insta::assert_snapshot!(abstract_types(
        "query { mediaSearch { ...ItemFields } } fragment ItemFields on Item { title ... on Movie { duration } }"
    ));
}

#[test]
fn fragment_emptied_by_a_literal_skip_sends_nothing_for_it() {
    insta::assert_snapshot!(interface_object(
        "{ topRated { averageRating ... on Book { author @skip(if: true) } } }"
    ));
}

/// Type conditions under an `@interfaceObject` field: the owner of the
/// interface is asked for `__typename` with the concrete fields, so the
/// placeholder `"Account"` the interface object reported is replaced before
/// `... on Business` is matched.
#[test]
fn type_conditions_below_an_interface_object_fetch_the_concrete_typename() {
    insta::assert_snapshot!(plan(
        &planner("interface_object_accounts"),
        "{ richest { ... on Business { vat } ... on Personal { owner } balance } }"
    ));
}

/// An interface-object field under a type condition reached from another
/// interface object: the owner gives the concrete type first, then the
/// interface object that resolves the field is asked for the `Book`s only.
#[test]
fn interface_object_field_under_a_type_condition_waits_for_the_concrete_type() {
    insta::assert_snapshot!(interface_object(
        "{ featured { ... on Book { averageRating } } }"
    ));
}
