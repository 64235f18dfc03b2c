//! Parsing and validating a client operation against the API schema.
//!
//! Parsing is separate from validation so the two failures keep distinct error
//! codes (`GRAPHQL_PARSE_FAILED` vs `GRAPHQL_VALIDATION_FAILED`, as Apollo Router
//! reports them), and so the token limit bounds the parser before any schema work.

use apollo_compiler::parser::Parser;
use apollo_compiler::validation::{DiagnosticList, Valid};
use apollo_compiler::{ExecutableDocument, Schema};
use switchyard_executor::{GraphQLError, Location};

/// Why an operation cannot be executed, before any planning.
#[derive(Debug, Clone, PartialEq)]
pub enum OperationError {
    /// Not syntactically valid GraphQL.
    Parse(Vec<GraphQLError>),
    /// More lexical tokens than `limits.max_tokens`.
    TooManyTokens { max: usize },
    /// Valid syntax, but not valid against the API schema.
    Validation(Vec<GraphQLError>),
}

impl OperationError {
    pub fn into_errors(self) -> Vec<GraphQLError> {
        match self {
            OperationError::Parse(errors) | OperationError::Validation(errors) => errors,
            OperationError::TooManyTokens { max } => vec![
                GraphQLError::new(format!(
                    "The operation has more than the maximum of {max} tokens"
                ))
                .with_code("MAX_TOKENS_LIMIT"),
            ],
        }
    }
}

/// Parses `query` and validates it against `schema`.
pub fn parse_and_validate(
    schema: &Valid<Schema>,
    query: &str,
    max_tokens: Option<usize>,
) -> Result<Valid<ExecutableDocument>, OperationError> {
    let mut parser = Parser::new();
    if let Some(max) = max_tokens {
        parser = parser.token_limit(max);
    }
    let parsed = parser.parse_ast(query, "operation.graphql");
    if let Some(max) = max_tokens
        && parser.tokens_reached() >= max
    {
        return Err(OperationError::TooManyTokens { max });
    }
    let ast =
        parsed.map_err(|e| OperationError::Parse(convert(&e.errors, "GRAPHQL_PARSE_FAILED")))?;
    ast.to_executable_validate(schema)
        .map_err(|e| OperationError::Validation(convert(&e.errors, "GRAPHQL_VALIDATION_FAILED")))
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

    #[test]
    fn parse_validation_and_token_errors_are_distinct() {
        let schema = schema();
        assert!(parse_and_validate(&schema, "{ a }", Some(100)).is_ok());
        assert!(matches!(
            parse_and_validate(&schema, "{ a ", None),
            Err(OperationError::Parse(_))
        ));
        let Err(OperationError::Validation(errors)) = parse_and_validate(&schema, "{ b }", None)
        else {
            panic!("expected a validation error");
        };
        assert_eq!(errors[0].locations[0].line, 1);
        assert_eq!(
            parse_and_validate(&schema, "{ a a a a a a }", Some(5)),
            Err(OperationError::TooManyTokens { max: 5 })
        );
    }
}
