//! Entity fetches to one subgraph that are ready at the same step are one
//! request (`BatchFetch`): one aliased `_entities` selection per part.

mod common;

use common::{plan, planner};

/// `me` and `users` come from one root fetch; the reviews of both are ready
/// after it and go to `reviews` in one request, one part per selection.
#[test]
fn sibling_paths_to_one_subgraph_are_one_request() {
    insta::assert_snapshot!(plan(
        &planner("gateway_benchmark"),
        "{ me { reviews { body } } users { name reviews { id } } }"
    ));
}

/// The same entity type reached twice with the same selection: one part with
/// both paths (its representations are deduplicated together).
#[test]
fn the_same_type_reached_twice_is_one_part_with_two_paths() {
    insta::assert_snapshot!(plan(
        &planner("gateway_benchmark"),
        "{ me { reviews { body } } user(id: \"2\") { reviews { body } } }"
    ));
}

/// A part that only happens under `@include` keeps its condition; the batch is
/// not wrapped in it.
#[test]
fn a_conditional_part_keeps_its_condition() {
    insta::assert_snapshot!(plan(
        &planner("gateway_benchmark"),
        "query($withReviews: Boolean!) { me { reviews @include(if: $withReviews) { body } } users { reviews { id } } }"
    ));
}

/// `users` and `topProducts` come from different subgraphs, so their `reviews`
/// fetches would be in different branches of the tree: the plan is built in
/// stages so they are one request. The representations variables avoid the
/// client's variable names.
#[test]
fn same_step_fetches_in_different_branches_are_batched_in_stages() {
    insta::assert_snapshot!(plan(
        &planner("gateway_benchmark"),
        "query($representations0: Int) { topProducts(first: $representations0) { reviews { body } } users { reviews { id } } }"
    ));
}
