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

/// Prefix of the pseudo-variable of a deferred fragment's [`Cond`]: `#` cannot
/// occur in a GraphQL name, so it never clashes with a client variable.
const DEFER_PREFIX: &str = "defer#";

impl Cond {
    /// The condition standing for the `index`-th `@defer` of the operation: the
    /// search treats a deferred fragment like a conditional one, so a fetch made
    /// only for its fields carries it and can be moved to the deferred part,
    /// while a fetch that also serves other fields loses it (as it would lose a
    /// `@skip`/`@include` condition). It is never rendered into a subgraph
    /// operation nor kept in the plan.
    pub fn defer(index: usize) -> Cond {
        Cond {
            variable: Name::new_unchecked(&format!("{DEFER_PREFIX}{index}")),
            include_if: true,
        }
    }

    /// The `@defer` index this condition stands for, if it is one.
    pub fn defer_index(&self) -> Option<usize> {
        self.variable
            .as_str()
            .strip_prefix(DEFER_PREFIX)
            .and_then(|i| i.parse().ok())
    }
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
/// `@defer` is ignored here (field sets and `@provides` never carry it).
pub(crate) fn normalize(
    set: &SelectionSet,
    fragments: &executable::FragmentMap,
) -> Result<Vec<CSel>, PlanError> {
    Normalizer {
        fragments,
        defers: None,
        next_defer: 0,
        path: Vec::new(),
    }
    .set(set)
}

/// Normalises an operation's selection set, turning each active `@defer` into
/// a [`Cond::defer`] on its fragment and describing it in the returned list
/// (indexed as [`crate::defer::deferred_fragments`] numbers them).
pub(crate) fn normalize_operation(
    set: &SelectionSet,
    fragments: &executable::FragmentMap,
) -> Result<(Vec<CSel>, Vec<DeferInfo>), PlanError> {
    let mut normalizer = Normalizer {
        fragments,
        defers: Some(Vec::new()),
        next_defer: 0,
        path: Vec::new(),
    };
    let selections = normalizer.set(set)?;
    Ok((selections, normalizer.defers.unwrap_or_default()))
}

/// An active `@defer` of the operation, as the planner found it.
#[derive(Debug, Clone)]
pub(crate) struct DeferInfo {
    /// Its number among every `@defer` of the operation (see
    /// [`crate::defer::deferred_fragments`]).
    pub index: usize,
    pub label: Option<String>,
    /// `@defer(if: $variable)`: deferred only when the variable is true.
    pub if_variable: Option<String>,
    /// The response path of the objects the fragment is on.
    pub path: Vec<super::fetch_graph::PathKey>,
    /// The type of the selection set holding the fragment.
    pub parent_type: Name,
}

struct Normalizer<'f> {
    fragments: &'f executable::FragmentMap,
    /// `None` when `@defer` is ignored.
    defers: Option<Vec<DeferInfo>>,
    /// The number of the next `@defer` met, in the order of
    /// [`crate::defer::deferred_fragments`] (skipped selections count too).
    next_defer: usize,
    path: Vec<super::fetch_graph::PathKey>,
}

impl Normalizer<'_> {
    /// Counts the `@defer`s of a selection left out, so the numbers of the next
    /// ones stay those the executor gives them.
    fn skip(&mut self, selection: &Selection) {
        let mut found = Vec::new();
        let set = SelectionSet {
            ty: Name::new_static_unchecked("_"),
            selections: vec![selection.clone()],
        };
        crate::defer::deferred_fragments(&set, self.fragments, &mut found);
        self.next_defer += found.len();
    }

    /// The conditions of a fragment: its `@skip`/`@include`, and its `@defer`
    /// when active.
    fn fragment_conditions(
        &mut self,
        directives: &DirectiveList,
        parent_type: &Name,
        mut conditions: Vec<Cond>,
    ) -> Result<Vec<Cond>, PlanError> {
        let Some(defer) = directives.get("defer") else {
            return Ok(conditions);
        };
        let index = self.next_defer;
        self.next_defer += 1;
        let Some(defers) = self.defers.as_mut() else {
            return Ok(conditions);
        };
        let if_variable = match defer.specified_argument_by_name("if").map(|v| v.as_ref()) {
            None | Some(Value::Boolean(true)) => None,
            Some(Value::Boolean(false)) => return Ok(conditions),
            Some(Value::Variable(variable)) => Some(variable.to_string()),
            Some(other) => {
                return Err(PlanError::InvalidOperation(format!(
                    "@defer(if:) must be a boolean or a variable, got {other}"
                )));
            }
        };
        let label = match defer
            .specified_argument_by_name("label")
            .map(|v| v.as_ref())
        {
            Some(Value::String(label)) => Some(label.clone()),
            _ => None,
        };
        defers.push(DeferInfo {
            index,
            label,
            if_variable,
            path: self.path.clone(),
            parent_type: parent_type.clone(),
        });
        conditions.push(Cond::defer(index));
        Ok(conditions)
    }

    fn set(&mut self, set: &SelectionSet) -> Result<Vec<CSel>, PlanError> {
        let mut out = Vec::new();
        for selection in &set.selections {
            match selection {
                Selection::Field(field) => {
                    let Inclusion::When(conditions) = inclusion(&field.directives)? else {
                        self.skip(selection);
                        continue;
                    };
                    let depth = self.path.len();
                    self.path.push(super::fetch_graph::PathKey::Key(
                        field.response_key().clone(),
                    ));
                    self.path.extend(std::iter::repeat_n(
                        super::fetch_graph::PathKey::Flatten,
                        super::search::list_depth(&field.definition.ty),
                    ));
                    let selections = self.set(&field.selection_set);
                    self.path.truncate(depth);
                    out.push(CSel::Field(CField {
                        response_key: field.response_key().clone(),
                        name: field.name.clone(),
                        arguments: field.arguments.clone(),
                        conditions,
                        ty: field.definition.ty.clone(),
                        selections: Rc::new(selections?),
                    }));
                }
                Selection::InlineFragment(inline) => {
                    let Inclusion::When(conditions) = inclusion(&inline.directives)? else {
                        self.skip(selection);
                        continue;
                    };
                    let conditions =
                        self.fragment_conditions(&inline.directives, &set.ty, conditions)?;
                    out.push(CSel::Fragment(CFragment {
                        type_condition: inline.type_condition.clone(),
                        conditions,
                        selections: Rc::new(self.set(&inline.selection_set)?),
                    }));
                }
                Selection::FragmentSpread(spread) => {
                    let Inclusion::When(conditions) = inclusion(&spread.directives)? else {
                        self.skip(selection);
                        continue;
                    };
                    let fragment = self.fragments.get(&spread.fragment_name).ok_or_else(|| {
                        PlanError::InvalidOperation(format!(
                            "unknown fragment {}",
                            spread.fragment_name
                        ))
                    })?;
                    let conditions =
                        self.fragment_conditions(&spread.directives, &set.ty, conditions)?;
                    out.push(CSel::Fragment(CFragment {
                        type_condition: Some(fragment.type_condition().clone()),
                        conditions,
                        selections: Rc::new(self.set(&fragment.selection_set)?),
                    }));
                }
            }
        }
        Ok(out)
    }
}
