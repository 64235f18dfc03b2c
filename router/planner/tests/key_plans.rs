//! Plans that reach an entity through one of several keys.

mod common;

use common::{plan, planner};

/// `id` comes from `users` (reached by `email`) and is the key `orders` is
/// reached by: `orders` is asked only for `orderCount`, not for `id` again.
#[test]
fn a_key_field_already_fetched_is_not_requested_again() {
    insta::assert_snapshot!(plan(
        &planner("several_keys"),
        "{ subscribers { subscribedSince id orderCount } }"
    ));
}
