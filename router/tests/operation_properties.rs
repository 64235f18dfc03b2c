//! Property: `switchyard::operation::parse_and_validate` (pure: no server) never
//! panics, whatever the text: random strings, token soup, and valid operations
//! generated from fixture API schemas, as they are and mutated. A valid operation
//! is accepted; every rejection carries well-formed GraphQL errors (a message, a
//! code, locations within the text).
//!
//! The generators are `switchyard_fuzzing::operation`'s, shared with the
//! `operation` fuzz target (`fuzz/`). More cases:
//! `PROPTEST_CASES=10000 cargo test -p switchyard --test operation_properties`.

use std::sync::LazyLock;

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;
use proptest::prelude::*;
use switchyard::limits::OperationLimits;
use switchyard::operation::{DocumentLimits, OperationError, parse_and_validate};
use switchyard_fuzzing::Entropy;
use switchyard_fuzzing::fixtures::{ROUTER_SUPERGRAPH, SUPERGRAPHS};
use switchyard_fuzzing::operation::{Shape, mutate, token_soup, valid_operation};
use switchyard_planner::Supergraph;

static SCHEMAS: LazyLock<Vec<Valid<Schema>>> = LazyLock::new(|| {
    std::iter::once(ROUTER_SUPERGRAPH)
        .chain(SUPERGRAPHS.iter().map(|(_, sdl)| *sdl))
        .map(|sdl| {
            Supergraph::parse(sdl)
                .expect("fixture")
                .api_schema()
                .clone()
        })
        .collect()
});

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig::with_cases(switchyard_fuzzing::property_cases(default_cases))
}

fn limits(pick: u8) -> DocumentLimits {
    match pick % 3 {
        0 => DocumentLimits::default(),
        1 => DocumentLimits {
            max_tokens: Some(50),
            operation: OperationLimits {
                max_depth: Some(3),
                max_aliases: Some(2),
                ..OperationLimits::default()
            },
        },
        _ => DocumentLimits {
            max_tokens: Some(2_000),
            ..DocumentLimits::default()
        },
    }
}

/// Runs `query` and checks the rejection, if any, is well formed.
fn check(
    schema: &Valid<Schema>,
    query: &str,
    operation_name: Option<&str>,
    limits: &DocumentLimits,
) -> Result<bool, TestCaseError> {
    let Err(error) = parse_and_validate(schema, query, operation_name, limits) else {
        return Ok(true);
    };
    let limit = matches!(error, OperationError::Limit(_));
    let errors = error.into_errors();
    prop_assert!(!errors.is_empty(), "{query:?}: a rejection without errors");
    let lines = query.lines().count().max(1) + 1;
    for error in &errors {
        prop_assert!(!error.message.is_empty(), "{query:?}: {error:?}");
        prop_assert!(
            error.extensions.get("code").is_some_and(|c| c.is_string()),
            "{query:?}: no code in {error:?}"
        );
        for location in &error.locations {
            prop_assert!(
                location.line >= 1 && location.line <= lines && location.column >= 1,
                "{query:?}: location out of the text in {error:?}"
            );
        }
        if limit {
            prop_assert!(error.locations.is_empty());
        }
    }
    Ok(false)
}

proptest! {
    #![proptest_config(config(300))]

    #[test]
    fn random_text_is_rejected_with_well_formed_errors(
        which in any::<prop::sample::Index>(),
        text in any::<String>(),
        name in proptest::option::of("[A-Za-z]{0,3}"),
        pick in any::<u8>(),
    ) {
        let schema = &SCHEMAS[which.index(SCHEMAS.len())];
        check(schema, &text, name.as_deref(), &limits(pick))?;
    }

    #[test]
    fn token_soup_is_rejected_with_well_formed_errors(
        which in any::<prop::sample::Index>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..200),
        pick in any::<u8>(),
    ) {
        let schema = &SCHEMAS[which.index(SCHEMAS.len())];
        let text = token_soup(&mut Entropy::new(&bytes));
        check(schema, &text, None, &limits(pick))?;
    }

    #[test]
    fn generated_operations_are_accepted_and_their_mutations_never_panic(
        which in any::<prop::sample::Index>(),
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
        mutation in proptest::collection::vec(any::<u8>(), 0..16),
        pick in any::<u8>(),
    ) {
        let schema = &SCHEMAS[which.index(SCHEMAS.len())];
        let generated = valid_operation(schema, &mut Entropy::new(&bytes), Shape::default());
        let name = generated.operation_name.as_deref();
        let accepted = check(schema, &generated.query, name, &DocumentLimits::default())?;
        prop_assert!(accepted, "a valid operation was rejected: {}", generated.query);
        let mutated = mutate(&generated.query, &mut Entropy::new(&mutation));
        check(schema, &mutated, name, &limits(pick))?;
    }
}
