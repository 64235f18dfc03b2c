//! Jumps: reaching a field another subgraph resolves, through an entity key
//! (after placing the key and `@requires` fields where the search stands), or
//! for a value type without keys, through that subgraph's root again.

use std::collections::BTreeSet;
use std::rc::Rc;

use apollo_compiler::Name;
use apollo_compiler::ast::OperationType;

use super::PlanError;
use super::fetch_graph::{Cost, Group, State, Touched, to_plan_path};
use super::operation::{CField, CFragment, CSel, normalize};
use super::search::{Anchor, Candidate, Planner, Pos, RouteStep, typename_item};
use super::selection::{FieldItem, SelSet};
use crate::plan::{
    FetchRewrite, FieldSelection, InlineFragmentSelection, RewritePathElement, Selection,
    UnresolvableField, UnresolvableReason,
};
use crate::supergraph::GraphId;

impl<'a> Planner<'a> {
    /// Moves `sel` (a field or a fragment) to another subgraph through an entity key.
    ///
    /// With several candidate subgraphs, each is tried together with `rest`
    /// (the siblings after `sel`), and the result says `rest` was placed.
    pub(super) fn jump(
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
            let route = pos.route.as_ref().map(|r| r.steps());
            if let Some(route) = &route
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
            if let Some(touched) = self.jump_through_anchor(st, pos, sel)? {
                return Ok((touched, false));
            }
            if pos.client
                && let CSel::Field(f) = sel
            {
                st.unresolvable.push(self.unresolvable_field(pos, f));
                return Ok((Touched::new(), false));
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
            pos.add_conditions(&f.conditions);
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

    pub(super) fn jump_to(
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
        if let Some(key) = keys
            .iter()
            .find(|k| self.locally_available(graph, &pos.ty, &k.selections))
        {
            return self.jump_with_key(st, pos, candidate, sel, key);
        }
        // No key is at hand: its fields need jumps themselves. Try every key on
        // a copy of the state and keep the cheapest that can be obtained.
        let mut first_error = None;
        let mut best: Option<(Cost, State, Touched)> = None;
        for key in &keys {
            let mut trial = st.clone();
            match self.jump_with_key(&mut trial, pos, candidate, sel, key) {
                Ok(touched) => {
                    let cost = trial.cost();
                    if best.as_ref().is_none_or(|(c, _, _)| cost < *c) {
                        best = Some((cost, trial, touched));
                    }
                }
                Err(e @ (PlanError::Timeout(_) | PlanError::TooManyOptions(_))) => return Err(e),
                Err(e) => {
                    first_error.get_or_insert(e);
                }
            }
        }
        match best {
            Some((_, state, touched)) => {
                *st = state;
                Ok(touched)
            }
            None => Err(first_error.unwrap_or_else(|| {
                PlanError::Unresolvable(format!("{} (no resolvable key)", candidate.entity_type))
            })),
        }
    }

    fn jump_with_key(
        &self,
        st: &mut State,
        pos: &Pos,
        candidate: &Candidate,
        sel: &CSel,
        key: &apollo_compiler::executable::SelectionSet,
    ) -> Result<Touched, PlanError> {
        let graph = st.groups[pos.group].graph;
        let mut representation = vec![CSel::Field(CField::typename(Name::new_static_unchecked(
            "__typename",
        )))];
        representation.extend(self.with_typenames(normalize(key, &Default::default())?));
        avoid_client_keys(&mut representation, &pos.client_keys);
        let mut key_pos = pos.clone();
        key_pos.key_context = true;
        key_pos.client = false;
        // Key fields for the target can't come from the target itself.
        key_pos.visited.push(graph);
        key_pos.visited.push(candidate.graph);
        let mut deps = self.plan_set(st, &key_pos, &representation)?;
        if let CSel::Field(f) = sel
            && f.name != "__typename"
            && f.selections.is_empty()
            && f.response_key == f.name
            && candidate.entity_type == pos.ty
            && representation.iter().any(
                |r| matches!(r, CSel::Field(k) if k.name == f.name && k.response_key == f.name),
            )
        {
            // The field is a key of the target: placing the representation
            // already fetched it at this position, so asking the target for it
            // again would be a needless request.
            return Ok(deps);
        }
        if let CSel::Field(f) = sel
            && let Some(requires) = self
                .join_in(candidate.graph, &candidate.entity_type, &f.name)
                .and_then(|j| j.requires.as_ref())
        {
            let mut required =
                self.with_typenames(alias_arguments(normalize(requires, &Default::default())?));
            avoid_client_keys(&mut required, &pos.client_keys);
            let link = (
                pos.path.clone(),
                candidate.entity_type.clone(),
                f.name.clone(),
            );
            if pos.requiring.contains(&link) {
                return Err(PlanError::Unresolvable(format!(
                    "{}.{} (its @requires fields need it themselves)",
                    candidate.entity_type, f.name
                )));
            }
            let mut requiring_pos = pos.clone();
            requiring_pos.client = false;
            Rc::make_mut(&mut requiring_pos.requiring).push(link);
            deps.extend(self.plan_set(st, &requiring_pos, &required)?);
            representation.extend(required);
        }
        let requires = vec![Selection::InlineFragment(InlineFragmentSelection {
            type_condition: Some(pos.ty.to_string()),
            selections: to_plan_selections(&representation),
        })];
        // Representations of an `@interfaceObject` target all become the
        // interface: whatever their type condition, they share one selection.
        let as_interface = candidate.entity_type != pos.ty
            || self.is_interface_object(&candidate.entity_type, candidate.graph);
        let target = self.entity_group(st, pos, candidate.graph, &deps, &requires, as_interface);
        let group = &mut st.groups[target];
        group
            .deps
            .extend(deps.iter().copied().filter(|d| *d != target));
        merge_selections(&mut group.requires, requires);
        if as_interface {
            // Also when the position is the interface itself: an owner fetch may
            // have set the concrete `__typename` on the object by now, which the
            // `@interfaceObject` subgraph does not know.
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
        if matches!(sel, CSel::Fragment(_))
            && self.is_interface_object(&pos.ty, graph)
            && !self.is_interface_object(&candidate.entity_type, candidate.graph)
        {
            // Type conditions reached from an `@interfaceObject` subgraph: the
            // object still says `__typename: "<Interface>"`, so the owner must
            // send the concrete type (the executor keeps it over the
            // placeholder) before any `... on Concrete` can match.
            group
                .selection
                .at_mut(std::slice::from_ref(&step))
                .add_field(typename_item());
        }
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
            requires_given: matches!(sel, CSel::Field(_)),
            requiring: pos.requiring.clone(),
            visited,
            client_keys: pos.client_keys.clone(),
            route: pos.route.clone(),
            ancestors: pos.ancestors.clone(),
            anchor: None,
            client: pos.client,
        };
        let sub = Pos {
            anchor: Some(Anchor::at(&sub)),
            ..sub
        };
        let mut touched = self.plan_set(st, &sub, std::slice::from_ref(sel))?;
        touched.insert(target);
        Ok(touched)
    }

    /// Adds `__typename` first in every abstract-typed sub-selection of a key
    /// or `@requires` field set: the receiving subgraph needs it to read the
    /// representation, and the executor to match its type conditions.
    pub(super) fn with_typenames(&self, selections: Vec<CSel>) -> Vec<CSel> {
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

    /// Reaches `sel` (a field of a value type that no key leads to) through the
    /// nearest enclosing entity: a subgraph that resolves the entity by a key
    /// and every field from it down to `sel` gets an entity fetch selecting that
    /// way down again. `None` when there is no such entity or subgraph.
    fn jump_through_anchor(
        &self,
        st: &mut State,
        pos: &Pos,
        sel: &CSel,
    ) -> Result<Option<Touched>, PlanError> {
        let Some(anchor) = pos.anchor.as_ref().filter(|a| !a.route.is_empty()) else {
            return Ok(None);
        };
        let CSel::Field(field) = sel else {
            return Ok(None);
        };
        let graph = st.groups[pos.group].graph;
        let route = anchor.route.steps();
        let entity = &anchor.pos.ty;
        let candidates: Vec<Candidate> = (0..self.sg.graphs.len())
            .filter(|g| {
                *g != graph
                    && !self.sg.resolvable_keys(entity, *g).is_empty()
                    && self.chain_resolvable(*g, entity, &route)
                    && self.can_resolve(*g, &pos.ty, &field.name, None, false)
            })
            .map(|g| Candidate {
                graph: g,
                entity_type: entity.clone(),
            })
            .collect();
        let wrapped = wrap_in_route(&route, sel.clone());
        // The new fetch serves this one field: the conditions around it (from
        // the root down) decide whether it happens at all.
        let mut anchor_pos = (*anchor.pos).clone();
        anchor_pos.add_conditions(pos.conditions.iter().chain(&field.conditions));
        if candidates.is_empty() {
            return self.jump_through_anchor_per_type(st, &anchor_pos, wrapped);
        }
        let anchor_pos = &anchor_pos;
        self.choose(st, &candidates, |planner, st, candidate| {
            planner.jump_to(st, anchor_pos, candidate, &wrapped)
        })
        .map(Some)
    }

    /// The record of a client field nothing can resolve at `pos`.
    fn unresolvable_field(&self, pos: &Pos, field: &CField) -> UnresolvableField {
        field.left_out(
            to_plan_path(&pos.path),
            &pos.ty,
            &pos.conditions,
            UnresolvableReason::NoSubgraph,
        )
    }

    /// An anchor of abstract type without a key of its own (an interface whose
    /// implementations are entities): the way down is planned again inside
    /// `... on T` for each object type the anchor's subgraph may return there,
    /// where `T` anchors it and its key leads to the other subgraph.
    fn jump_through_anchor_per_type(
        &self,
        st: &mut State,
        anchor: &Pos,
        wrapped: CSel,
    ) -> Result<Option<Touched>, PlanError> {
        if !self.is_abstract(&anchor.ty) {
            return Ok(None);
        }
        let graph = st.groups[anchor.group].graph;
        let types = self.sg.possible_types_in(&anchor.ty, graph);
        if types.is_empty() || !types.iter().all(|t| self.sg.is_entity(t)) {
            return Ok(None);
        }
        let mut touched = Touched::new();
        for object in types {
            let fragment = CFragment {
                type_condition: Some(object.clone()),
                conditions: Vec::new(),
                selections: Rc::new(vec![wrapped.clone()]),
            };
            touched.extend(self.enter_fragment(st, anchor, Some(object), &fragment)?);
        }
        Ok(Some(touched))
    }

    /// Whether `graph` resolves every field of `route` starting at type `ty`.
    fn chain_resolvable(&self, graph: GraphId, ty: &Name, route: &[RouteStep]) -> bool {
        let mut ty = ty.clone();
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

    /// Whether `graph` resolves every field of `route` from its query root.
    pub(super) fn route_resolvable(&self, graph: GraphId, route: &[RouteStep]) -> bool {
        self.query_root()
            .is_some_and(|root| self.chain_resolvable(graph, &root, route))
    }

    pub(super) fn query_root(&self) -> Option<Name> {
        self.sg
            .supergraph_schema()
            .root_operation(OperationType::Query)
            .cloned()
    }

    /// Fetches `sel` from `graph`'s root again, along `route`: the way to a
    /// field of a value type (no key) that another subgraph serves.
    pub(super) fn reenter(
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
                    context_arguments: Vec::new(),
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
    /// needs come from a group that (transitively) waits for it, or its
    /// representation would carry a different value under the same field name
    /// (`price(currency: EUR)` for one field, `price(currency: USD)` for
    /// another): one representation holds one value per field, so each gets
    /// its own fetch.
    pub(super) fn entity_group(
        &self,
        st: &mut State,
        pos: &Pos,
        graph: GraphId,
        deps: &Touched,
        requires: &[Selection],
        as_interface: bool,
    ) -> usize {
        let chunk = st.groups[pos.group].chunk;
        let blocked = st.closure(deps);
        if let Some(i) = st.groups.iter().enumerate().position(|(i, g)| {
            g.entity
                && g.graph == graph
                && g.chunk == chunk
                && g.merge_path == pos.path
                && g.conditions == pos.conditions
                && !blocked.contains(&i)
                && !representations_clash(&g.requires, requires, as_interface)
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
            context_arguments: Vec::new(),
        });
        st.groups.len() - 1
    }

    /// Whether `graph` can produce every field of `key` on `ty` itself.
    pub(super) fn locally_available(
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
}

/// `sel` inside the fields and fragments of `route`, outermost first.
fn wrap_in_route(route: &[RouteStep], sel: CSel) -> CSel {
    route.iter().rev().fold(sel, |inner, step| match step {
        RouteStep::Field(f) => CSel::Field(CField {
            selections: Rc::new(vec![inner]),
            ..f.clone()
        }),
        RouteStep::Fragment(on, conditions) => CSel::Fragment(super::operation::CFragment {
            type_condition: on.clone(),
            conditions: conditions.clone(),
            selections: Rc::new(vec![inner]),
        }),
    })
}

/// Gives an internal alias to added fields whose response key the client uses
/// for a different field (`{ upc: name }` next to an added key field `upc`).
pub(super) fn avoid_client_keys(selections: &mut [CSel], client: &[(Name, Name)]) {
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
/// Required fields with arguments get an internal alias so they never clash
/// with the client's selection of the same field with other arguments.
pub(super) fn alias_arguments(selections: Vec<CSel>) -> Vec<CSel> {
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

/// Whether merging two representation selections would put two different
/// values under one field name: the same field selected under different
/// response keys (internal aliases of different arguments) in the same place.
/// With `any_type`, the top-level `... on T` fragments are compared whatever
/// their type condition (they all reach one `@interfaceObject` selection).
fn representations_clash(a: &[Selection], b: &[Selection], any_type: bool) -> bool {
    a.iter().any(|x| {
        b.iter().any(|y| match (x, y) {
            (Selection::Field(x), Selection::Field(y)) if x.name == y.name => {
                x.response_key != y.response_key
                    || representations_clash(&x.selections, &y.selections, false)
            }
            (Selection::InlineFragment(x), Selection::InlineFragment(y))
                if any_type || x.type_condition == y.type_condition =>
            {
                representations_clash(&x.selections, &y.selections, false)
            }
            _ => false,
        })
    })
}

pub(super) fn to_plan_selections(selections: &[CSel]) -> Vec<Selection> {
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

pub(super) fn merge_selections(into: &mut Vec<Selection>, new: Vec<Selection>) {
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
