//! Composition errors and hints.
//!
//! Codes follow Apollo's composition error codes so that users who know Apollo's
//! documentation recognise them and tooling can match on them.

use std::fmt;

/// A stable error code, spelled like Apollo's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(non_camel_case_types, clippy::upper_case_acronyms)]
pub enum ErrorCode {
    INVALID_GRAPHQL,
    INVALID_LINK_IDENTIFIER,
    INVALID_LINK_DIRECTIVE_USAGE,
    TYPE_KIND_MISMATCH,
    INVALID_FIELD_SHARING,
    FIELD_TYPE_MISMATCH,
    FIELD_ARGUMENT_TYPE_MISMATCH,
    FIELD_ARGUMENT_DEFAULT_MISMATCH,
    INPUT_FIELD_DEFAULT_MISMATCH,
    KEY_INVALID_FIELDS,
    KEY_FIELDS_SELECT_INVALID_TYPE,
    KEY_FIELDS_HAS_ARGS,
    REQUIRES_INVALID_FIELDS,
    REQUIRES_FIELDS_MISSING_EXTERNAL,
    PROVIDES_INVALID_FIELDS,
    PROVIDES_FIELDS_MISSING_EXTERNAL,
    PROVIDES_ON_NON_OBJECT_FIELD,
    EXTERNAL_UNUSED,
    EXTERNAL_MISSING_ON_BASE,
    EXTERNAL_TYPE_MISMATCH,
    EMPTY_MERGED_INPUT_TYPE,
    EMPTY_MERGED_ENUM_TYPE,
    ENUM_VALUE_MISMATCH,
    REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH,
    REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH,
    OVERRIDE_FROM_SELF_ERROR,
    OVERRIDE_SOURCE_HAS_OVERRIDE,
    OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE,
    INTERFACE_OBJECT_USAGE_ERROR,
    INTERFACE_KEY_NOT_ON_IMPLEMENTATION,
    INTERFACE_FIELD_NO_IMPLEM,
    DIRECTIVE_COMPOSITION_ERROR,
    NO_QUERIES,
    REFERENCED_INACCESSIBLE,
    REQUIRED_INACCESSIBLE,
    ONLY_INACCESSIBLE_CHILDREN,
    SATISFIABILITY_ERROR,
    INVALID_SUBGRAPH_NAME,
}

impl ErrorCode {
    /// The code as printed, e.g. `INVALID_FIELD_SHARING`.
    pub fn as_str(self) -> String {
        format!("{self:?}")
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{self:?}")
    }
}

/// One composition error: a code and a message naming the subgraphs and coordinates involved.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("[{code}] {message}")]
pub struct CompositionError {
    pub code: ErrorCode,
    pub message: String,
}

impl CompositionError {
    pub(crate) fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// Every error composition found; its `Display` lists each one on its own line.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct CompositionErrors(pub Vec<CompositionError>);

impl fmt::Display for CompositionErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, error) in self.0.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{error}")?;
        }
        Ok(())
    }
}

/// A non-fatal remark about the composition (e.g. an argument dropped because
/// not every subgraph declares it), like Apollo's composition hints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hint {
    pub code: &'static str,
    pub message: String,
}

impl fmt::Display for Hint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}] {}", self.code, self.message)
    }
}

/// Collects errors and hints while composing, so every problem is reported at once.
#[derive(Debug, Default)]
pub(crate) struct Diagnostics {
    pub errors: Vec<CompositionError>,
    pub hints: Vec<Hint>,
}

impl Diagnostics {
    pub fn error(&mut self, code: ErrorCode, message: impl Into<String>) {
        self.errors.push(CompositionError::new(code, message));
    }

    pub fn hint(&mut self, code: &'static str, message: impl Into<String>) {
        self.hints.push(Hint {
            code,
            message: message.into(),
        });
    }
}
