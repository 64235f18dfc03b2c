//! Every corpus case is well-formed: it loads, its supergraph is composed, every
//! operation has an expected response, and every subgraph SDL yields a schema the
//! mock can validate operations against (otherwise invalid subgraph operations
//! from the router would go unnoticed).

use std::path::Path;

use federation_corpus::{Case, SchemaInfo};

#[test]
fn every_case_is_complete_and_its_subgraphs_validate_operations() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("cases");
    let mut problems = Vec::new();
    let mut operations = 0;
    for dir in Case::discover(&root).expect("cases are readable") {
        let case = match Case::load(&dir) {
            Ok(case) => case,
            Err(error) => {
                problems.push(error.to_string());
                continue;
            }
        };
        if !case.supergraph.contains("@join__graph") {
            problems.push(format!(
                "{}: supergraph.graphql missing or not composed",
                case.id
            ));
        }
        for operation in &case.operations {
            operations += 1;
            if operation.expected.is_none() {
                problems.push(format!(
                    "{}/{}: no expected response",
                    case.id, operation.name
                ));
            }
        }
        for (name, sdl) in &case.subgraphs {
            if let Err(error) = SchemaInfo::parse(sdl).validation_schema() {
                problems.push(format!(
                    "{}/{name}: schema cannot validate operations: {error}",
                    case.id
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        operations >= 150,
        "the corpus holds {operations} operations"
    );
}
