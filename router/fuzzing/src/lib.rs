//! Input generators shared by the property tests (`proptest`, inside `cargo test`)
//! and the `cargo fuzz` targets in `fuzz/`, so both explore the same space.
//!
//! Every generator draws its choices from an [`Entropy`]: a cursor over bytes.
//! Proptest feeds it a `Vec<u8>` (and shrinks the bytes), libFuzzer feeds it its
//! input; an exhausted cursor answers 0, which every generator reads as "the
//! smallest choice", so short inputs make small operations and answers.
//!
//! - [`operation`]: valid operations walked from an API schema (fields with their
//!   required arguments, inline fragments on possible types, aliases,
//!   `@skip`/`@include` on variables), plus token soup and mutations of valid text
//!   for the parser and validator.
//! - [`answer`]: subgraph response bodies shaped after the request they answer,
//!   with random nulls, missing and extra fields, wrong types, errors at random
//!   paths, and garbage.
//! - [`check`]: what every response must satisfy (GraphQL-shaped, non-null fields
//!   never null).
//! - [`merge`]: the merge property itself (plan, execute against random
//!   subgraphs, check), run by the executor tests and the `merge` fuzz target.
//! - [`fixtures`]: the supergraphs the generators are run over.

pub mod answer;
pub mod check;
mod entropy;
pub mod fixtures;
pub mod merge;
pub mod operation;

pub use entropy::Entropy;

/// How many cases a property test runs: `PROPTEST_CASES` when it is set (to
/// run longer by hand), else the test's own `default`, kept small so the whole
/// suite stays fast in CI.
pub fn property_cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default)
}
