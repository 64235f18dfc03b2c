//! The client's operation, normalised for planning: named fragments inlined,
//! `@skip`/`@include` with literal conditions resolved, variable conditions kept
//! as [`Cond`]s, every field carrying its type.

use std::rc::Rc;

use apollo_compiler::ast::{Argument, Type, Value};
use apollo_compiler::executable::{self, DirectiveList, Selection, SelectionSet};
use apollo_compiler::{Name, Node};

use super::PlanError;

/// A variable condition: the selection is included when `$variable == include_if`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct Cond {
    pub variable: Name,
    pub include_if: bool,
}

impl From<&Cond> for crate::plan::VariableCondition {
    fn from(c: &Cond) -> Self {
        crate::plan::VariableCondition {
            variable: c.variable.to_string(),
            include_if: c.include_if,
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) enum CSel {
    Field(CField),
    Fragment(CFragment),
}

#[derive(Debug, Clone)]
pub(crate) struct CField {
    pub response_key: Name,
    pub name: Name,
    pub arguments: Vec<Node<Argument>>,
    pub conditions: Vec<Cond>,
    /// The field's type in the supergraph.
    pub ty: Type,
    pub selections: Rc<Vec<CSel>>,
}

#[derive(Debug, Clone)]
pub(crate) struct CFragment {
    pub type_condition: Option<Name>,
    pub conditions: Vec<Cond>,
    pub selections: Rc<Vec<CSel>>,
}

impl CField {
    /// The record of this field left out of every fetch at `path` (objects of
    /// `parent` there), under the `enclosing` conditions and its own.
    pub fn left_out(
        &self,
        path: Vec<crate::plan::PathElement>,
        parent: &Name,
        enclosing: &[Cond],
        reason: crate::plan::UnresolvableReason,
    ) -> crate::plan::UnresolvableField {
        let mut conditions: Vec<crate::plan::VariableCondition> = Vec::new();
        for condition in enclosing.iter().chain(&self.conditions) {
            let condition = crate::plan::VariableCondition::from(condition);
            if !conditions.contains(&condition) {
                conditions.push(condition);
            }
        }
        crate::plan::UnresolvableField {
            path,
            parent_type: parent.to_string(),
            field_name: self.name.to_string(),
            response_key: self.response_key.to_string(),
            conditions,
            reason,
        }
    }

    pub fn typename(response_key: Name) -> CField {
        CField {
            response_key,
            name: Name::new_static_unchecked("__typename"),
            arguments: Vec::new(),
            conditions: Vec::new(),
            ty: Type::NonNullNamed(Name::new_static_unchecked("String")),
            selections: Rc::new(Vec::new()),
        }
    }
}

/// What the directives of a selection decide.
enum Inclusion {
    Never,
    When(Vec<Cond>),
}

fn inclusion(directives: &DirectiveList) -> Result<Inclusion, PlanError> {
    let mut conditions = Vec::new();
    for directive in directives.iter() {
        let include_if = match directive.name.as_str() {
            "include" => true,
            "skip" => false,
            _ => continue,
        };
        match directive
            .specified_argument_by_name("if")
            .map(|v| v.as_ref())
        {
            Some(Value::Boolean(b)) => {
                if *b != include_if {
                    return Ok(Inclusion::Never);
                }
            }
            Some(Value::Variable(variable)) => conditions.push(Cond {
                variable: variable.clone(),
                include_if,
            }),
            other => {
                return Err(PlanError::InvalidOperation(format!(
                    "@{}(if:) must be a boolean or a variable, got {}",
                    directive.name,
                    other
                        .map(|v| v.to_string())
                        .unwrap_or_else(|| "nothing".into())
                )));
            }
        }
    }
    Ok(Inclusion::When(conditions))
}

/// Normalises a selection set. `fragments` is the document's named fragments
/// (empty for field sets). Fragment cycles are impossible in a validated document.
pub(crate) fn normalize(
    set: &SelectionSet,
    fragments: &executable::FragmentMap,
) -> Result<Vec<CSel>, PlanError> {
    let mut out = Vec::new();
    for selection in &set.selections {
        match selection {
            Selection::Field(field) => {
                let Inclusion::When(conditions) = inclusion(&field.directives)? else {
                    continue;
                };
                out.push(CSel::Field(CField {
                    response_key: field.response_key().clone(),
                    name: field.name.clone(),
                    arguments: field.arguments.clone(),
                    conditions,
                    ty: field.definition.ty.clone(),
                    selections: Rc::new(normalize(&field.selection_set, fragments)?),
                }));
            }
            Selection::InlineFragment(inline) => {
                let Inclusion::When(conditions) = inclusion(&inline.directives)? else {
                    continue;
                };
                out.push(CSel::Fragment(CFragment {
                    type_condition: inline.type_condition.clone(),
                    conditions,
                    selections: Rc::new(normalize(&inline.selection_set, fragments)?),
                }));
            }
            Selection::FragmentSpread(spread) => {
                let Inclusion::When(conditions) = inclusion(&spread.directives)? else {
                    continue;
                };
                let fragment = fragments.get(&spread.fragment_name).ok_or_else(|| {
                    PlanError::InvalidOperation(format!(
                        "unknown fragment {}",
                        spread.fragment_name
                    ))
                })?;
                out.push(CSel::Fragment(CFragment {
                    type_condition: Some(fragment.type_condition().clone()),
                    conditions,
                    selections: Rc::new(normalize(&fragment.selection_set, fragments)?),
                }));
            }
        }
    }
    Ok(out)
}
