//! Cost bounds on client operations: selection depth, alias count, field count,
//! root field count, the depth of introspection and the height (distinct
//! response positions).
//!
//! A GraphQL document is cheap to send and can be expensive to run: deep nesting
//! walks many entity hops, aliases repeat the same field any number of times, and
//! fragments that spread other fragments twice double the operation at each level
//! (30 short lines make a billion fields once expanded, which the planner would try
//! to expand), many root fields are many subgraph fetches, and introspection
//! nested deep (`ofType { ofType { ... } }`) is answered by the router itself.
//! All of them are measured on the operation as it executes, i.e.
//! through fragment spreads (a fragment used three times counts three times).
//! Fragments are measured once and memoised, so the measure takes time proportional
//! to the document's text, and it runs before validation and planning.

use std::collections::HashMap;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Operation, Selection, SelectionSet};

/// The bounds in force; `None` disables one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct OperationLimits {
    pub max_depth: Option<usize>,
    pub max_aliases: Option<usize>,
    pub max_fields: Option<usize>,
    pub max_root_fields: Option<usize>,
    pub max_introspection_depth: Option<usize>,
    pub max_height: Option<usize>,
}

/// A bound that an operation exceeds.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LimitExceeded {
    #[error("The operation is {actual} levels deep, more than the maximum of {max}")]
    Depth { actual: usize, max: usize },
    #[error("The operation has {actual} aliases, more than the maximum of {max}")]
    Aliases { actual: usize, max: usize },
    #[error(
        "The operation selects {actual} fields once its fragments are expanded, more than the \
         maximum of {max}"
    )]
    Fields { actual: usize, max: usize },
    #[error("The operation has more than the maximum of {max} tokens")]
    Tokens { max: usize },
    #[error("The operation has {actual} root fields, more than the maximum of {max}")]
    RootFields { actual: usize, max: usize },
    #[error(
        "The introspection in the operation is {actual} levels deep, more than the maximum of \
         {max}"
    )]
    IntrospectionDepth { actual: usize, max: usize },
    #[error("The operation selects more than the maximum of {max} distinct fields")]
    Height { max: usize },
}

impl LimitExceeded {
    pub fn code(&self) -> &'static str {
        match self {
            LimitExceeded::Depth { .. } => "MAX_DEPTH_LIMIT",
            LimitExceeded::Aliases { .. } => "MAX_ALIASES_LIMIT",
            LimitExceeded::Fields { .. } => "MAX_FIELDS_LIMIT",
            LimitExceeded::Tokens { .. } => "MAX_TOKENS_LIMIT",
            LimitExceeded::RootFields { .. } => "MAX_ROOT_FIELDS_LIMIT",
            LimitExceeded::IntrospectionDepth { .. } => "MAX_INTROSPECTION_DEPTH_LIMIT",
            LimitExceeded::Height { .. } => "MAX_HEIGHT_LIMIT",
        }
    }
}

/// Depth, alias count and field count of one selection set.
#[derive(Debug, Clone, Copy, Default)]
struct Measure {
    depth: usize,
    aliases: usize,
    fields: usize,
    /// Fields directly in the set (through fragments).
    top_fields: usize,
    /// Deepest `__schema` / `__type` field, counted from that field.
    introspection_depth: usize,
}

struct Measurer<'doc> {
    document: &'doc ExecutableDocument,
    fragments: HashMap<&'doc str, Measure>,
    /// Fragments being measured: a spread cycle (rejected by validation, but this
    /// must not rely on it) counts as nothing instead of recursing forever.
    visiting: Vec<&'doc str>,
}

impl<'doc> Measurer<'doc> {
    fn selection_set(&mut self, set: &'doc SelectionSet) -> Measure {
        let mut total = Measure::default();
        for selection in &set.selections {
            let inner = match selection {
                Selection::Field(field) => {
                    let below = self.selection_set(&field.selection_set);
                    let depth = below.depth.saturating_add(1);
                    let introspection_depth =
                        if matches!(field.name.as_str(), "__schema" | "__type") {
                            depth
                        } else {
                            below.introspection_depth
                        };
                    Measure {
                        depth,
                        aliases: below
                            .aliases
                            .saturating_add(usize::from(field.alias.is_some())),
                        fields: below.fields.saturating_add(1),
                        top_fields: 1,
                        introspection_depth,
                    }
                }
                Selection::InlineFragment(fragment) => self.selection_set(&fragment.selection_set),
                Selection::FragmentSpread(spread) => self.fragment(spread.fragment_name.as_str()),
            };
            total.depth = total.depth.max(inner.depth);
            total.aliases = total.aliases.saturating_add(inner.aliases);
            total.fields = total.fields.saturating_add(inner.fields);
            total.top_fields = total.top_fields.saturating_add(inner.top_fields);
            total.introspection_depth = total.introspection_depth.max(inner.introspection_depth);
        }
        total
    }

    fn fragment(&mut self, name: &'doc str) -> Measure {
        if let Some(measure) = self.fragments.get(name) {
            return *measure;
        }
        if self.visiting.contains(&name) {
            return Measure::default();
        }
        let Some(fragment) = self.document.fragments.get(name) else {
            return Measure::default();
        };
        self.visiting.push(name);
        let measure = self.selection_set(&fragment.selection_set);
        self.visiting.pop();
        self.fragments.insert(name, measure);
        measure
    }
}

/// Checks `operation` (of `document`) against `limits`.
pub fn check(
    document: &ExecutableDocument,
    operation: &Operation,
    limits: OperationLimits,
) -> Result<(), LimitExceeded> {
    if limits == OperationLimits::default() {
        return Ok(());
    }
    let mut measurer = Measurer {
        document,
        fragments: HashMap::new(),
        visiting: Vec::new(),
    };
    let measure = measurer.selection_set(&operation.selection_set);
    if let Some(max) = limits.max_depth
        && measure.depth > max
    {
        return Err(LimitExceeded::Depth {
            actual: measure.depth,
            max,
        });
    }
    if let Some(max) = limits.max_aliases
        && measure.aliases > max
    {
        return Err(LimitExceeded::Aliases {
            actual: measure.aliases,
            max,
        });
    }
    if let Some(max) = limits.max_fields
        && measure.fields > max
    {
        return Err(LimitExceeded::Fields {
            actual: measure.fields,
            max,
        });
    }
    if let Some(max) = limits.max_root_fields
        && measure.top_fields > max
    {
        return Err(LimitExceeded::RootFields {
            actual: measure.top_fields,
            max,
        });
    }
    if let Some(max) = limits.max_introspection_depth
        && measure.introspection_depth > max
    {
        return Err(LimitExceeded::IntrospectionDepth {
            actual: measure.introspection_depth,
            max,
        });
    }
    if let Some(max) = limits.max_height
        && height_exceeds(document, operation, max)
    {
        return Err(LimitExceeded::Height { max });
    }
    Ok(())
}

/// Whether the operation has more than `max` distinct response positions.
///
/// Positions are found level by level: the selection sets merged at one
/// position (the same response key selected by several fields or fragments)
/// are expanded together, each set once however often it is spread there, so
/// a fragment spread twice does not double the work. Each step adds a
/// position, and the walk stops past `max`, so the work is at most `max`
/// times the document's size, also for a spread cycle in an unvalidated
/// document.
fn height_exceeds(document: &ExecutableDocument, operation: &Operation, max: usize) -> bool {
    let mut count = 0usize;
    let mut positions: Vec<Vec<&SelectionSet>> = vec![vec![&operation.selection_set]];
    while let Some(sets) = positions.pop() {
        let mut by_key: Vec<(&str, Vec<&SelectionSet>)> = Vec::new();
        let mut seen: Vec<*const SelectionSet> = Vec::new();
        let mut todo = sets;
        while let Some(set) = todo.pop() {
            let id: *const SelectionSet = set;
            if seen.contains(&id) {
                continue;
            }
            seen.push(id);
            for selection in &set.selections {
                match selection {
                    Selection::Field(field) => {
                        let key = field.response_key().as_str();
                        match by_key.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, children)) => children.push(&field.selection_set),
                            None => by_key.push((key, vec![&field.selection_set])),
                        }
                    }
                    Selection::InlineFragment(fragment) => todo.push(&fragment.selection_set),
                    Selection::FragmentSpread(spread) => {
                        if let Some(fragment) = document.fragments.get(&spread.fragment_name) {
                            todo.push(&fragment.selection_set);
                        }
                    }
                }
            }
        }
        for (_, children) in by_key {
            count += 1;
            if count > max {
                return true;
            }
            if children.iter().any(|set| !set.selections.is_empty()) {
                positions.push(children);
            }
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use apollo_compiler::Schema;

    const SCHEMA: &str = "type Query { a: A } type A { a: A b: Int }";

    #[test]
    fn root_fields_count_fragment_uses() {
        let limits = OperationLimits {
            max_root_fields: Some(2),
            ..OperationLimits::default()
        };
        assert!(measure("{ a { a { b } } x: a { b } }", limits).is_ok());
        assert_eq!(
            measure(
                "{ a { b } ...F ...F } fragment F on Query { x: a { b } }",
                limits
            ),
            Err(LimitExceeded::RootFields { actual: 3, max: 2 })
        );
    }

    #[test]
    fn introspection_depth_counts_from_the_introspection_field() {
        let limits = OperationLimits {
            max_introspection_depth: Some(3),
            ..OperationLimits::default()
        };
        assert!(
            measure(
                "{ a { a { a { a { b } } } } __type(name: \"A\") { ofType { name } } }",
                limits
            )
            .is_ok()
        );
        assert_eq!(
            measure(
                "{ __schema { types { ...T } } } fragment T on __Type { ofType { name } }",
                limits
            ),
            Err(LimitExceeded::IntrospectionDepth { actual: 4, max: 3 })
        );
    }

    #[test]
    fn height_counts_each_response_position_once() {
        let limits = OperationLimits {
            max_height: Some(4),
            ..OperationLimits::default()
        };
        // a, a.a, a.a.b, a.b: four positions however often they are selected.
        let query = "{ a { a { b } b } a { ...F ...F } } fragment F on A { a { b } b }";
        assert!(measure(query, limits).is_ok());
        assert_eq!(
            measure("{ a { a { b } b } x: a { b } }", limits),
            Err(LimitExceeded::Height { max: 4 })
        );
        // A spread cycle (invalid, but measured before validation) stops.
        assert_eq!(
            measure("{ a { ...F } } fragment F on A { a { ...F } }", limits),
            Err(LimitExceeded::Height { max: 4 })
        );
    }

    fn measure(query: &str, limits: OperationLimits) -> Result<(), LimitExceeded> {
        let schema = Schema::parse_and_validate(SCHEMA, "s.graphql").unwrap();
        // Unvalidated, as the router measures before validating.
        let document = ExecutableDocument::parse(&schema, query, "q.graphql").unwrap();
        let operation = document.operations.get(None).unwrap();
        check(&document, operation, limits)
    }

    #[test]
    fn depth_follows_fragments() {
        let limits = OperationLimits {
            max_depth: Some(3),
            ..OperationLimits::default()
        };
        assert!(measure("{ a { a { b } } }", limits).is_ok());
        assert_eq!(
            measure("{ a { a { a { b } } } }", limits),
            Err(LimitExceeded::Depth { actual: 4, max: 3 })
        );
        assert_eq!(
            measure(
                "{ a { ...F } } fragment F on A { a { ... on A { a { b } } } }",
                limits
            ),
            Err(LimitExceeded::Depth { actual: 4, max: 3 })
        );
    }

    #[test]
    fn aliases_count_every_use_of_a_fragment() {
        let limits = OperationLimits {
            max_aliases: Some(3),
            ..OperationLimits::default()
        };
        assert!(measure("{ x: a { y: b } a { z: b } }", limits).is_ok());
        assert_eq!(
            measure(
                "{ a { ...F a { ...F } } } fragment F on A { p: b q: b }",
                limits
            ),
            Err(LimitExceeded::Aliases { actual: 4, max: 3 })
        );
    }

    #[test]
    fn fragment_bombs_are_measured_without_expanding_them() {
        let limits = OperationLimits {
            max_fields: Some(1000),
            ..OperationLimits::default()
        };
        // Each fragment spreads the next one twice: 2^60 fields once expanded.
        let mut query = String::from("{ a { ...F0 } }");
        for i in 0..60 {
            query.push_str(&format!(
                " fragment F{i} on A {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        query.push_str(" fragment F60 on A { b }");
        assert_eq!(
            measure(&query, limits),
            Err(LimitExceeded::Fields {
                actual: (1usize << 60) + 1,
                max: 1000
            })
        );
    }
}
