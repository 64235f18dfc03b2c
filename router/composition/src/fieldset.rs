//! Parses `@key`/`@requires`/`@provides` field sets and resolves them against a
//! subgraph's types, reporting what they select and what is wrong with them.

use crate::model::{Field, Kind, Subgraph};
use apollo_compiler::ast::{Definition, Document, Selection};

/// One field a field set selects.
#[derive(Debug, Clone)]
pub(crate) struct Selected<'a> {
    pub parent: String,
    pub field: &'a Field,
    /// 0 for fields directly on the field set's type.
    pub depth: usize,
}

/// The fields a field set selects, or why it is invalid.
pub(crate) fn resolve<'a>(
    subgraph: &'a Subgraph,
    parent: &str,
    fields: &str,
) -> Result<Vec<Selected<'a>>, Vec<String>> {
    let selections = parse(fields).map_err(|e| vec![e])?;
    let mut selected = Vec::new();
    let mut errors = Vec::new();
    walk(subgraph, parent, &selections, 0, &mut selected, &mut errors);
    if errors.is_empty() {
        Ok(selected)
    } else {
        Err(errors)
    }
}

fn parse(fields: &str) -> Result<Vec<Selection>, String> {
    let document = Document::parse(format!("{{ {fields} }}"), "fieldset.graphql").map_err(|e| {
        let messages: Vec<String> = e
            .errors
            .iter()
            .map(|d| d.unstable_to_json_compat().message)
            .collect();
        format!("syntax error: {}", messages.join("; "))
    })?;
    match document.definitions.as_slice() {
        [Definition::OperationDefinition(op)] if op.name.is_none() => Ok(op.selection_set.clone()),
        _ => Err("syntax error: not a selection set".to_string()),
    }
}

fn walk<'a>(
    subgraph: &'a Subgraph,
    parent: &str,
    selections: &[Selection],
    depth: usize,
    selected: &mut Vec<Selected<'a>>,
    errors: &mut Vec<String>,
) {
    let Some(parent_type) = subgraph.types.get(parent) else {
        errors.push(format!("unknown type \"{parent}\""));
        return;
    };
    for selection in selections {
        match selection {
            Selection::Field(field) => {
                if field.name == "__typename" {
                    continue;
                }
                let Some(definition) = parent_type.fields.get(field.name.as_str()) else {
                    errors.push(format!(
                        "Cannot query field \"{}\" on type \"{parent}\" (the field should either be added to this subgraph or, if it should not be resolved by this subgraph, you need to add it to this subgraph with @external).",
                        field.name
                    ));
                    continue;
                };
                if !field.directives.is_empty() {
                    errors.push(format!("field \"{parent}.{}\" has directives", field.name));
                }
                selected.push(Selected {
                    parent: parent.to_string(),
                    field: definition,
                    depth,
                });
                let inner = definition.ty.inner_named_type().as_str();
                let composite = subgraph.types.get(inner).is_some_and(|t| {
                    matches!(t.kind, Kind::Object | Kind::Interface | Kind::Union)
                });
                match (composite, field.selection_set.is_empty()) {
                    (true, true) => errors.push(format!(
                        "Field \"{parent}.{}\" of type \"{}\" must have a selection of subfields.",
                        field.name, definition.ty
                    )),
                    (false, false) => errors.push(format!(
                        "Field \"{parent}.{}\" must not have a selection since type \"{}\" has no subfields.",
                        field.name, definition.ty
                    )),
                    (true, false) => walk(subgraph, inner, &field.selection_set, depth + 1, selected, errors),
                    (false, true) => {}
                }
            }
            Selection::InlineFragment(fragment) => {
                let target = fragment
                    .type_condition
                    .as_ref()
                    .map_or(parent, |t| t.as_str());
                walk(
                    subgraph,
                    target,
                    &fragment.selection_set,
                    depth,
                    selected,
                    errors,
                );
            }
            Selection::FragmentSpread(spread) => errors.push(format!(
                "named fragment spread \"...{}\" is not allowed in a field set",
                spread.fragment_name
            )),
        }
    }
}
