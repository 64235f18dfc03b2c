//! Turning a validated client request into something executable: picking the
//! operation (`operationName`) and coercing its variables (defaults applied, types
//! checked), once, before planning and execution.

use apollo_compiler::executable::Operation;
use apollo_compiler::request::coerce_variable_values;
use apollo_compiler::response::{GraphQLError as CompilerError, JsonMap};
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Node, Schema};
use serde_json::{Map, Value};

use crate::error::{GraphQLError, Location, RequestError};

/// A client operation ready to execute: the chosen operation and its coerced
/// variables. Built by [`prepare`]; borrowed by [`crate::Executor::execute`].
#[derive(Debug)]
pub struct PreparedOperation<'doc> {
    pub(crate) document: &'doc Valid<ExecutableDocument>,
    pub(crate) operation: &'doc Node<Operation>,
    pub(crate) variables: Map<String, Value>,
    pub(crate) has_schema_introspection: bool,
}

impl<'doc> PreparedOperation<'doc> {
    pub fn document(&self) -> &'doc Valid<ExecutableDocument> {
        self.document
    }

    /// The operation chosen by `operationName`.
    pub fn operation(&self) -> &'doc Node<Operation> {
        self.operation
    }

    /// Coerced variable values: defaults applied, every value checked against its
    /// declared type. These are what `@skip`/`@include`, `Condition` nodes and
    /// subgraph requests see.
    pub fn variables(&self) -> &Map<String, Value> {
        &self.variables
    }

    /// The variables a subgraph operation using `usages` is sent (only those).
    pub fn forwarded_variables(&self, usages: &[String]) -> Map<String, Value> {
        forwarded_variables(&self.variables, usages)
    }
}

/// The variables among `variables` that a subgraph operation uses.
pub(crate) fn forwarded_variables(
    variables: &Map<String, Value>,
    usages: &[String],
) -> Map<String, Value> {
    let mut forwarded = Map::with_capacity(usages.len());
    for name in usages {
        if let Some(value) = variables.get(name) {
            forwarded.insert(name.clone(), value.clone());
        }
    }
    forwarded
}

/// Picks the operation and coerces `variables` against its variable definitions.
///
/// `schema` is the API schema the document was validated against. Errors are request
/// errors: the server answers them without `data` (HTTP 400).
pub fn prepare<'doc>(
    schema: &Valid<Schema>,
    document: &'doc Valid<ExecutableDocument>,
    operation_name: Option<&str>,
    variables: &Map<String, Value>,
) -> Result<PreparedOperation<'doc>, RequestError> {
    let operation = document.operations.get(operation_name).map_err(|error| {
        // The codes Apollo Router uses, so clients written against it keep working.
        let code = if operation_name.is_some() {
            "GRAPHQL_UNKNOWN_OPERATION_NAME"
        } else {
            "GRAPHQL_VALIDATION_FAILED"
        };
        RequestError::UnknownOperation(Box::new(
            convert_error(error.to_graphql_error(&document.sources)).with_code(code),
        ))
    })?;
    let variables = if operation.variables.is_empty() {
        // Nothing to coerce: values the operation does not declare are ignored.
        Map::new()
    } else {
        let raw: JsonMap = variables
            .iter()
            .map(|(name, value)| (name.as_str().into(), value.clone().into()))
            .collect();
        let coerced = coerce_variable_values(schema, operation, &raw).map_err(|error| {
            RequestError::InvalidVariables(Box::new(
                convert_error(error.to_graphql_error(&document.sources))
                    .with_code("VALIDATION_INVALID_TYPE_VARIABLE"),
            ))
        })?;
        match serde_json::to_value(coerced.into_inner()) {
            Ok(Value::Object(map)) => map,
            // A map always serialises to an object.
            _ => Map::new(),
        }
    };
    let has_schema_introspection = operation
        .root_fields(document)
        .any(|field| matches!(field.name.as_str(), "__schema" | "__type"));
    if has_schema_introspection {
        apollo_compiler::introspection::check_max_depth(document, operation).map_err(|error| {
            RequestError::TooDeep(Box::new(
                convert_error(error.to_graphql_error(&document.sources))
                    .with_code("INTROSPECTION_TOO_DEEP"),
            ))
        })?;
    }
    Ok(PreparedOperation {
        document,
        operation,
        variables,
        has_schema_introspection,
    })
}

/// Converts apollo-compiler's response error into ours.
pub(crate) fn convert_error(error: CompilerError) -> GraphQLError {
    let mut converted = GraphQLError::new(error.message);
    converted.locations = error
        .locations
        .iter()
        .map(|location| Location {
            line: location.line,
            column: location.column,
        })
        .collect();
    converted.path = serde_json::to_value(&error.path)
        .ok()
        .and_then(|path| serde_json::from_value(path).ok())
        .unwrap_or_default();
    if let Ok(Value::Object(extensions)) = serde_json::to_value(&error.extensions) {
        converted.extensions = extensions;
    }
    converted
}
