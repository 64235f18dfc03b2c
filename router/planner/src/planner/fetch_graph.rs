//! The path search: placing every client field in a fetch group.
//!
//! A position is (fetch group, place in its selection, response path, type). A
//! field stays in the position's group when that group's subgraph can resolve it
//! (directly, through `@provides`, or as a key field when building a
//! representation); otherwise the search jumps to a subgraph that can, through
//! one of its entity keys, after placing the key and `@requires` fields at the
//! current position (which may itself jump). Jumps land in a group keyed by
//! (subgraph, response path, conditions), shared by every field that needs it.

use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::Instant;

use apollo_compiler::Name;
use apollo_compiler::ast::OperationType;
use apollo_compiler::schema::ExtendedType;

use super::operation::{CField, CFragment, CSel, Cond, normalize};
use super::selection::{FieldItem, SelSet, Step};
use super::{PlanError, PlanOptions, PlannerConfig};
use crate::plan::{
    FetchRewrite, FieldSelection, InlineFragmentSelection, PathElement, RewritePathElement,
    Selection,
};
use crate::supergraph::{FieldJoin, GraphId, Supergraph};

/// One future fetch: a subgraph operation at one point of the response.
#[derive(Debug, Clone)]
pub(crate) struct Group {
    pub graph: GraphId,
    /// An `_entities` fetch (else a root fetch).
    pub entity: bool,
    pub merge_path: Vec<PathElement>,
    /// Root selection, or the `... on T` fragments inside `_entities`.
    pub selection: SelSet,
    pub requires: Vec<Selection>,
    pub input_rewrites: Vec<FetchRewrite>,
    /// Groups whose results this one needs.
    pub deps: BTreeSet<usize>,
    /// Variable conditions under which this whole fetch happens.
    pub conditions: Vec<Cond>,
    /// For mutations: the serial step (run of root fields) it belongs to.
    pub chunk: usize,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct State {
    pub groups: Vec<Group>,
    chunk: usize,
    last_root_graph: Option<GraphId>,
}

impl State {
    /// (sequential steps, fetches): lower is better.
    fn cost(&self) -> (usize, usize) {
        let levels = levels(&self.groups);
        (
            levels.into_iter().max().map_or(0, |l| l + 1),
            self.groups.len(),
        )
    }

    /// The groups `deps` depend on, transitively, and `deps` themselves.
    fn closure(&self, deps: &BTreeSet<usize>) -> BTreeSet<usize> {
        let mut seen = BTreeSet::new();
        let mut stack: Vec<usize> = deps.iter().copied().collect();
        while let Some(g) = stack.pop() {
            if seen.insert(g) {
                stack.extend(self.groups[g].deps.iter().copied());
            }
        }
        seen
    }
}

/// Per group, the number of fetches that must complete before it (its stage).
/// Dependencies may point to groups created later, so this is not index order.
pub(crate) fn levels(groups: &[Group]) -> Vec<usize> {
    fn level(groups: &[Group], i: usize, memo: &mut [Option<usize>], guard: usize) -> usize {
        if let Some(l) = memo[i] {
            return l;
        }
        // Dependencies are acyclic by construction; the guard only stops runaway
        // recursion should that ever be broken.
        let l = if guard > groups.len() {
            0
        } else {
            groups[i]
                .deps
                .iter()
                .map(|d| level(groups, *d, memo, guard + 1) + 1)
                .max()
                .unwrap_or(0)
        };
        memo[i] = Some(l);
        l
    }
    let mut memo = vec![None; groups.len()];
    (0..groups.len())
        .map(|i| level(groups, i, &mut memo, 0))
        .collect()
}

#[derive(Debug, Clone)]
struct Pos {
    group: usize,
    steps: Vec<Step>,
    path: Vec<PathElement>,
    ty: Name,
    /// What an enclosing `@provides` makes resolvable here.
    provided: Option<Rc<Vec<CSel>>>,
    conditions: Vec<Cond>,
    /// Placing key fields for a representation: the subgraph can produce its
    /// own key fields even where it marks them external.
    key_context: bool,
    /// Subgraphs the current chain of jumps came through.
    visited: Vec<GraphId>,
    /// `(response key, field name)` of the client's selections at this level:
    /// added key and required fields must not take a key the client uses for
    /// another field.
    client_keys: Rc<Vec<(Name, Name)>>,
    /// The client fields and fragments from the root to here, for queries
    /// only: a value type another subgraph also serves can be fetched again
    /// from that subgraph's root when it has no key to jump with.
    route: Option<Rc<Vec<RouteStep>>>,
}

#[derive(Debug, Clone)]
enum RouteStep {
    /// A field (its selections are not used).
    Field(CField),
    Fragment(Option<Name>, Vec<Cond>),
}

fn extend_route(route: &Option<Rc<Vec<RouteStep>>>, step: RouteStep) -> Option<Rc<Vec<RouteStep>>> {
    route.as_ref().map(|r| {
        let mut steps = Vec::with_capacity(r.len() + 1);
        steps.extend(r.iter().cloned());
        steps.push(step);
        Rc::new(steps)
    })
}

#[derive(Debug, Clone)]
struct Candidate {
    graph: GraphId,
    /// The type the target subgraph resolves (an interface for `@interfaceObject`).
    entity_type: Name,
}

pub(crate) struct Planner<'a> {
    sg: &'a Supergraph,
    options: &'a PlanOptions,
    config: &'a PlannerConfig,
    started: Instant,
    evaluated: Cell<usize>,
    in_trial: Cell<bool>,
}

type Touched = BTreeSet<usize>;

impl<'a> Planner<'a> {
    pub fn new(sg: &'a Supergraph, options: &'a PlanOptions, config: &'a PlannerConfig) -> Self {
        Planner {
            sg,
            options,
            config,
            started: Instant::now(),
            evaluated: Cell::new(0),
            in_trial: Cell::new(false),
        }
    }

    pub fn plan_operation(
        &self,
        kind: OperationType,
        selections: &[CSel],
    ) -> Result<Vec<Group>, PlanError> {
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
        Ok(st.groups)
    }

    /// Places root fields in order. At the first root field several subgraphs
    /// can resolve, each candidate is tried together with the fields after it,
    /// so the choice accounts for what its siblings need.
    fn plan_root_fields(
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

    fn plan_root_field(
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
            visited: Vec::new(),
            client_keys: Rc::new(Vec::new()),
            route: (kind == OperationType::Query).then(|| Rc::new(Vec::new())),
        };
        self.plan_set(st, &pos, &[CSel::Field(field.clone())])
    }

    /// Runs `run` for the best of `candidates` (fewest steps, then fetches).
    /// Alternatives are only weighed at the outermost decision; inside a trial
    /// the first candidate is taken, which keeps the search linear.
    fn choose<C>(
        &self,
        st: &mut State,
        candidates: &[C],
        run: impl Fn(&Self, &mut State, &C) -> Result<Touched, PlanError>,
    ) -> Result<Touched, PlanError> {
        if candidates.len() == 1 || self.in_trial.get() {
            return run(self, st, &candidates[0]);
        }
        self.in_trial.set(true);
        let mut best: Option<((usize, usize), State, Touched)> = None;
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

    fn check_budget(&self) -> Result<(), PlanError> {
        if self.evaluated.get() > self.config.max_evaluated_options {
            return Err(PlanError::TooManyOptions(self.config.max_evaluated_options));
        }
        if self.started.elapsed() > self.config.timeout {
            return Err(PlanError::Timeout(self.config.timeout));
        }
        Ok(())
    }

    fn plan_set(&self, st: &mut State, pos: &Pos, sels: &[CSel]) -> Result<Touched, PlanError> {
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

    fn plan_fragment(
        &self,
        st: &mut State,
        pos: &Pos,
        fragment: &CFragment,
    ) -> Result<Touched, PlanError> {
        let graph = st.groups[pos.group].graph;
        match &fragment.type_condition {
            Some(on) if *on != pos.ty && self.is_abstract(&pos.ty) => {
                if self.is_interface_object(&pos.ty, graph) && !pos.key_context {
                    return Ok(self
                        .jump(st, pos, &CSel::Fragment(fragment.clone()), &[])?
                        .0);
                }
                let here = self.sg.possible_types_in(&pos.ty, graph);
                if self.is_abstract(on) {
                    if self.sg.has_type(on, graph) && !self.is_interface_object(on, graph) {
                        return self.enter_fragment(st, pos, Some(on.clone()), fragment);
                    }
                    let wanted = self.sg.possible_types(on);
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
            _ if fragment.conditions.is_empty() => self.plan_set(st, pos, &fragment.selections),
            _ => self.enter_fragment(st, pos, None, fragment),
        }
    }

    fn enter_fragment(
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
        sub.route = extend_route(
            &pos.route,
            RouteStep::Fragment(on, fragment.conditions.clone()),
        );
        self.plan_set(st, &sub, &fragment.selections)
    }

    /// Places one field. Returns whether `rest` (the siblings after it) was
    /// placed too, which happens when the field's jump had to be chosen among
    /// several subgraphs.
    fn plan_field(
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

    fn add_local_field(
        &self,
        st: &mut State,
        pos: &Pos,
        field: &CField,
    ) -> Result<Touched, PlanError> {
        let graph = st.groups[pos.group].graph;
        let named = field.ty.inner_named_type().clone();
        let composite = self.is_composite(&named);
        let join = self.join_in(graph, &pos.ty, &field.name);
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
        let mut sub = pos.clone();
        sub.steps.push(step);
        sub.path
            .push(PathElement::Key(field.response_key.to_string()));
        sub.path.extend(std::iter::repeat_n(
            PathElement::Flatten,
            list_depth(&field.ty),
        ));
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
        sub.ty = named;
        sub.client_keys = Rc::new(client_keys(&field.selections));
        sub.route = extend_route(
            &pos.route,
            RouteStep::Field(CField {
                selections: Rc::new(Vec::new()),
                ..field.clone()
            }),
        );
        if self.is_abstract(&sub.ty) {
            st.groups[pos.group]
                .selection
                .at_mut(&sub.steps)
                .add_field(typename_item());
        }
        touched.extend(self.plan_set(st, &sub, &field.selections)?);
        Ok(touched)
    }

    /// Moves `sel` (a field or a fragment) to another subgraph through an entity key.
    ///
    /// With several candidate subgraphs, each is tried together with `rest`
    /// (the siblings after `sel`), and the result says `rest` was placed.
    fn jump(
        &self,
        st: &mut State,
        pos: &Pos,
        sel: &CSel,
        rest: &[CSel],
    ) -> Result<(Touched, bool), PlanError> {
        let graph = st.groups[pos.group].graph;
        let field = match sel {
            CSel::Field(f) if f.name != "__typename" => Some(&f.name),
            _ => None,
        };
        let mut candidates = Vec::new();
        let interface_object = self.is_interface_object(&pos.ty, graph);
        for g in 0..self.sg.graphs.len() {
            if g == graph || pos.visited.contains(&g) {
                continue;
            }
            if interface_object || self.is_interface(&pos.ty) {
                // The interface entity itself: to an owner for the concrete type,
                // or to any subgraph resolving the field on the interface.
                let ok = !self.sg.resolvable_keys(&pos.ty, g).is_empty()
                    && match field {
                        Some(f) => self.can_resolve(g, &pos.ty, f, None, false),
                        None => {
                            self.sg.has_type(&pos.ty, g) && !self.is_interface_object(&pos.ty, g)
                        }
                    };
                if ok {
                    candidates.push(Candidate {
                        graph: g,
                        entity_type: pos.ty.clone(),
                    });
                }
                continue;
            }
            let Some(f) = field else { continue };
            if !self.sg.resolvable_keys(&pos.ty, g).is_empty()
                && self.can_resolve(g, &pos.ty, f, None, false)
            {
                candidates.push(Candidate {
                    graph: g,
                    entity_type: pos.ty.clone(),
                });
                continue;
            }
            for interface in self.interfaces_of(&pos.ty) {
                if self.is_interface_object(&interface, g)
                    && !self.sg.resolvable_keys(&interface, g).is_empty()
                    && self.can_resolve(g, &interface, f, None, false)
                {
                    candidates.push(Candidate {
                        graph: g,
                        entity_type: interface,
                    });
                    break;
                }
            }
        }
        if candidates.is_empty() {
            if let Some(route) = &pos.route
                && let Some(g) = (0..self.sg.graphs.len()).find(|g| {
                    *g != graph
                        && self.route_resolvable(*g, route)
                        && match field {
                            Some(f) => self.can_resolve(*g, &pos.ty, f, None, false),
                            None => false,
                        }
                })
            {
                return Ok((self.reenter(st, pos, g, route, sel)?, false));
            }
            let what = match sel {
                CSel::Field(f) => format!("{}.{}", pos.ty, f.name),
                CSel::Fragment(f) => format!(
                    "the fragment on {} inside {}",
                    f.type_condition.as_ref().unwrap_or(&pos.ty),
                    pos.ty
                ),
            };
            return Err(PlanError::Unresolvable(format!(
                "{what} (reached in subgraph {:?})",
                self.sg.graph_name(graph)
            )));
        }
        // A subgraph already fetched at this path goes first: joining it is free.
        candidates.sort_by_key(|c| {
            !st.groups.iter().any(|g| {
                g.entity
                    && g.graph == c.graph
                    && g.merge_path == pos.path
                    && g.conditions == pos.conditions
            })
        });
        // A conditional field decides whether the whole jump happens.
        let sibling_pos = pos;
        let mut pos = pos.clone();
        if let CSel::Field(f) = sel {
            for c in &f.conditions {
                if !pos.conditions.contains(c) {
                    pos.conditions.push(c.clone());
                }
            }
        }
        let pos = &pos;
        if candidates.len() > 1 && !self.in_trial.get() {
            let touched = self.choose(st, &candidates, |planner, st, candidate| {
                let mut touched = planner.jump_to(st, pos, candidate, sel)?;
                touched.extend(planner.plan_set(st, sibling_pos, rest)?);
                Ok(touched)
            })?;
            return Ok((touched, true));
        }
        let touched = self.choose(st, &candidates, |planner, st, candidate| {
            planner.jump_to(st, pos, candidate, sel)
        })?;
        Ok((touched, false))
    }

    fn jump_to(
        &self,
        st: &mut State,
        pos: &Pos,
        candidate: &Candidate,
        sel: &CSel,
    ) -> Result<Touched, PlanError> {
        let graph = st.groups[pos.group].graph;
        if pos.visited.len() > self.sg.graphs.len() * 2 {
            return Err(PlanError::Unresolvable(format!("{} (key cycle)", pos.ty)));
        }
        let keys = self
            .sg
            .resolvable_keys(&candidate.entity_type, candidate.graph);
        let key = keys
            .iter()
            .find(|k| self.locally_available(graph, &pos.ty, &k.selections))
            .unwrap_or(&keys[0]);
        let mut representation = vec![CSel::Field(CField::typename(Name::new_static_unchecked(
            "__typename",
        )))];
        representation.extend(self.with_typenames(normalize(key, &Default::default())?));
        avoid_client_keys(&mut representation, &pos.client_keys);
        let mut key_pos = pos.clone();
        key_pos.key_context = true;
        key_pos.visited.push(graph);
        let mut deps = self.plan_set(st, &key_pos, &representation)?;
        if let CSel::Field(f) = sel
            && let Some(requires) = self
                .join_in(candidate.graph, &candidate.entity_type, &f.name)
                .and_then(|j| j.requires.as_ref())
        {
            let mut required =
                self.with_typenames(alias_arguments(normalize(requires, &Default::default())?));
            avoid_client_keys(&mut required, &pos.client_keys);
            deps.extend(self.plan_set(st, pos, &required)?);
            representation.extend(required);
        }
        let target = self.entity_group(st, pos, candidate.graph, &deps);
        let group = &mut st.groups[target];
        group
            .deps
            .extend(deps.iter().copied().filter(|d| *d != target));
        merge_selections(
            &mut group.requires,
            vec![Selection::InlineFragment(InlineFragmentSelection {
                type_condition: Some(pos.ty.to_string()),
                selections: to_plan_selections(&representation),
            })],
        );
        if candidate.entity_type != pos.ty {
            let rewrite = FetchRewrite::ValueSetter {
                path: vec![
                    RewritePathElement::TypeCondition(pos.ty.to_string()),
                    RewritePathElement::Key("__typename".into()),
                ],
                value: serde_json::Value::String(candidate.entity_type.to_string()),
            };
            if !group.input_rewrites.contains(&rewrite) {
                group.input_rewrites.push(rewrite);
            }
        }
        let step = group
            .selection
            .add_fragment(Some(candidate.entity_type.clone()), Vec::new());
        // The chain of visited subgraphs only matters while placing key fields:
        // a client field below the jump may go anywhere again.
        let visited = if pos.key_context {
            let mut visited = pos.visited.clone();
            visited.push(graph);
            visited
        } else {
            Vec::new()
        };
        let sub = Pos {
            group: target,
            steps: vec![step],
            path: pos.path.clone(),
            ty: candidate.entity_type.clone(),
            provided: None,
            conditions: pos.conditions.clone(),
            key_context: pos.key_context,
            visited,
            client_keys: pos.client_keys.clone(),
            route: pos.route.clone(),
        };
        let mut touched = self.plan_set(st, &sub, std::slice::from_ref(sel))?;
        touched.insert(target);
        Ok(touched)
    }

    /// Adds `__typename` first in every abstract-typed sub-selection of a key
    /// or `@requires` field set: the receiving subgraph needs it to read the
    /// representation, and the executor to match its type conditions.
    fn with_typenames(&self, selections: Vec<CSel>) -> Vec<CSel> {
        selections
            .into_iter()
            .map(|sel| match sel {
                CSel::Field(mut f) => {
                    if !f.selections.is_empty() {
                        let mut inner = self.with_typenames(f.selections.to_vec());
                        let has_typename = inner
                            .iter()
                            .any(|s| matches!(s, CSel::Field(t) if t.name == "__typename"));
                        if self.is_abstract(f.ty.inner_named_type()) && !has_typename {
                            inner.insert(
                                0,
                                CSel::Field(CField::typename(Name::new_static_unchecked(
                                    "__typename",
                                ))),
                            );
                        }
                        f.selections = Rc::new(inner);
                    }
                    CSel::Field(f)
                }
                CSel::Fragment(mut fragment) => {
                    fragment.selections =
                        Rc::new(self.with_typenames(fragment.selections.to_vec()));
                    CSel::Fragment(fragment)
                }
            })
            .collect()
    }

    /// Whether `graph` resolves every field of `route` from its query root.
    fn route_resolvable(&self, graph: GraphId, route: &[RouteStep]) -> bool {
        let Some(mut ty) = self.query_root() else {
            return false;
        };
        for step in route {
            match step {
                RouteStep::Field(f) => {
                    if !self.can_resolve(graph, &ty, &f.name, None, false) {
                        return false;
                    }
                    ty = f.ty.inner_named_type().clone();
                }
                RouteStep::Fragment(Some(on), _) => {
                    if !self.sg.has_type(on, graph) {
                        return false;
                    }
                    ty = on.clone();
                }
                RouteStep::Fragment(None, _) => {}
            }
        }
        true
    }

    fn query_root(&self) -> Option<Name> {
        self.sg
            .supergraph_schema()
            .root_operation(OperationType::Query)
            .cloned()
    }

    /// Fetches `sel` from `graph`'s root again, along `route`: the way to a
    /// field of a value type (no key) that another subgraph serves.
    fn reenter(
        &self,
        st: &mut State,
        pos: &Pos,
        graph: GraphId,
        route: &[RouteStep],
        sel: &CSel,
    ) -> Result<Touched, PlanError> {
        let chunk = st.groups[pos.group].chunk;
        let group = match st
            .groups
            .iter()
            .position(|g| !g.entity && g.graph == graph && g.chunk == chunk)
        {
            Some(i) => {
                st.groups[i].conditions.clear();
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
                    conditions: Vec::new(),
                    chunk,
                });
                st.groups.len() - 1
            }
        };
        let mut ty = self
            .query_root()
            .expect("route_resolvable checked the root");
        let mut steps = Vec::new();
        for step in route {
            let selection = st.groups[group].selection.at_mut(&steps);
            match step {
                RouteStep::Field(f) => {
                    let named = f.ty.inner_named_type().clone();
                    let item = FieldItem {
                        alias: (f.response_key != f.name).then(|| f.response_key.clone()),
                        name: f.name.clone(),
                        arguments: f.arguments.clone(),
                        conditions: f.conditions.clone(),
                        subgraph_type: self
                            .join_in(graph, &ty, &f.name)
                            .and_then(|j| j.type_in_graph.clone())
                            .unwrap_or_else(|| f.ty.to_string()),
                        sub: Some(SelSet::default()),
                    };
                    steps.push(selection.add_field(item));
                    if self.is_abstract(&named) {
                        st.groups[group]
                            .selection
                            .at_mut(&steps)
                            .add_field(typename_item());
                    }
                    ty = named;
                }
                RouteStep::Fragment(on, conditions) => {
                    steps.push(selection.add_fragment(on.clone(), conditions.clone()));
                    if let Some(on) = on {
                        ty = on.clone();
                    }
                }
            }
        }
        let sub = Pos {
            group,
            steps,
            provided: None,
            ..pos.clone()
        };
        let mut touched = self.plan_set(st, &sub, std::slice::from_ref(sel))?;
        touched.insert(group);
        Ok(touched)
    }

    /// The entity group of `graph` at the position, reused unless the fields it
    /// needs come from a group that (transitively) waits for it.
    fn entity_group(&self, st: &mut State, pos: &Pos, graph: GraphId, deps: &Touched) -> usize {
        let chunk = st.groups[pos.group].chunk;
        let blocked = st.closure(deps);
        if let Some(i) = st.groups.iter().enumerate().position(|(i, g)| {
            g.entity
                && g.graph == graph
                && g.chunk == chunk
                && g.merge_path == pos.path
                && g.conditions == pos.conditions
                && !blocked.contains(&i)
        }) {
            return i;
        }
        st.groups.push(Group {
            graph,
            entity: true,
            merge_path: pos.path.clone(),
            selection: SelSet::default(),
            requires: Vec::new(),
            input_rewrites: Vec::new(),
            deps: BTreeSet::new(),
            conditions: pos.conditions.clone(),
            chunk,
        });
        st.groups.len() - 1
    }

    /// Whether `graph` can produce every field of `key` on `ty` itself.
    fn locally_available(
        &self,
        graph: GraphId,
        ty: &Name,
        key: &[apollo_compiler::executable::Selection],
    ) -> bool {
        key.iter().all(|s| match s {
            apollo_compiler::executable::Selection::Field(f) => {
                self.can_resolve(graph, ty, &f.name, None, true)
                    && self.locally_available(
                        graph,
                        f.ty().inner_named_type(),
                        &f.selection_set.selections,
                    )
            }
            _ => false,
        })
    }

    /// Whether `graph` resolves `ty.field` at a position (see [`Pos`]).
    fn can_resolve(
        &self,
        graph: GraphId,
        ty: &Name,
        field: &str,
        provided: Option<&[CSel]>,
        key_context: bool,
    ) -> bool {
        if field == "__typename" {
            return true;
        }
        if !self.sg.has_type(ty, graph) {
            return false;
        }
        let Some(joins) = self.sg.field_joins(ty, field) else {
            return true;
        };
        joins.iter().filter(|j| j.graph == Some(graph)).any(|j| {
            if j.external {
                // A subgraph always has the key fields of the entities it
                // references, even where it marks them external (Federation 1
                // `@extends` types).
                provided.is_some_and(|p| provided_field(p, ty, field).is_some())
                    || self.is_key_field(ty, graph, field)
            } else if j.used_overridden {
                key_context
            } else {
                self.label_allows(j)
            }
        })
    }

    /// Whether `graph` has `ty.field` only as an external field (so only
    /// where an `@provides` grants it).
    fn only_provided(&self, graph: GraphId, ty: &str, field: &str) -> bool {
        self.sg.field_joins(ty, field).is_some_and(|joins| {
            let mut in_graph = joins.iter().filter(|j| j.graph == Some(graph)).peekable();
            in_graph.peek().is_some() && in_graph.all(|j| j.external)
        }) && !self.is_key_field(ty, graph, field)
    }

    /// Whether a provided field's client sub-selection can be served from
    /// `graph`: each field is provided or owned there, or reachable from there
    /// through an entity key. If not, the provided field itself must come from
    /// its owner instead.
    fn covered(
        &self,
        graph: GraphId,
        ty: &Name,
        selections: &[CSel],
        provided: Option<&[CSel]>,
    ) -> bool {
        selections.iter().all(|sel| match sel {
            CSel::Field(f) if f.name == "__typename" => true,
            CSel::Field(f) => {
                if self.can_resolve(graph, ty, &f.name, provided, false) {
                    f.selections.is_empty()
                        || !self.only_provided(graph, ty, &f.name)
                        || self.covered(
                            graph,
                            f.ty.inner_named_type(),
                            &f.selections,
                            provided
                                .and_then(|p| provided_field(p, ty, &f.name))
                                .as_deref(),
                        )
                } else {
                    (0..self.sg.graphs.len()).any(|g| {
                        g != graph
                            && !self.sg.resolvable_keys(ty, g).is_empty()
                            && self.can_resolve(g, ty, &f.name, None, false)
                    })
                }
            }
            CSel::Fragment(fragment) => {
                let on = fragment.type_condition.as_ref().unwrap_or(ty);
                self.covered(graph, on, &fragment.selections, provided)
            }
        })
    }

    fn label_allows(&self, join: &FieldJoin) -> bool {
        match &join.override_label {
            None => true,
            Some(label) => {
                let enabled = self.options.enabled_override_labels.contains(label);
                // The overriding subgraph owns the field while its label is on;
                // the overridden one keeps it while the label is off.
                if join.override_from.is_some() {
                    enabled
                } else {
                    !enabled
                }
            }
        }
    }

    fn is_key_field(&self, ty: &str, graph: GraphId, field: &str) -> bool {
        self.sg.all_keys(ty, graph).iter().any(|k| {
            k.selections.iter().any(|s| matches!(s, apollo_compiler::executable::Selection::Field(f) if f.name == field))
        })
    }

    fn join_in(&self, graph: GraphId, ty: &str, field: &str) -> Option<&'a FieldJoin> {
        self.sg
            .field_joins(ty, field)?
            .iter()
            .find(|j| j.graph == Some(graph) && !j.external && self.label_allows(j))
    }

    fn is_abstract(&self, ty: &str) -> bool {
        matches!(
            self.sg.supergraph_schema().types.get(ty),
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_))
        )
    }

    fn is_interface(&self, ty: &str) -> bool {
        matches!(
            self.sg.supergraph_schema().types.get(ty),
            Some(ExtendedType::Interface(_))
        )
    }

    fn is_composite(&self, ty: &str) -> bool {
        matches!(
            self.sg.supergraph_schema().types.get(ty),
            Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_))
        )
    }

    fn is_interface_object(&self, ty: &str, graph: GraphId) -> bool {
        self.is_interface(ty) && self.sg.is_interface_object_in(ty, graph)
    }

    fn interfaces_of(&self, ty: &str) -> Vec<Name> {
        match self.sg.supergraph_schema().types.get(ty) {
            Some(ExtendedType::Object(o)) => o
                .implements_interfaces
                .iter()
                .map(|i| i.name.clone())
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Root fields in order, with the conditions of the fragments around them.
fn flatten_root(selections: &[CSel], conditions: &[Cond], out: &mut Vec<CField>) {
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
fn typename_item() -> FieldItem {
    FieldItem {
        alias: None,
        name: Name::new_static_unchecked("__typename"),
        arguments: Vec::new(),
        conditions: Vec::new(),
        subgraph_type: "String!".into(),
        sub: None,
    }
}

fn client_keys(selections: &[CSel]) -> Vec<(Name, Name)> {
    let mut keys = Vec::new();
    for sel in selections {
        match sel {
            CSel::Field(f) => keys.push((f.response_key.clone(), f.name.clone())),
            CSel::Fragment(fr) => keys.extend(client_keys(&fr.selections)),
        }
    }
    keys
}

/// Gives an internal alias to added fields whose response key the client uses
/// for a different field (`{ upc: name }` next to an added key field `upc`).
fn avoid_client_keys(selections: &mut [CSel], client: &[(Name, Name)]) {
    for sel in selections {
        match sel {
            CSel::Field(f) => {
                if client
                    .iter()
                    .any(|(key, name)| *key == f.response_key && *name != f.name)
                {
                    f.response_key = Name::new(&format!("{}__sy_key", f.name))
                        .expect("a valid name plus a suffix is a valid name");
                }
            }
            CSel::Fragment(fr) => {
                avoid_client_keys(Rc::make_mut(&mut fr.selections).as_mut_slice(), client)
            }
        }
    }
}

/// The sub-selection an `@provides` grants for `ty.field`, if it names it.
fn provided_field(provided: &[CSel], ty: &Name, field: &str) -> Option<Vec<CSel>> {
    let mut found: Option<Vec<CSel>> = None;
    for sel in provided {
        match sel {
            CSel::Field(f) if f.name == field => {
                found
                    .get_or_insert_with(Vec::new)
                    .extend(f.selections.iter().cloned());
            }
            CSel::Fragment(fr) if fr.type_condition.as_ref().is_none_or(|t| t == ty) => {
                if let Some(inner) = provided_field(&fr.selections, ty, field) {
                    found.get_or_insert_with(Vec::new).extend(inner);
                }
            }
            _ => {}
        }
    }
    found
}

/// Required fields with arguments get an internal alias so they never clash
/// with the client's selection of the same field with other arguments.
fn alias_arguments(selections: Vec<CSel>) -> Vec<CSel> {
    selections
        .into_iter()
        .map(|sel| match sel {
            CSel::Field(mut f) => {
                if !f.arguments.is_empty() {
                    let args: String = f
                        .arguments
                        .iter()
                        .map(|a| format!("{}:{}", a.name, a.value))
                        .collect();
                    let hash = args
                        .bytes()
                        .fold(2166136261u32, |h, b| (h ^ b as u32).wrapping_mul(16777619));
                    f.response_key = Name::new(&format!("{}__sy_{:x}", f.name, hash % 0x10000))
                        .expect("a valid name plus a suffix is a valid name");
                }
                f.selections = Rc::new(alias_arguments(f.selections.to_vec()));
                CSel::Field(f)
            }
            CSel::Fragment(mut fr) => {
                fr.selections = Rc::new(alias_arguments(fr.selections.to_vec()));
                CSel::Fragment(fr)
            }
        })
        .collect()
}

fn to_plan_selections(selections: &[CSel]) -> Vec<Selection> {
    selections
        .iter()
        .map(|sel| match sel {
            CSel::Field(f) => Selection::Field(FieldSelection {
                response_key: f.response_key.to_string(),
                name: f.name.to_string(),
                selections: to_plan_selections(&f.selections),
            }),
            CSel::Fragment(fr) => Selection::InlineFragment(InlineFragmentSelection {
                type_condition: fr.type_condition.as_ref().map(|t| t.to_string()),
                selections: to_plan_selections(&fr.selections),
            }),
        })
        .collect()
}

fn merge_selections(into: &mut Vec<Selection>, new: Vec<Selection>) {
    for sel in new {
        match sel {
            Selection::Field(f) => {
                match into.iter_mut().find_map(|s| match s {
                    Selection::Field(e) if e.response_key == f.response_key => Some(e),
                    _ => None,
                }) {
                    Some(existing) => merge_selections(&mut existing.selections, f.selections),
                    None => into.push(Selection::Field(f)),
                }
            }
            Selection::InlineFragment(f) => {
                match into.iter_mut().find_map(|s| match s {
                    Selection::InlineFragment(e) if e.type_condition == f.type_condition => Some(e),
                    _ => None,
                }) {
                    Some(existing) => merge_selections(&mut existing.selections, f.selections),
                    None => into.push(Selection::InlineFragment(f)),
                }
            }
        }
    }
}

fn list_depth(ty: &apollo_compiler::ast::Type) -> usize {
    use apollo_compiler::ast::Type;
    match ty {
        Type::Named(_) | Type::NonNullNamed(_) => 0,
        Type::List(inner) | Type::NonNullList(inner) => 1 + list_depth(inner),
    }
}
