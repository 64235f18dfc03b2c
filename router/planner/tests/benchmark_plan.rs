//! The plan of the federation gateway benchmark's workload query, which the
//! planning benchmark times.

mod common;

use common::{plan, planner};

#[test]
fn gateway_benchmark_query() {
    let query = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/gateway_benchmark_query.graphql"
    ))
    .unwrap();
    insta::assert_snapshot!(plan(&planner("gateway_benchmark"), &query));
}
