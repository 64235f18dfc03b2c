//! Plans for `@requires` (chained, circular, with arguments, nested, on an
//! inaccessible field) and `@override` (plain, from a removed subgraph, labels).

mod common;

use common::{plan, planner, try_plan_with};
use switchyard_planner::PlanOptions;

fn requires(operation: &str) -> String {
    plan(&planner("requires"), operation)
}

fn with_labels(operation: &str, labels: &[&str]) -> String {
    let options = PlanOptions {
        enabled_override_labels: labels.iter().map(|l| l.to_string()).collect(),
        ..PlanOptions::default()
    };
    try_plan_with(&planner("override"), operation, &options).unwrap()
}

#[test]
fn requires_a_field_of_the_parent_subgraph() {
    insta::assert_snapshot!(requires("{ products { name tax } }"));
}

#[test]
fn chained_requires_across_three_subgraphs() {
    insta::assert_snapshot!(requires("{ products { total } }"));
}

#[test]
fn requiring_field_with_arguments() {
    insta::assert_snapshot!(requires(
        "query($zip: String!) { products { estimate(zip: $zip) } }"
    ));
}

#[test]
fn circular_requires_between_two_subgraphs() {
    insta::assert_snapshot!(requires("{ products { insurance } }"));
}

#[test]
fn requires_a_nested_selection() {
    insta::assert_snapshot!(requires("{ products { packaging dimensions { depth } } }"));
}

#[test]
fn requires_an_inaccessible_field() {
    insta::assert_snapshot!(requires("{ products { score } }"));
}

#[test]
fn requires_several_fields_share_one_fetch_per_subgraph() {
    insta::assert_snapshot!(requires("{ products { tax score estimate(zip: \"1\") } }"));
}

#[test]
fn override_moves_the_field() {
    insta::assert_snapshot!(with_labels(
        "{ product(id: 1) { name price currency } }",
        &[]
    ));
}

#[test]
fn override_from_a_removed_subgraph() {
    insta::assert_snapshot!(with_labels("{ product(id: 1) { stock } }", &[]));
}

#[test]
fn progressive_override_label_disabled_keeps_the_old_owner() {
    insta::assert_snapshot!(with_labels(
        "{ product(id: 1) { name rating discount } }",
        &[]
    ));
}

#[test]
fn progressive_override_label_enabled_moves_the_field() {
    insta::assert_snapshot!(with_labels(
        "{ product(id: 1) { name rating discount } }",
        &["percent(25)", "pricing-discounts"]
    ));
}

#[test]
fn requires_fields_behind_an_interface_carry_the_typename() {
    insta::assert_snapshot!(requires("{ products { handlingFee container { id } } }"));
}

/// `Widget.final @requires(fields: "doubled")` in `a`, where `doubled` comes
/// from `b` and itself requires `base` from `a`: `final` cannot join the root
/// fetch to `a` and needs its own entity fetch to `a` after `b`.
#[test]
fn requires_on_a_field_of_the_root_subgraph_waits_for_the_required_fetch() {
    insta::assert_snapshot!(plan(&planner("circular_requires"), "{ widget { final } }"));
}

#[test]
fn circular_requires_with_every_step_selected() {
    insta::assert_snapshot!(plan(
        &planner("circular_requires"),
        "{ widget { base doubled final } }"
    ));
}

/// `a.final` requires `doubled`, which `b` resolves only by requiring `final`:
/// no plan exists, and the planner says so instead of recursing.
#[test]
fn requires_that_depend_on_themselves_are_unresolvable() {
    let error = common::try_plan_with(
        &planner("requires_cycle"),
        "{ widget { final } }",
        &PlanOptions::default(),
    )
    .unwrap_err();
    assert!(
        error.to_string().contains("Widget.final"),
        "unexpected error: {error}"
    );
}
