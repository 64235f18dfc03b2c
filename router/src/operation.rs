//! Parsing and validating a client operation against the API schema.
//!
//! Parsing is separate from validation so the two failures keep distinct error
//! codes (`GRAPHQL_PARSE_FAILED` vs `GRAPHQL_VALIDATION_FAILED`, as Apollo Router
//! reports them), and so the token limit bounds the parser before any schema work.

use apollo_compiler::parser::Parser;
use apollo_compiler::validation::{DiagnosticList, Valid};
use apollo_compiler::{ExecutableDocument, Schema};
use switchyard_executor::{GraphQLError, Location};

use crate::limits::{self, LimitExceeded, OperationLimits};

/// Why an operation cannot be executed, before any planning.
#[derive(Debug, Clone, PartialEq)]
pub enum OperationError {
    /// Not syntactically valid GraphQL.
    Parse(Vec<GraphQLError>),
    /// Over one of the configured limits.
    Limit(LimitExceeded),
    /// Valid syntax, but not valid against the API schema.
    Validation(Vec<GraphQLError>),
}

impl OperationError {
    pub fn into_errors(self) -> Vec<GraphQLError> {
        match self {
            OperationError::Parse(errors) | OperationError::Validation(errors) => errors,
            OperationError::Limit(exceeded) => {
                vec![GraphQLError::new(exceeded.to_string()).with_code(exceeded.code())]
            }
        }
    }
}

/// The bounds checked while reading an operation; the default checks none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DocumentLimits {
    pub max_tokens: Option<usize>,
    pub operation: OperationLimits,
}

/// Parses `query`, checks the limits of the operation `operation_name` picks, and
/// validates the document against `schema`.
///
/// The limits are checked before validation: validating (and later planning) an
/// operation whose fragments expand to millions of fields is itself the attack.
pub fn parse_and_validate(
    schema: &Valid<Schema>,
    query: &str,
    operation_name: Option<&str>,
    limits: &DocumentLimits,
) -> Result<Valid<ExecutableDocument>, OperationError> {
    let mut parser = Parser::new();
    if let Some(max) = limits.max_tokens {
        parser = parser.token_limit(max);
    }
    let parsed = parser.parse_ast(query, "operation.graphql");
    if let Some(max) = limits.max_tokens
        && parser.tokens_reached() >= max
    {
        return Err(OperationError::Limit(LimitExceeded::Tokens { max }));
    }
    let ast =
        parsed.map_err(|e| OperationError::Parse(convert(&e.errors, "GRAPHQL_PARSE_FAILED")))?;
    let validation_failed = |errors: &DiagnosticList| {
        OperationError::Validation(convert(errors, "GRAPHQL_VALIDATION_FAILED"))
    };
    match ast.to_executable(schema) {
        Ok(document) => {
            check_limits(&document, operation_name, limits)?;
            document
                .validate(schema)
                .map_err(|e| validation_failed(&e.errors))
        }
        Err(built) => {
            check_limits(&built.partial, operation_name, limits)?;
            Err(validation_failed(&built.errors))
        }
    }
}

/// Checks the operation that will run; when the name picks none, the executor
/// reports that after validation.
fn check_limits(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    limits: &DocumentLimits,
) -> Result<(), OperationError> {
    match document.operations.get(operation_name) {
        Ok(operation) => {
            limits::check(document, operation, limits.operation).map_err(OperationError::Limit)
        }
        Err(_) => Ok(()),
    }
}

/// Converts diagnostics, dropping exact repeats (the parser reports one
/// "expected R_CURLY" per unclosed selection set, all at the same place).
fn convert(diagnostics: &DiagnosticList, code: &str) -> Vec<GraphQLError> {
    let mut errors: Vec<GraphQLError> = diagnostics
        .iter()
        .map(|diagnostic| {
            let json = diagnostic.to_json();
            let mut error = GraphQLError::new(json.message).with_code(code);
            error.locations = json
                .locations
                .iter()
                .map(|l| Location {
                    line: l.line,
                    column: l.column,
                })
                .collect();
            error
        })
        .collect();
    errors.dedup();
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn schema() -> Valid<Schema> {
        Schema::parse_and_validate("type Query { a: Int }", "s.graphql").unwrap()
    }

    fn tokens(max: usize) -> DocumentLimits {
        DocumentLimits {
            max_tokens: Some(max),
            ..DocumentLimits::default()
        }
    }

    #[test]
    fn parse_validation_and_limit_errors_are_distinct() {
        let schema = schema();
        let none = DocumentLimits::default();
        assert!(parse_and_validate(&schema, "{ a }", None, &tokens(100)).is_ok());
        assert!(matches!(
            parse_and_validate(&schema, "{ a ", None, &none),
            Err(OperationError::Parse(_))
        ));
        let Err(OperationError::Validation(errors)) =
            parse_and_validate(&schema, "{ b }", None, &none)
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].locations[0].line, 1);
        assert_eq!(
            parse_and_validate(&schema, "{ a a a a a a }", None, &tokens(5)),
            Err(OperationError::Limit(LimitExceeded::Tokens { max: 5 }))
        );
    }

    #[test]
    fn limits_are_checked_before_validation() {
        let limits = DocumentLimits {
            operation: OperationLimits {
                max_aliases: Some(1),
                ..OperationLimits::default()
            },
            ..DocumentLimits::default()
        };
        // Invalid (unknown argument `z`) and over the alias limit: the limit wins.
        assert_eq!(
            parse_and_validate(&schema(), "{ x: a y: a(z: 1) }", None, &limits),
            Err(OperationError::Limit(LimitExceeded::Aliases {
                actual: 2,
                max: 1
            }))
        );
    }
}
