//! Operation text (raw, token soup, or a generated valid operation mutated) →
//! `switchyard::operation::parse_and_validate` against a fixture supergraph's API
//! schema: never panics; a rejection always carries errors with a message and a
//! code; an unmutated generated operation is always accepted.
#![no_main]

use std::sync::LazyLock;

use apollo_compiler::Schema;
use apollo_compiler::validation::Valid;
use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use switchyard::operation::{DocumentLimits, parse_and_validate};
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

#[derive(Debug, Arbitrary)]
enum Text {
    Raw(String),
    Soup(Vec<u8>),
    Mutated(Vec<u8>, Vec<u8>),
}

#[derive(Debug, Arbitrary)]
struct Input {
    schema: u8,
    max_tokens: Option<u16>,
    operation_name: Option<String>,
    text: Text,
}

fuzz_target!(|input: Input| {
    let schema = &SCHEMAS[usize::from(input.schema) % SCHEMAS.len()];
    let limits = DocumentLimits {
        max_tokens: input.max_tokens.map(usize::from),
        ..DocumentLimits::default()
    };
    let (query, name) = match input.text {
        Text::Raw(text) => (text, input.operation_name),
        Text::Soup(bytes) => (token_soup(&mut Entropy::new(&bytes)), input.operation_name),
        Text::Mutated(operation, mutation) => {
            let generated =
                valid_operation(schema, &mut Entropy::new(&operation), Shape::default());
            let accepted = parse_and_validate(
                schema,
                &generated.query,
                generated.operation_name.as_deref(),
                &DocumentLimits::default(),
            );
            assert!(
                accepted.is_ok(),
                "rejected {}: {accepted:?}",
                generated.query
            );
            (
                mutate(&generated.query, &mut Entropy::new(&mutation)),
                generated.operation_name,
            )
        }
    };
    if let Err(error) = parse_and_validate(schema, &query, name.as_deref(), &limits) {
        let errors = error.into_errors();
        assert!(!errors.is_empty(), "{query:?}: a rejection without errors");
        for error in errors {
            assert!(!error.message.is_empty(), "{query:?}: {error:?}");
            assert!(
                error.extensions.contains_key("code"),
                "{query:?}: {error:?}"
            );
        }
    }
});
