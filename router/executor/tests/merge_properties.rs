//! Property: whatever the subgraphs answer (well-shaped data with random nulls,
//! missing, extra and mistyped fields, `_entities` of the wrong length, errors at
//! random paths, garbage bodies, failed fetches), executing a random valid
//! operation over a fixture supergraph never panics and answers
//! `{data, errors?}` with no non-null field null (null propagation holds).
//!
//! The property lives in `switchyard_fuzzing::merge`, shared with the `merge`
//! fuzz target (`fuzz/`). More cases:
//! `PROPTEST_CASES=10000 cargo test -p switchyard-executor --test merge_properties`.

use std::sync::LazyLock;

use proptest::prelude::*;
use switchyard_fuzzing::merge::{MergeTarget, merge_once, targets};

static TARGETS: LazyLock<Vec<MergeTarget>> = LazyLock::new(targets);

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig::with_cases(switchyard_fuzzing::property_cases(default_cases))
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn merging_random_subgraph_answers_keeps_responses_well_formed(
        which in any::<prop::sample::Index>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..1200),
    ) {
        let target = &TARGETS[which.index(TARGETS.len())];
        if let Err(problem) = merge_once(target, &bytes) {
            return Err(TestCaseError::fail(problem));
        }
    }
}
