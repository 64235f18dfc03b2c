//! Validates operations the way a real subgraph framework would, so a router that
//! sends an operation the subgraph cannot accept (a fragment on a type the
//! subgraph does not know, two fields with one response key and different types,
//! an argument it does not declare) gets errors instead of silently passing.
//!
//! The subgraph SDL is completed with what a federation library adds: the
//! directive definitions, `_Any`, `FieldSet`, `_Service`, `_Entity` (over every
//! type with `@key`) and `Query._entities` / `Query._service`.

use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};

/// Federation definitions every subgraph schema gets (Federation 1 and 2 names).
const FEDERATION_DEFINITIONS: &str = r#"
scalar _Any
scalar FieldSet
scalar _FieldSet
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
type _Service { sdl: String }
directive @link(url: String!, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
directive @key(fields: FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE
directive @requires(fields: FieldSet!) on FIELD_DEFINITION
directive @provides(fields: FieldSet!) on FIELD_DEFINITION
directive @external(reason: String) on OBJECT | FIELD_DEFINITION
directive @shareable repeatable on OBJECT | FIELD_DEFINITION
directive @extends on OBJECT | INTERFACE
directive @override(from: String!, label: String) on FIELD_DEFINITION
directive @interfaceObject on OBJECT
scalar ContextFieldValue
directive @context(name: String!) repeatable on OBJECT | INTERFACE | UNION
directive @fromContext(field: ContextFieldValue) on ARGUMENT_DEFINITION
directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @tag(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
"#;

/// The subgraph's full schema, or why it could not be built.
pub fn build(sdl: &str, entity_types: &[String]) -> Result<Valid<Schema>, String> {
    let mut extra = FEDERATION_DEFINITIONS.to_owned();
    if entity_types.is_empty() {
        extra.push_str("extend type Query { _service: _Service! }\n");
    } else {
        extra.push_str(&format!(
            "union _Entity = {}\nextend type Query {{ _entities(representations: [_Any!]!): [_Entity]! _service: _Service! }}\n",
            entity_types.join(" | ")
        ));
    }
    let schema = Schema::builder()
        .adopt_orphan_extensions()
        .parse(sdl, "subgraph.graphql")
        .parse(extra, "federation.graphql")
        .build()
        .map_err(|e| e.errors.to_string())?;
    schema.validate().map_err(|e| e.errors.to_string())
}

/// Validates an operation; `Err` holds one message per error.
pub fn validate(schema: &Valid<Schema>, query: &str) -> Result<(), Vec<String>> {
    ExecutableDocument::parse_and_validate(schema, query, "operation.graphql")
        .map(|_| ())
        .map_err(|with_errors| {
            with_errors
                .errors
                .iter()
                .map(|error| error.error.to_string())
                .collect()
        })
}
