//! `@context` / `@fromContext` (join v0.5 `contextArguments`): a field taking
//! an argument from an ancestor gets an entity fetch of its own, whose
//! operation declares a variable per context argument; the plan says where
//! the executor reads each value (how far up, on which types, which keys),
//! and the context selection is planned on the ancestor.

mod common;

use common::{plan, planner, planner_from_sdl};

#[test]
fn field_in_the_subgraph_setting_the_context_gets_an_entity_fetch() {
    insta::assert_snapshot!(plan(
        &planner("from_context"),
        "{ t { prefs { greeting(polite: true) } } }"
    ));
}

#[test]
fn fields_next_to_it_still_plan() {
    insta::assert_snapshot!(plan(
        &planner("from_context"),
        "{ t { locale prefs { id } } }"
    ));
}

#[test]
fn client_selection_of_the_context_field_is_shared() {
    insta::assert_snapshot!(plan(
        &planner("from_context"),
        "{ t { locale prefs { greeting } } }"
    ));
}

#[test]
fn client_alias_on_the_context_key_does_not_clobber_it() {
    insta::assert_snapshot!(plan(
        &planner("from_context"),
        "{ t { locale: id prefs { greeting } } }"
    ));
}

fn corpus(case: &str) -> switchyard_planner::QueryPlanner {
    let path = format!(
        "{}/../../tests/federation-corpus/cases/context/{case}/supergraph.graphql",
        env!("CARGO_MANIFEST_DIR")
    );
    planner_from_sdl(&std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}")))
}

#[test]
fn context_from_a_parent_in_another_subgraph_for_a_list_of_children() {
    insta::assert_snapshot!(plan(
        &corpus("parent-entity-list"),
        "{ users { name posts { id title(upper: false) } } }"
    ));
}

#[test]
fn nested_contexts_each_field_reads_its_nearest_ancestor() {
    insta::assert_snapshot!(plan(
        &corpus("same-subgraph-nested"),
        "{ root { doc { label } sub { doc { label } sub { doc { label } } } } }"
    ));
}

#[test]
fn two_ancestor_types_set_the_context_fetched_through_a_jump() {
    insta::assert_snapshot!(plan(
        &corpus("two-ancestor-types"),
        "{ stores { item { price } } markets { items { price } } }"
    ));
}

#[test]
fn ancestor_of_an_abstract_type_is_matched_by_its_concrete_type() {
    insta::assert_snapshot!(plan(
        &planner("from_context_interface"),
        "{ nodes { ... on Shop { item { price } } ... on Blog { item { price } } } }"
    ));
}
