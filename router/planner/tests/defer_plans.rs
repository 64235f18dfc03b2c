//! Plans of operations with `@defer`, over the shop fixture: the primary part
//! fetches what is not deferred (and deferred fields its own fetches can
//! select), each deferred part only what serves its fragment alone.

mod common;

use common::{plan, planner};

fn shop(operation: &str) -> String {
    plan(&planner("shop"), operation)
}

#[test]
fn deferred_field_of_the_same_subgraph_is_fetched_by_the_primary_fetch() {
    // `price` comes from products like `name`: one fetch, delivered later.
    let plan = shop(r#"{ product(upc: "1") { name ... @defer { price } } }"#);
    assert!(plan.contains("Defer {"), "{plan}");
    insta::assert_snapshot!(plan);
}

#[test]
fn deferred_field_of_another_subgraph_is_an_entity_fetch_of_the_deferred_part() {
    let plan = shop(r#"{ product(upc: "1") { name ... @defer(label: "stock") { inStock } } }"#);
    insta::assert_snapshot!(plan);
}

#[test]
fn deferred_fragment_in_a_list() {
    insta::assert_snapshot!(shop(
        "{ topProducts { name ... @defer(label: \"reviews\") { reviews { body } } } }"
    ));
}

#[test]
fn defer_if_false_is_an_ordinary_fragment() {
    let plan = shop(r#"{ product(upc: "1") { name ... @defer(if: false) { inStock } } }"#);
    assert!(!plan.contains("Defer"), "{plan}");
    insta::assert_snapshot!(plan);
}

#[test]
fn defer_if_variable_is_decided_at_run_time() {
    insta::assert_snapshot!(shop(
        r#"query($d: Boolean!) { product(upc: "1") { name ... @defer(if: $d) { inStock } } }"#
    ));
}

#[test]
fn nested_defers_are_parts_of_their_own() {
    insta::assert_snapshot!(shop(
        r#"{ product(upc: "1") { name ... @defer(label: "outer") { inStock reviews { body ... @defer(label: "inner") { author { name } } } } } }"#
    ));
}

#[test]
fn deferred_root_field_of_another_subgraph_is_not_fetched_by_the_primary_part() {
    insta::assert_snapshot!(shop(
        r#"{ me { name } ... @defer { topProducts { name } } }"#
    ));
}

#[test]
fn deferred_named_fragment_with_a_requires() {
    insta::assert_snapshot!(shop(
        r#"{ topProducts { name ...Shipping @defer(label: "ship") } } fragment Shipping on Product { shippingEstimate }"#
    ));
}

#[test]
fn defer_in_a_mutation_runs_the_mutation_in_the_primary_part_only() {
    let plan =
        shop(r#"mutation { createProduct(upc: "9", name: "x") { name ... @defer { inStock } } }"#);
    assert_eq!(plan.matches("mutation").count(), 1, "{plan}");
    insta::assert_snapshot!(plan);
}
