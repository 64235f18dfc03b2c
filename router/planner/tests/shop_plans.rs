//! Plans over the shop fixture: keys of every shape, requires, provides,
//! shareable root fields, mutations, conditions, aliases, fragments.

mod common;

use common::{plan, planner};

fn shop(operation: &str) -> String {
    plan(&planner("shop"), operation)
}

#[test]
fn single_subgraph_query_is_one_fetch() {
    insta::assert_snapshot!(shop("{ topProducts { upc name price } }"));
}

#[test]
fn single_key_jump_adds_key_and_typename_to_parent() {
    insta::assert_snapshot!(shop("{ topProducts { name inStock } }"));
}

#[test]
fn two_jumps_from_one_parent_run_in_parallel() {
    insta::assert_snapshot!(shop("{ topProducts { name inStock reviews { body } } }"));
}

#[test]
fn independent_root_fields_run_in_parallel() {
    insta::assert_snapshot!(shop("{ me { name } topProducts { name } }"));
}

#[test]
fn nested_jumps_are_sequential() {
    insta::assert_snapshot!(shop("{ me { reviews { body product { name inStock } } } }"));
}

#[test]
fn multiple_keys_pick_the_one_the_parent_can_provide() {
    // products knows both `upc` and `sku`; reviews only accepts `sku`.
    insta::assert_snapshot!(shop("{ product(upc: \"1\") { reviews { body } } }"));
}

#[test]
fn key_unavailable_in_parent_goes_through_an_intermediate_subgraph() {
    // inventory only knows `upc`, reviews only accepts `sku`: products bridges.
    insta::assert_snapshot!(shop(
        "{ warehouse(id: \"1\", country: \"NL\") { products { reviews { body } } } }"
    ));
}

#[test]
fn compound_key() {
    insta::assert_snapshot!(shop(
        "{ warehouse(id: \"1\", country: \"NL\") { name manager { name } } }"
    ));
}

#[test]
fn nested_key() {
    insta::assert_snapshot!(shop(
        "{ product(upc: \"1\") { stockItems { quantity label } } }"
    ));
}

#[test]
fn non_resolvable_key_jumps_to_the_owner() {
    insta::assert_snapshot!(shop("{ topReviews { body category { id name } } }"));
}

#[test]
fn non_resolvable_key_field_available_locally_needs_no_jump() {
    insta::assert_snapshot!(shop("{ topReviews { category { id } } }"));
}

#[test]
fn requires_with_arguments_fetches_required_fields_first() {
    insta::assert_snapshot!(shop("{ topProducts { shippingEstimate } }"));
}

#[test]
fn requires_field_with_other_arguments_than_the_client_gets_an_internal_alias() {
    insta::assert_snapshot!(shop("{ topProducts { price shippingEstimate } }"));
}

#[test]
fn requires_from_a_subgraph_reached_by_a_jump() {
    insta::assert_snapshot!(shop("{ topReviews { product { shippingEstimate } } }"));
}

#[test]
fn provides_avoids_a_jump() {
    insta::assert_snapshot!(shop(
        "{ topReviews { author { username } product { name } } }"
    ));
}

#[test]
fn field_outside_provides_still_jumps() {
    insta::assert_snapshot!(shop("{ topReviews { author { username name } } }"));
}

#[test]
fn provides_applies_below_a_jump() {
    insta::assert_snapshot!(shop("{ me { reviews { author { username } } } }"));
}

#[test]
fn shareable_root_field_joins_the_fetch_already_needed() {
    insta::assert_snapshot!(shop("{ topProducts { name } shippingCountries }"));
}

#[test]
fn shareable_root_field_alone_goes_to_the_first_subgraph() {
    insta::assert_snapshot!(shop("{ shippingCountries }"));
}

#[test]
fn shareable_value_type_fields_stay_in_the_current_subgraph() {
    insta::assert_snapshot!(shop(
        "{ product(upc: \"1\") { stockItems { warehouse { id country } } } }"
    ));
}

#[test]
fn mutations_run_serially_with_their_follow_up_fetches() {
    insta::assert_snapshot!(shop(
        "mutation { login(username: \"a\") { name reviews { body } } createProduct(upc: \"1\", name: \"x\") { upc inStock } reviewProduct(sku: \"1\", body: \"b\") { body } }"
    ));
}

#[test]
fn consecutive_mutation_fields_of_one_subgraph_share_a_fetch() {
    insta::assert_snapshot!(shop(
        "mutation { a: createProduct(upc: \"1\", name: \"x\") { upc } b: createProduct(upc: \"2\", name: \"y\") { upc } login(username: \"u\") { id } }"
    ));
}

#[test]
fn variables_are_declared_and_forwarded_only_where_used() {
    insta::assert_snapshot!(shop(
        "query Top($first: Int = 3, $id: ID!, $currency: Currency) { topProducts(first: $first) { price(currency: $currency) inStock } user(id: $id) { name } }"
    ));
}

#[test]
fn aliases_are_kept_in_subgraph_operations() {
    insta::assert_snapshot!(shop(
        "{ best: topProducts(first: 1) { title: name stock: inStock } cheapest: topProducts { upc } }"
    ));
}

#[test]
fn typename_is_kept_and_root_typename_is_local() {
    insta::assert_snapshot!(shop(
        "{ __typename topProducts { __typename kind: __typename name } }"
    ));
}

#[test]
fn only_root_typename_and_introspection_need_no_fetch() {
    insta::assert_snapshot!(shop("{ __typename __schema { queryType { name } } }"));
}

#[test]
fn named_and_inline_fragments_are_inlined() {
    insta::assert_snapshot!(shop(
        "query { topProducts { ...P ... on Product { inStock } } } fragment P on Product { upc name reviews { ...R } } fragment R on Review { body }"
    ));
}

#[test]
fn include_with_variable_on_a_local_field_passes_through() {
    insta::assert_snapshot!(shop(
        "query($withName: Boolean!) { topProducts { upc name @include(if: $withName) } }"
    ));
}

#[test]
fn skip_with_variable_on_a_jumping_field_becomes_a_condition() {
    insta::assert_snapshot!(shop(
        "query($noStock: Boolean!) { topProducts { name inStock @skip(if: $noStock) } }"
    ));
}

#[test]
fn include_on_a_root_field_conditions_its_whole_fetch() {
    insta::assert_snapshot!(shop(
        "query($me: Boolean!) { me @include(if: $me) { name } topProducts { name } }"
    ));
}

#[test]
fn literal_skip_and_include_are_resolved_at_plan_time() {
    insta::assert_snapshot!(shop(
        "{ topProducts { name inStock @skip(if: true) reviews @include(if: false) { body } upc @include(if: true) } }"
    ));
}

#[test]
fn include_on_a_fragment_with_a_jumping_field() {
    insta::assert_snapshot!(shop(
        "query($v: Boolean!) { topProducts { name ... @include(if: $v) { inStock } } }"
    ));
}

#[test]
fn client_alias_equal_to_a_key_field_name_does_not_clobber_the_key() {
    insta::assert_snapshot!(shop("{ topProducts { upc: name inStock } }"));
}

#[test]
fn shareable_root_field_before_its_sibling_picks_the_sibling_subgraph() {
    insta::assert_snapshot!(shop("{ shippingCountries topProducts { name } }"));
}

#[test]
fn condition_on_a_field_covers_every_fetch_below_it() {
    insta::assert_snapshot!(shop(
        "query($v: Boolean!) { topProducts { name reviews @include(if: $v) { body author { name } } } }"
    ));
}

#[test]
fn skip_and_include_on_one_jumping_field_nest_two_conditions() {
    insta::assert_snapshot!(shop(
        "query($a: Boolean!, $b: Boolean!) { topProducts { inStock @skip(if: $a) @include(if: $b) } }"
    ));
}

#[test]
fn same_root_field_twice_with_different_arguments() {
    insta::assert_snapshot!(shop(
        "{ a: product(upc: \"1\") { name } b: product(upc: \"2\") { inStock } }"
    ));
}

#[test]
fn variables_of_a_jumped_field_go_only_to_its_fetch() {
    insta::assert_snapshot!(shop(
        "query($n: Int, $c: Currency) { topReviews(first: $n) { product { price(currency: $c) } } }"
    ));
}

#[test]
fn include_with_a_defaulted_variable_keeps_the_condition() {
    insta::assert_snapshot!(shop(
        "query($v: Boolean = true) { topProducts { inStock @include(if: $v) } }"
    ));
}

#[test]
fn value_type_fields_from_two_subgraphs_are_fetched_from_both_roots() {
    insta::assert_snapshot!(shop("{ info { name currency warehouseCount } }"));
}

#[test]
fn nested_provides_serves_the_provided_value_type_fields() {
    insta::assert_snapshot!(shop(
        "{ topReviews { author { username address { city } } } }"
    ));
}

#[test]
fn provided_field_with_an_unprovided_subfield_comes_from_its_owner() {
    insta::assert_snapshot!(shop(
        "{ topReviews { author { address { city country } } } }"
    ));
}

#[test]
fn conditional_field_joins_the_unconditional_fetch_at_the_same_path() {
    insta::assert_snapshot!(shop(
        "query($v: Boolean!) { topProducts { inStock @include(if: $v) shippingEstimate } }"
    ));
}
