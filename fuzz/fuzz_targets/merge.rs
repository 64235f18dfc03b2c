//! A valid operation over a fixture supergraph, planned, then executed against
//! subgraphs answering random bodies drawn from the input: the response is always
//! GraphQL-shaped with no non-null field null (`switchyard_fuzzing::merge`, the
//! property `cargo test -p switchyard-executor --test merge_properties` runs).
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use switchyard_fuzzing::merge::{MergeTarget, merge_once, targets};

static TARGETS: LazyLock<Vec<MergeTarget>> = LazyLock::new(targets);

fuzz_target!(|data: &[u8]| {
    let Some((which, bytes)) = data.split_first() else {
        return;
    };
    let target = &TARGETS[usize::from(*which) % TARGETS.len()];
    if let Err(problem) = merge_once(target, bytes) {
        panic!("{problem}");
    }
});
