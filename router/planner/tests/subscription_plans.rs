//! Subscription plans: the primary (the subscription operation sent once to
//! the subgraph owning the root field) and the rest, run for every event.
//! The fixture (`fixtures/subscriptions.graphql`) is composed from three
//! subgraphs: accounts owns `Subscription`, reviews and products extend its
//! entities.

mod common;

use common::{plan, planner};

/// Every field is the root subgraph's: a primary, nothing after it.
#[test]
fn a_subscription_served_by_its_own_subgraph_has_only_a_primary() {
    insta::assert_snapshot!(plan(
        &planner("subscriptions"),
        "subscription($id: ID!) { userUpdated(id: $id) { id name } }"
    ));
}

/// `reviewCount` is reviews': each event is followed by one entity fetch.
#[test]
fn fields_of_another_subgraph_are_fetched_for_every_event() {
    insta::assert_snapshot!(plan(
        &planner("subscriptions"),
        "subscription($id: ID!) { userUpdated(id: $id) { name reviewCount } }"
    ));
}

/// Two steps after each event: reviews (body, author, product key), then
/// accounts and products in parallel.
#[test]
fn chains_of_entity_fetches_follow_each_event() {
    insta::assert_snapshot!(plan(
        &planner("subscriptions"),
        "subscription { reviewPosted { body author { name } product { name } } }"
    ));
}
