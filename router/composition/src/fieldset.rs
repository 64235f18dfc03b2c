//! Parses `@key`/`@requires`/`@provides` field sets and resolves them against a
//! subgraph's types, reporting what they select and what is wrong with them.

use crate::model::{Field, Kind, Subgraph};
use apollo_compiler::ast::{Definition, Document, Selection};

/// One field a field set selects.
#[derive(Debug, Clone)]
pub(crate) struct Selected<'a> {
    pub parent: String,
    pub field: &'a Field,
    /// Selected without a sub-selection.
    pub leaf: bool,
    /// Selected inside the sub-selection of an `@external` field.
    pub under_external: bool,
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
    let mut walker = Walker {
        subgraph,
        selected: &mut selected,
        errors: &mut errors,
    };
    walker.walk(parent, &selections, false);
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
        messages.join("; ")
    })?;
    match document.definitions.as_slice() {
        [Definition::OperationDefinition(op)] if op.name.is_none() => Ok(op.selection_set.clone()),
        _ => Err("syntax error: not a selection set".to_string()),
    }
}

struct Walker<'a, 'b> {
    subgraph: &'a Subgraph,
    selected: &'b mut Vec<Selected<'a>>,
    errors: &'b mut Vec<String>,
}

impl<'a> Walker<'a, '_> {
    fn walk(&mut self, parent: &str, selections: &[Selection], under_external: bool) {
        let subgraph = self.subgraph;
        let Some(parent_type) = subgraph.types.get(parent) else {
            self.errors.push(format!("unknown type \"{parent}\""));
            return;
        };
        for selection in selections {
            match selection {
                Selection::Field(field) => {
                    if field.name == "__typename" {
                        continue;
                    }
                    let Some(definition) = parent_type.fields.get(field.name.as_str()) else {
                        self.errors.push(format!(
                        "Cannot query field \"{}\" on type \"{parent}\" (the field should either be added to this subgraph or, if it should not be resolved by this subgraph, you need to add it to this subgraph with @external).",
                        field.name
                    ));
                        continue;
                    };
                    if !field.directives.is_empty() {
                        self.errors
                            .push(format!("field \"{parent}.{}\" has directives", field.name));
                    }
                    self.selected.push(Selected {
                        parent: parent.to_string(),
                        field: definition,
                        leaf: field.selection_set.is_empty(),
                        under_external,
                    });
                    let inner = definition.ty.inner_named_type().as_str();
                    let composite = subgraph.types.get(inner).is_some_and(|t| {
                        matches!(t.kind, Kind::Object | Kind::Interface | Kind::Union)
                    });
                    match (composite, field.selection_set.is_empty()) {
                    (true, true) => self.errors.push(format!(
                        "Field \"{parent}.{}\" of type \"{}\" must have a selection of subfields.",
                        field.name, definition.ty
                    )),
                    (false, false) => self.errors.push(format!(
                        "Field \"{parent}.{}\" must not have a selection since type \"{}\" has no subfields.",
                        field.name, definition.ty
                    )),
                    (true, false) => self.walk(
                        inner,
                        &field.selection_set,
                        under_external || definition.external,
                    ),
                    (false, true) => {}
                }
                }
                Selection::InlineFragment(fragment) => {
                    let target = fragment
                        .type_condition
                        .as_ref()
                        .map_or(parent, |t| t.as_str());
                    self.walk(target, &fragment.selection_set, under_external);
                }
                Selection::FragmentSpread(spread) => self.errors.push(format!(
                    "named fragment spread \"...{}\" is not allowed in a field set",
                    spread.fragment_name
                )),
            }
        }
    }
}
