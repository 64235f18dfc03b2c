//! `@context` / `@fromContext`: fields whose subgraph takes an argument from
//! an ancestor in the response.
//!
//! A type sets a context (`@context(name: "subgraph__ctx")` in the
//! supergraph); a field's `@join__field(contextArguments:)` says which of its
//! subgraph's arguments take their value from the nearest ancestor setting
//! that context, and which selection on that ancestor gives it. Clients never
//! pass these arguments (they are not in the API schema).
//!
//! Planning such a field:
//! - While the search goes down the operation, every position whose type may
//!   set a context is remembered ([`Ancestors`], carried by each position).
//! - The field always gets an entity fetch of its own subgraph at its parent's
//!   position (jumping to it even when the parent was fetched from that
//!   subgraph), since the value may differ per entity.
//! - At the top of that fetch, for each context argument, the remembered
//!   ancestors that may set the context are taken nearest first (stopping at
//!   one that always sets it); the context selection is planned at each of
//!   them like any client selection (so it may jump), and the fetch waits for
//!   the fetches that produce it. The argument is passed as a variable the
//!   operation declares (`$contextualArgument_N`), described to the executor
//!   by a [`ContextArgument`] (how far up each ancestor is, its type
//!   conditions, and the response keys to read there).

use std::rc::Rc;

use apollo_compiler::ast::{Argument, Value};
use apollo_compiler::executable::FieldSet;
use apollo_compiler::{Name, Node};

use super::PlanError;
use super::fetch_graph::{PathKey, State, Touched};
use super::jump::{avoid_client_keys, to_plan_selections};
use super::operation::{CField, CFragment, CSel, normalize};
use super::search::{Planner, Pos, typename_item};
use crate::plan::{ContextArgument, ContextSource};
use crate::supergraph::FieldJoin;

/// The positions above the current one whose type may set a context, nearest
/// first, shared between positions as a linked list.
#[derive(Debug, Clone, Default)]
pub(crate) struct Ancestors(Option<Rc<AncestorNode>>);

#[derive(Debug)]
pub(crate) struct AncestorNode {
    pos: Pos,
    parent: Ancestors,
}

impl Ancestors {
    fn iter(&self) -> impl Iterator<Item = &Pos> {
        let mut node = self.0.as_deref();
        std::iter::from_fn(move || {
            let n = node?;
            node = n.parent.0.as_deref();
            Some(&n.pos)
        })
    }
}

/// What placing a field with context arguments came to.
pub(super) enum ContextPlacement {
    /// The field went to its own entity fetch (placed there already).
    Jumped(Touched),
    /// At the top of that fetch: place this field (context arguments bound
    /// to the fetch's variables) like any other.
    Here(CField),
}

impl<'a> Planner<'a> {
    /// Remembers `sub` (a position just entered through a field) when its
    /// type may set a context, for the fields below that take one.
    pub(super) fn remember_context_ancestor(&self, sub: &mut Pos) {
        if self.sg.may_set_context(&sub.ty) {
            let parent = sub.ancestors.clone();
            sub.ancestors = Ancestors(Some(Rc::new(AncestorNode {
                pos: sub.clone(),
                parent,
            })));
        }
    }

    /// Places `field`, whose subgraph takes `@fromContext` arguments (see the
    /// module documentation).
    pub(super) fn place_context_field(
        &self,
        st: &mut State,
        pos: &Pos,
        field: &CField,
        join: &FieldJoin,
    ) -> Result<ContextPlacement, PlanError> {
        let graph = st.groups[pos.group].graph;
        let at_entity_top =
            st.groups[pos.group].entity && pos.steps.len() == 1 && pos.requires_given;
        if !at_entity_top {
            if self.sg.resolvable_keys(&pos.ty, graph).is_empty() {
                return Err(PlanError::Unresolvable(format!(
                    "{}.{} (it takes @fromContext arguments, so it needs an entity fetch, \
                     but {} has no resolvable key in subgraph {:?})",
                    pos.ty,
                    field.name,
                    pos.ty,
                    self.sg.graph_name(graph)
                )));
            }
            let touched = self.refetch_in_own_subgraph(st, pos, field)?;
            return Ok(ContextPlacement::Jumped(touched));
        }
        let mut deps = Touched::new();
        let mut arguments = field.arguments.clone();
        for argument in &join.context_arguments {
            let sources = self.context_sources(st, pos, field, argument, &mut deps)?;
            let variable = self.context_variable(st, pos.group, &argument.ty, sources);
            let name = |s: &str| {
                Name::new(s).map_err(|_| {
                    PlanError::InvalidOperation(format!(
                        "{}.{}: invalid context argument name {s:?}",
                        pos.ty, field.name
                    ))
                })
            };
            arguments.push(Node::new(Argument {
                name: name(&argument.name)?,
                value: Node::new(Value::Variable(name(&variable)?)),
            }));
        }
        let closure = st.closure(&deps);
        if closure.contains(&pos.group) {
            return Err(PlanError::Unresolvable(format!(
                "{}.{} (the context it takes comes from a fetch that waits for it)",
                pos.ty, field.name
            )));
        }
        st.groups[pos.group].deps.extend(deps);
        Ok(ContextPlacement::Here(CField {
            arguments,
            ..field.clone()
        }))
    }

    /// Plans the context selection at each ancestor that may set the context,
    /// nearest first, and says where the executor reads the value.
    fn context_sources(
        &self,
        st: &mut State,
        pos: &Pos,
        field: &CField,
        argument: &crate::supergraph::ContextArgument,
        deps: &mut Touched,
    ) -> Result<Vec<ContextSource>, PlanError> {
        let keys = |path: &[PathKey]| path.iter().filter(|p| matches!(p, PathKey::Key(_))).count();
        let depth = keys(&pos.path);
        let mut sources = Vec::new();
        for ancestor in pos.ancestors.iter() {
            let always = self.sg.sets_context(&ancestor.ty, &argument.context);
            let setters: Vec<Name> = if always {
                Vec::new()
            } else {
                self.sg
                    .possible_types(&ancestor.ty)
                    .into_iter()
                    .filter(|t| self.sg.sets_context(t, &argument.context))
                    .collect()
            };
            if !always && setters.is_empty() {
                continue;
            }
            let mut selection = self.with_typenames(self.context_selection(
                &argument.selection,
                &ancestor.ty,
                &setters,
            )?);
            avoid_client_keys(&mut selection, &ancestor.client_keys);
            let mut at = ancestor.clone();
            at.requires_given = false;
            // Fetches made only for the value happen only when the fetch that
            // passes it does (not under the field's own conditions: that fetch
            // may serve unconditional fields too).
            at.add_conditions(&st.groups[pos.group].conditions);
            deps.extend(self.plan_set(st, &at, &selection)?);
            if !always {
                // The executor picks the ancestor by its concrete type.
                st.groups[at.group]
                    .selection
                    .at_mut(&at.steps)
                    .add_field(typename_item());
            }
            sources.push(ContextSource {
                levels_up: depth - keys(&ancestor.path),
                type_conditions: setters.iter().map(|t| t.to_string()).collect(),
                selection: to_plan_selections(&selection),
            });
            if always {
                break;
            }
        }
        if sources.is_empty() {
            return Err(PlanError::Unresolvable(format!(
                "{}.{} (no ancestor in the operation sets the context {:?} its argument {} comes from)",
                pos.ty, field.name, argument.context, argument.name
            )));
        }
        Ok(sources)
    }

    /// The variable of the group passing a context argument with these
    /// sources: an existing one when equal, else a new one named uniquely
    /// across every group (groups may be merged later).
    fn context_variable(
        &self,
        st: &mut State,
        group: usize,
        ty: &str,
        sources: Vec<ContextSource>,
    ) -> String {
        if let Some(existing) = st.groups[group]
            .context_arguments
            .iter()
            .find(|c| c.ty == ty && c.sources == sources)
        {
            return existing.variable.clone();
        }
        let number = 1 + st
            .groups
            .iter()
            .map(|g| g.context_arguments.len())
            .sum::<usize>();
        let variable = format!("contextualArgument_{number}");
        st.groups[group].context_arguments.push(ContextArgument {
            variable: variable.clone(),
            ty: ty.to_string(),
            sources,
        });
        variable
    }

    /// The context selection (` { a { b } }` or ` ... on A { x } ... on B { y }`)
    /// as it applies at a position of type `ty`: the fragments for other
    /// types dropped, the one for `ty` itself unwrapped. At an abstract
    /// position only some of whose types (`setters`) set the context, a plain
    /// selection goes under a fragment on each of them.
    fn context_selection(
        &self,
        text: &str,
        ty: &Name,
        setters: &[Name],
    ) -> Result<Vec<CSel>, PlanError> {
        let invalid = |detail: String| {
            PlanError::InvalidOperation(format!(
                "invalid @fromContext selection {text:?} on {ty}: {detail}"
            ))
        };
        let parse = |on: &Name, body: &str| -> Result<Vec<CSel>, PlanError> {
            let schema = self.sg.supergraph_schema();
            let set = FieldSet::parse_and_validate(schema, on.clone(), body, "context.graphql")
                .map_err(|e| invalid(e.errors.to_string()))?;
            normalize(&set.selection_set, &Default::default())
        };
        let trimmed = text.trim();
        if let Some(inner) = trimmed.strip_prefix('{') {
            let inner = inner
                .strip_suffix('}')
                .ok_or_else(|| invalid("unbalanced".into()))?;
            if setters.is_empty() {
                return parse(ty, inner);
            }
            return setters
                .iter()
                .map(|on| {
                    Ok(CSel::Fragment(CFragment {
                        type_condition: Some(on.clone()),
                        conditions: Vec::new(),
                        selections: Rc::new(parse(on, inner)?),
                    }))
                })
                .collect();
        }
        let mut out = Vec::new();
        let mut rest = trimmed;
        while !rest.is_empty() {
            let after = rest
                .strip_prefix("...")
                .map(str::trim_start)
                .and_then(|r| r.strip_prefix("on"))
                .ok_or_else(|| invalid("expected `... on Type { ... }`".into()))?;
            let open = after.find('{').ok_or_else(|| invalid("no `{`".into()))?;
            let on = Name::new(after[..open].trim()).map_err(|_| invalid("bad type".into()))?;
            let mut level = 0;
            let mut close = None;
            for (i, c) in after[open..].char_indices() {
                match c {
                    '{' => level += 1,
                    '}' => {
                        level -= 1;
                        if level == 0 {
                            close = Some(open + i);
                            break;
                        }
                    }
                    _ => {}
                }
            }
            let close = close.ok_or_else(|| invalid("unbalanced".into()))?;
            let body = &after[open + 1..close];
            rest = after[close + 1..].trim_start();
            let here = self.sg.possible_types(ty);
            let there = self.sg.possible_types(&on);
            if !here.iter().any(|t| there.contains(t)) {
                continue;
            }
            let selections = parse(&on, body)?;
            if on == *ty || (!self.is_abstract(ty) && self.is_abstract(&on)) {
                out.extend(selections);
            } else {
                out.push(CSel::Fragment(CFragment {
                    type_condition: Some(on),
                    conditions: Vec::new(),
                    selections: Rc::new(selections),
                }));
            }
        }
        Ok(out)
    }
}
