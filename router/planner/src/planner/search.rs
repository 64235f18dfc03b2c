//! The path search: placing every client field in a fetch group.
//!
//! A position is (fetch group, place in its selection, response path, type). A
//! field stays in the position's group when that group's subgraph can resolve it
//! (directly, through `@provides`, or as a key field when building a
//! representation); otherwise the search jumps (see [`super::jump`]) to a
//! subgraph that can. Where a choice exists (a shareable root field, a field
//! several subgraphs resolve), each candidate is tried with the siblings after
//! it and the cheapest result (fewest sequential steps, then fetches) is kept.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Instant;

use apollo_compiler::Name;
use apollo_compiler::ast::OperationType;

use super::context::{Ancestors, ContextPlacement};
use super::fetch_graph::{Cost, Group, PathKey, State, Touched};
use super::operation::{CField, CFragment, CSel, Cond, normalize};
use super::resolve::provided_field;
use super::selection::{FieldItem, SelSet, Step};
use super::{PlanError, PlanOptions, PlannerConfig};
use crate::supergraph::{GraphId, Supergraph};

#[derive(Debug, Clone)]
pub(super) struct Pos {
    pub(super) group: usize,
    pub(super) steps: Vec<Step>,
    pub(super) path: Vec<PathKey>,
    pub(super) ty: Name,
    /// What an enclosing `@provides` makes resolvable here.
    pub(super) provided: Option<Rc<Vec<CSel>>>,
    pub(super) conditions: Vec<Cond>,
    /// Placing key fields for a representation: the subgraph can produce its
    /// own key fields even where it marks them external.
    pub(super) key_context: bool,
    /// At the top of an entity fetch whose representation carries the
    /// `@requires` fields of the field being placed there.
    pub(super) requires_given: bool,
    /// The `@requires` being satisfied around this position, as (response
    /// path, type, field): a field whose required fields need the field itself
    /// again has no plan, and is refused instead of recursing.
    pub(super) requiring: Rc<Vec<(Vec<PathKey>, Name, Name)>>,
    /// Subgraphs the current chain of jumps came through.
    pub(super) visited: Vec<GraphId>,
    /// `(response key, field name)` of the client's selections at this level:
    /// added key and required fields must not take a key the client uses for
    /// another field.
    pub(super) client_keys: Rc<Vec<(Name, Name)>>,
    /// The client fields and fragments from the root to here, for queries
    /// only: a value type another subgraph also serves can be fetched again
    /// from that subgraph's root when it has no key to jump with.
    pub(super) route: Option<Route>,
    /// Positions above whose type may set a context (`@context`).
    pub(super) ancestors: Ancestors,
    /// The nearest enclosing entity and the way down from it (see [`Anchor`]).
    pub(super) anchor: Option<Anchor>,
    /// Placing the client's own selections (not key or `@requires` fields
    /// for a representation): a field nothing can resolve here is answered
    /// with an error instead of failing the whole plan.
    pub(super) client: bool,
}

/// The nearest enclosing entity of a position and the fields and fragments from
/// it to the position. A field of a value type (no key) that only another
/// subgraph resolves is reached through that entity: fetch the entity from the
/// other subgraph by its key and select the same way down inside it.
#[derive(Debug, Clone)]
pub(super) struct Anchor {
    pub(super) pos: Rc<Pos>,
    pub(super) route: Route,
}

impl Pos {
    /// Adds the conditions this position is not already under: a fetch made
    /// for what is placed here then happens only when they hold.
    pub(super) fn add_conditions<'c>(&mut self, conditions: impl IntoIterator<Item = &'c Cond>) {
        for c in conditions {
            if !self.conditions.contains(c) {
                self.conditions.push(c.clone());
            }
        }
    }
}

impl Anchor {
    /// An anchor at `pos` itself (an entity position).
    pub(super) fn at(pos: &Pos) -> Anchor {
        let mut pos = pos.clone();
        pos.anchor = None;
        Anchor {
            pos: Rc::new(pos),
            route: Route::default(),
        }
    }

    /// The same anchor, one step further down.
    pub(super) fn down(&self, step: RouteStep) -> Anchor {
        Anchor {
            pos: self.pos.clone(),
            route: self.route.with(step),
        }
    }
}

#[derive(Debug, Clone)]
pub(super) enum RouteStep {
    /// A field (its selections are not used).
    Field(CField),
    Fragment(Option<Name>, Vec<Cond>),
}

/// The route from the root to a position, shared between positions as a
/// linked list: extending it per field costs one small allocation.
#[derive(Debug, Clone, Default)]
pub(super) struct Route(Option<Rc<RouteNode>>);

#[derive(Debug)]
struct RouteNode {
    step: RouteStep,
    parent: Route,
}

impl Route {
    /// This route, one step further.
    pub(super) fn with(&self, step: RouteStep) -> Route {
        Route(Some(Rc::new(RouteNode {
            step,
            parent: self.clone(),
        })))
    }

    pub(super) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// The steps from the root.
    pub(super) fn steps(&self) -> Vec<RouteStep> {
        let mut steps = Vec::new();
        let mut node = &self.0;
        while let Some(n) = node {
            steps.push(n.step.clone());
            node = &n.parent.0;
        }
        steps.reverse();
        steps
    }
}

pub(super) fn extend_route(route: &Option<Route>, step: RouteStep) -> Option<Route> {
    route.as_ref().map(|parent| parent.with(step))
}

#[derive(Debug, Clone)]
pub(super) struct Candidate {
    pub(super) graph: GraphId,
    /// The type the target subgraph resolves (an interface for `@interfaceObject`).
    pub(super) entity_type: Name,
}

pub(crate) struct Planner<'a> {
    pub(super) sg: &'a Supergraph,
    pub(super) options: &'a PlanOptions,
    pub(super) config: &'a PlannerConfig,
    pub(super) started: Instant,
    pub(super) evaluated: Cell<usize>,
    pub(super) in_trial: Cell<bool>,
}

impl<'a> Planner<'a> {
    pub(super) fn new(
        sg: &'a Supergraph,
        options: &'a PlanOptions,
        config: &'a PlannerConfig,
    ) -> Self {
        Planner {
            sg,
            options,
            config,
            started: Instant::now(),
            evaluated: Cell::new(0),
            in_trial: Cell::new(false),
        }
    }

    pub(super) fn plan_operation(
        &self,
        kind: OperationType,
        selections: &[CSel],
    ) -> Result<State, PlanError> {
        let root = self
            .sg
            .supergraph_schema()
            .root_operation(kind)
            .cloned()
            .ok_or_else(|| PlanError::InvalidOperation(format!("the schema has no {kind} type")))?;
        let mut fields = Vec::new();
        flatten_root(selections, &[], &mut fields);
        let mut st = State::default();
        self.plan_root_fields(&mut st, kind, &root, &fields)?;
        Ok(st)
    }

    /// Places root fields in order. At the first root field several subgraphs
    /// can resolve, each candidate is tried together with the fields after it,
    /// so the choice accounts for what its siblings need.
    pub(super) fn plan_root_fields(
        &self,
        st: &mut State,
        kind: OperationType,
        root: &Name,
        fields: &[CField],
    ) -> Result<(), PlanError> {
        for (i, field) in fields.iter().enumerate() {
            if matches!(field.name.as_str(), "__typename" | "__schema" | "__type") {
                continue;
            }
            let mut candidates: Vec<GraphId> = (0..self.sg.graphs.len())
                .filter(|g| self.can_resolve(*g, root, &field.name, None, false))
                .collect();
            if candidates.is_empty() {
                return Err(PlanError::Unresolvable(format!("{root}.{}", field.name)));
            }
            // Prefer subgraphs already fetched from: their fields join that fetch.
            let preferred = |g: &GraphId| match kind {
                OperationType::Mutation => st.last_root_graph != Some(*g),
                _ => !st.groups.iter().any(|x| !x.entity && x.graph == *g),
            };
            candidates.sort_by_key(|g| preferred(g));
            if kind == OperationType::Mutation {
                candidates.truncate(1);
            }
            if candidates.len() > 1 && !self.in_trial.get() {
                let rest = &fields[i + 1..];
                self.choose(st, &candidates, |planner, st, graph| {
                    let touched = planner.plan_root_field(st, kind, root, *graph, field)?;
                    planner.plan_root_fields(st, kind, root, rest)?;
                    Ok(touched)
                })?;
                return Ok(());
            }
            self.choose(st, &candidates, |planner, st, graph| {
                planner.plan_root_field(st, kind, root, *graph, field)
            })?;
        }
        Ok(())
    }

    pub(super) fn plan_root_field(
        &self,
        st: &mut State,
        kind: OperationType,
        root: &Name,
        graph: GraphId,
        field: &CField,
    ) -> Result<Touched, PlanError> {
        if kind == OperationType::Mutation && st.last_root_graph != Some(graph) {
            if st.last_root_graph.is_some() {
                st.chunk += 1;
            }
            st.last_root_graph = Some(graph);
        }
        let chunk = st.chunk;
        let existing = st
            .groups
            .iter()
            .position(|g| !g.entity && g.graph == graph && g.chunk == chunk);
        let group = match existing {
            Some(i) => {
                let conditions = &mut st.groups[i].conditions;
                conditions.retain(|c| field.conditions.contains(c));
                i
            }
            None => {
                st.groups.push(Group {
                    graph,
                    entity: false,
                    merge_path: Vec::new(),
                    selection: SelSet::default(),
                    requires: Vec::new(),
                    input_rewrites: Vec::new(),
                    deps: BTreeSet::new(),
                    conditions: field.conditions.clone(),
                    chunk,
                    context_arguments: Vec::new(),
                });
                st.groups.len() - 1
            }
        };
        let pos = Pos {
            group,
            steps: Vec::new(),
            path: Vec::new(),
            ty: root.clone(),
            provided: None,
            conditions: Vec::new(),
            key_context: false,
            requires_given: false,
            requiring: Rc::new(Vec::new()),
            visited: Vec::new(),
            client_keys: Rc::new(Vec::new()),
            route: (kind == OperationType::Query).then(Route::default),
            ancestors: Ancestors::default(),
            anchor: None,
            client: true,
        };
        self.plan_set(st, &pos, &[CSel::Field(field.clone())])
    }

    /// Runs `run` for the best of `candidates` (fewest steps, then fetches).
    /// Alternatives are only weighed at the outermost decision; inside a trial
    /// the first candidate is taken, which keeps the search linear.
    pub(super) fn choose<C>(
        &self,
        st: &mut State,
        candidates: &[C],
        run: impl Fn(&Self, &mut State, &C) -> Result<Touched, PlanError>,
    ) -> Result<Touched, PlanError> {
        if candidates.len() == 1 || self.in_trial.get() {
            return run(self, st, &candidates[0]);
        }
        self.in_trial.set(true);
        let mut best: Option<(Cost, State, Touched)> = None;
        let mut first_error = None;
        for candidate in candidates {
            self.evaluated.set(self.evaluated.get() + 1);
            if let Err(e) = self.check_budget() {
                self.in_trial.set(false);
                return Err(e);
            }
            let mut trial = st.clone();
            match run(self, &mut trial, candidate) {
                Ok(touched) => {
                    let cost = trial.cost();
                    if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                        best = Some((cost, trial, touched));
                    }
                }
                Err(e @ (PlanError::Timeout(_) | PlanError::TooManyOptions(_))) => {
                    self.in_trial.set(false);
                    return Err(e);
                }
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        self.in_trial.set(false);
        match best {
            Some((_, state, touched)) => {
                *st = state;
                Ok(touched)
            }
            None => Err(first_error.expect("at least one candidate was tried")),
        }
    }

    pub(super) fn check_budget(&self) -> Result<(), PlanError> {
        if self.evaluated.get() > self.config.max_evaluated_options {
            return Err(PlanError::TooManyOptions(self.config.max_evaluated_options));
        }
        if self.started.elapsed() > self.config.timeout {
            return Err(PlanError::Timeout(self.config.timeout));
        }
        Ok(())
    }

    pub(super) fn plan_set(
        &self,
        st: &mut State,
        pos: &Pos,
        sels: &[CSel],
    ) -> Result<Touched, PlanError> {
        self.check_budget()?;
        let mut touched = Touched::new();
        for (i, sel) in sels.iter().enumerate() {
            match sel {
                CSel::Field(f) => {
                    let (t, placed_rest) = self.plan_field(st, pos, f, &sels[i + 1..])?;
                    touched.extend(t);
                    if placed_rest {
                        break;
                    }
                }
                CSel::Fragment(f) => touched.extend(self.plan_fragment(st, pos, f)?),
            }
        }
        Ok(touched)
    }

    pub(super) fn plan_fragment(
        &self,
        st: &mut State,
        pos: &Pos,
        fragment: &CFragment,
    ) -> Result<Touched, PlanError> {
        if fragment.selections.is_empty() {
            // Everything in it was skipped with a literal condition.
            return Ok(Touched::new());
        }
        let graph = st.groups[pos.group].graph;
        match &fragment.type_condition {
            Some(on) if *on != pos.ty && self.is_abstract(&pos.ty) => {
                if self.is_interface_object(&pos.ty, graph) && !pos.key_context {
                    return Ok(self
                        .jump(st, pos, &CSel::Fragment(fragment.clone()), &[])?
                        .0);
                }
                let here = self.sg.possible_types_in(&pos.ty, graph);
                let everywhere = self.sg.possible_types(&pos.ty);
                let wanted = self.sg.possible_types(on);
                st.unreachable_types += wanted
                    .iter()
                    .filter(|t| everywhere.contains(t) && !here.contains(t))
                    .count();
                if self.is_abstract(on) {
                    // The subgraph may know `on` with fewer members than the
                    // supergraph (an implementation declared elsewhere): its own
                    // `... on On` would then not match those objects, so the
                    // fragment is expanded per object type instead.
                    let members_here = self.sg.possible_types_in(on, graph);
                    let same_members = here
                        .iter()
                        .filter(|t| wanted.contains(t))
                        .all(|t| members_here.contains(t));
                    if same_members
                        && self.sg.has_type(on, graph)
                        && !self.is_interface_object(on, graph)
                    {
                        return self.enter_fragment(st, pos, Some(on.clone()), fragment);
                    }
                    let mut touched = Touched::new();
                    for object in here.into_iter().filter(|o| wanted.contains(o)) {
                        touched.extend(self.enter_fragment(st, pos, Some(object), fragment)?);
                    }
                    Ok(touched)
                } else if here.contains(on) {
                    self.enter_fragment(st, pos, Some(on.clone()), fragment)
                } else {
                    // The subgraph never returns that type here: nothing to select.
                    Ok(Touched::new())
                }
            }
            Some(on) if *on != pos.ty && !self.sg.possible_types(on).contains(&pos.ty) => {
                // An object position (a field the subgraph types narrower than
                // the supergraph): a fragment on another type never matches.
                Ok(Touched::new())
            }
            _ if fragment.conditions.is_empty() => self.plan_set(st, pos, &fragment.selections),
            _ => self.enter_fragment(st, pos, None, fragment),
        }
    }

    pub(super) fn enter_fragment(
        &self,
        st: &mut State,
        pos: &Pos,
        on: Option<Name>,
        fragment: &CFragment,
    ) -> Result<Touched, PlanError> {
        let step = st.groups[pos.group]
            .selection
            .at_mut(&pos.steps)
            .add_fragment(on.clone(), fragment.conditions.clone());
        let mut sub = pos.clone();
        sub.steps.push(step);
        if let Some(on) = &on {
            sub.ty = on.clone();
        }
        sub.conditions.extend(fragment.conditions.iter().cloned());
        let narrowed = on.is_some();
        let step = RouteStep::Fragment(on, fragment.conditions.clone());
        sub.anchor = if narrowed && self.is_anchor_type(&sub.ty) {
            Some(Anchor::at(&sub))
        } else {
            pos.anchor.as_ref().map(|a| a.down(step.clone()))
        };
        sub.route = extend_route(&pos.route, step);
        self.plan_set(st, &sub, &fragment.selections)
    }

    /// Places one field. Returns whether `rest` (the siblings after it) was
    /// placed too, which happens when the field's jump had to be chosen among
    /// several subgraphs.
    pub(super) fn plan_field(
        &self,
        st: &mut State,
        pos: &Pos,
        field: &CField,
        rest: &[CSel],
    ) -> Result<(Touched, bool), PlanError> {
        let graph = st.groups[pos.group].graph;
        let interface_object = self.is_interface_object(&pos.ty, graph);
        if field.name == "__typename" {
            if interface_object && !pos.key_context {
                return self.jump(st, pos, &CSel::Field(field.clone()), rest);
            }
            return Ok((self.add_local_field(st, pos, field)?, false));
        }
        if self.is_abstract(&pos.ty) && !interface_object {
            let possible = self.sg.possible_types_in(&pos.ty, graph);
            let at_interface = self.is_interface(&pos.ty)
                && self.can_resolve(
                    graph,
                    &pos.ty,
                    &field.name,
                    pos.provided.as_deref().map(Vec::as_slice),
                    pos.key_context,
                )
                && possible.iter().all(|o| {
                    self.can_resolve(
                        graph,
                        o,
                        &field.name,
                        pos.provided.as_deref().map(Vec::as_slice),
                        pos.key_context,
                    )
                });
            if !at_interface {
                let mut touched = Touched::new();
                let fragment = CFragment {
                    type_condition: None,
                    conditions: Vec::new(),
                    selections: Rc::new(vec![CSel::Field(field.clone())]),
                };
                for object in possible {
                    touched.extend(self.enter_fragment(st, pos, Some(object), &fragment)?);
                }
                return Ok((touched, false));
            }
        }
        let provided = pos.provided.as_deref().map(Vec::as_slice);
        if !pos.requires_given && self.requires_unavailable(graph, &pos.ty, &field.name, provided) {
            // The subgraph resolves the field, but only with its required
            // fields in a representation: a new entity fetch to the same
            // subgraph, after the fetches that obtain them.
            return Ok((self.refetch_in_own_subgraph(st, pos, field)?, false));
        }
        if self.can_resolve(graph, &pos.ty, &field.name, provided, pos.key_context)
            && (field.selections.is_empty()
                || !self.only_provided(graph, &pos.ty, &field.name)
                || self.covered(
                    graph,
                    field.ty.inner_named_type(),
                    &field.selections,
                    provided
                        .and_then(|p| provided_field(p, &pos.ty, &field.name))
                        .as_deref(),
                ))
        {
            return Ok((self.add_local_field(st, pos, field)?, false));
        }
        self.jump(st, pos, &CSel::Field(field.clone()), rest)
    }

    /// Whether a position of type `ty` anchors the value-type positions below it
    /// (see [`Anchor`]): an entity, or an abstract type whose every possible type
    /// is one (reached per type, see `jump_through_anchor`).
    pub(super) fn is_anchor_type(&self, ty: &Name) -> bool {
        self.sg.is_entity(ty)
            || (self.is_abstract(ty) && {
                let possible = self.sg.possible_types(ty);
                !possible.is_empty() && possible.iter().all(|t| self.sg.is_entity(t))
            })
    }

    /// Places `field` in a new entity fetch to the subgraph of `pos` itself, at
    /// the same path, under the field's own conditions too: for a field that needs
    /// something a representation carries (its `@requires` fields, its
    /// `@fromContext` values).
    pub(super) fn refetch_in_own_subgraph(
        &self,
        st: &mut State,
        pos: &Pos,
        field: &CField,
    ) -> Result<Touched, PlanError> {
        let candidate = Candidate {
            graph: st.groups[pos.group].graph,
            entity_type: pos.ty.clone(),
        };
        let mut pos = pos.clone();
        pos.add_conditions(&field.conditions);
        self.jump_to(st, &pos, &candidate, &CSel::Field(field.clone()))
    }

    pub(super) fn add_local_field(
        &self,
        st: &mut State,
        pos: &Pos,
        field: &CField,
    ) -> Result<Touched, PlanError> {
        let graph = st.groups[pos.group].graph;
        let named = field.ty.inner_named_type().clone();
        let composite = self.is_composite(&named);
        let join = self.join_in(graph, &pos.ty, &field.name);
        let with_context;
        let field = match join.filter(|j| !j.context_arguments.is_empty()) {
            Some(j) => match self.place_context_field(st, pos, field, j)? {
                ContextPlacement::Jumped(touched) => return Ok(touched),
                ContextPlacement::Here(f) => {
                    with_context = f;
                    &with_context
                }
            },
            None => field,
        };
        let item = FieldItem {
            alias: (field.response_key != field.name).then(|| field.response_key.clone()),
            name: field.name.clone(),
            arguments: field.arguments.clone(),
            conditions: field.conditions.clone(),
            subgraph_type: join
                .and_then(|j| j.type_in_graph.clone())
                .unwrap_or_else(|| field.ty.to_string()),
            sub: composite.then(SelSet::default),
        };
        let step = st.groups[pos.group]
            .selection
            .at_mut(&pos.steps)
            .add_field(item);
        let mut touched = Touched::from([pos.group]);
        if !composite {
            return Ok(touched);
        }
        // The type the subgraph itself gives the field, where `@join__field(type:)`
        // names a narrower one (a union member or an implementation): what it can
        // return there, and what its fragments may be on.
        let in_subgraph = join
            .and_then(|j| j.type_in_graph.as_deref())
            .and_then(|t| apollo_compiler::ast::Type::parse(t, "type").ok())
            .map(|t| t.inner_named_type().clone())
            .filter(|t| *t != named && self.sg.possible_types(&named).contains(t))
            .unwrap_or_else(|| named.clone());
        if pos.client && !pos.key_context && self.is_abstract(&named) {
            // Objects of a type this subgraph cannot return here would be
            // missing from its answer (a shorter list, a null), whatever the
            // client selects on them.
            let here = self.sg.possible_types_in(&in_subgraph, graph);
            st.unreachable_types += self
                .sg
                .possible_types(&named)
                .iter()
                .filter(|t| !here.contains(t))
                .count();
        }
        let mut sub = pos.clone();
        sub.requires_given = false;
        sub.steps.push(step);
        sub.path.push(PathKey::Key(field.response_key.clone()));
        sub.path
            .extend(std::iter::repeat_n(PathKey::Flatten, list_depth(&field.ty)));
        sub.conditions.extend(field.conditions.iter().cloned());
        sub.provided = match pos
            .provided
            .as_deref()
            .and_then(|p| provided_field(p, &pos.ty, &field.name))
        {
            Some(p) => Some(Rc::new(p)),
            None => join
                .and_then(|j| j.provides.as_ref())
                .map(|p| normalize(p, &Default::default()).map(Rc::new))
                .transpose()?,
        };
        sub.ty = in_subgraph;
        sub.client_keys = Rc::new(client_keys(&field.selections));
        let step = RouteStep::Field(CField {
            selections: Rc::new(Vec::new()),
            ..field.clone()
        });
        sub.route = extend_route(&pos.route, step.clone());
        self.remember_context_ancestor(&mut sub);
        sub.anchor = if self.is_anchor_type(&sub.ty) {
            Some(Anchor::at(&sub))
        } else {
            pos.anchor.as_ref().map(|a| a.down(step))
        };
        if self.is_abstract(&named) {
            st.groups[pos.group]
                .selection
                .at_mut(&sub.steps)
                .add_field(typename_item());
        }
        touched.extend(self.plan_set(st, &sub, &field.selections)?);
        Ok(touched)
    }
}

/// Root fields in order, with the conditions of the fragments around them.
pub(super) fn flatten_root(selections: &[CSel], conditions: &[Cond], out: &mut Vec<CField>) {
    for sel in selections {
        match sel {
            CSel::Field(f) => {
                let mut f = f.clone();
                let mut all = conditions.to_vec();
                all.extend(f.conditions.iter().cloned());
                all.dedup();
                f.conditions = all;
                out.push(f);
            }
            CSel::Fragment(fragment) => {
                let mut all = conditions.to_vec();
                all.extend(fragment.conditions.iter().cloned());
                flatten_root(&fragment.selections, &all, out);
            }
        }
    }
}
/// `__typename`, added wherever the executor must tell concrete types apart.
pub(super) fn typename_item() -> FieldItem {
    FieldItem {
        alias: None,
        name: Name::new_static_unchecked("__typename"),
        arguments: Vec::new(),
        conditions: Vec::new(),
        subgraph_type: "String!".into(),
        sub: None,
    }
}
pub(super) fn client_keys(selections: &[CSel]) -> Vec<(Name, Name)> {
    let mut keys = Vec::new();
    for sel in selections {
        match sel {
            CSel::Field(f) => keys.push((f.response_key.clone(), f.name.clone())),
            CSel::Fragment(fr) => keys.extend(client_keys(&fr.selections)),
        }
    }
    keys
}
pub(super) fn list_depth(ty: &apollo_compiler::ast::Type) -> usize {
    use apollo_compiler::ast::Type;
    match ty {
        Type::Named(_) | Type::NonNullNamed(_) => 0,
        Type::List(inner) | Type::NonNullList(inner) => 1 + list_depth(inner),
    }
}
