//! Turning fetch groups into the plan tree, and rendering each group's subgraph
//! operation once.

use std::collections::BTreeSet;

use apollo_compiler::Name;
use apollo_compiler::executable::Operation;

use super::fetch_graph::Group;
use super::operation::Cond;
use crate::plan::{
    BatchFetchNode, BatchPart, ContextBatch, FetchNode, FetchRewrite, OperationKind, PlanNode,
    VariableCondition,
};
use crate::supergraph::Supergraph;
use apollo_compiler::ast::OperationType;

/// The plan tree of `groups`. `counter` numbers the subgraph operations'
/// names, so the parts of a deferred plan built one after another never reuse
/// a name.
pub(crate) fn build_node(
    sg: &Supergraph,
    operation: &Operation,
    groups: Vec<Group>,
    counter: &mut usize,
) -> Option<PlanNode> {
    let mut builder = Builder {
        sg,
        operation,
        groups,
        counter: *counter,
    };
    let chunks = builder
        .groups
        .iter()
        .map(|g| g.chunk)
        .max()
        .map_or(0, |c| c + 1);
    let mut nodes = Vec::new();
    for chunk in 0..chunks {
        let members: Vec<usize> = (0..builder.groups.len())
            .filter(|i| builder.groups[*i].chunk == chunk)
            .collect();
        if members.is_empty() {
            continue;
        }
        if let Some(node) = builder.chunk_node(&members) {
            nodes.push(node);
        }
    }
    *counter = builder.counter;
    sequence(nodes)
}

struct Builder<'a> {
    sg: &'a Supergraph,
    operation: &'a Operation,
    groups: Vec<Group>,
    counter: usize,
}

/// Fetches that hang together in the tree: one group, or entity fetches to one
/// subgraph that are siblings (ready at the same step), which become one
/// `BatchFetch`. Its children are the fetches that hang under any of them.
struct Unit {
    groups: Vec<usize>,
    children: Vec<Unit>,
}

/// What an entity fetch renders to before it becomes a node or a batch part.
struct Rendered {
    /// `{... on T{...}}`, the selection inside `_entities`.
    body: String,
    used: Vec<Name>,
    output_rewrites: Vec<FetchRewrite>,
}

impl Builder<'_> {
    /// A tree when one exists: each fetch hangs under one of the fetches it
    /// waits for, such that every other one it waits for is an ancestor there
    /// (so it is done by then). Otherwise stages: each stage runs in parallel
    /// once the previous one is done.
    ///
    /// Entity fetches to one subgraph that are ready at the same step are one
    /// request: siblings in the tree are batched (and what hangs under them hangs
    /// under the batch). When the tree would still leave two entity fetches to
    /// one subgraph at the same level in different branches, the plan is built
    /// in stages instead, where each stage batches them: one request fewer, at
    /// the price of each stage waiting for the whole previous one.
    fn chunk_node(&mut self, members: &[usize]) -> Option<PlanNode> {
        let level = super::fetch_graph::levels(&self.groups);
        if let Some(parents) = self.tree_parents(members, &level) {
            let roots: Vec<usize> = members
                .iter()
                .copied()
                .filter(|i| parents[*i].is_none())
                .collect();
            let units = self.units(&roots, members, &parents);
            if !self.batchable_across_branches(&units, &level) {
                let nodes = units.iter().map(|u| self.unit_node(u, &[])).collect();
                return parallel(nodes);
            }
        }
        let max = members.iter().map(|i| level[*i]).max().unwrap_or(0);
        let mut stages = Vec::new();
        for l in 0..=max {
            let at_level: Vec<usize> = members.iter().copied().filter(|i| level[*i] == l).collect();
            let nodes = self
                .classes(&at_level)
                .into_iter()
                .map(|class| {
                    let unit = Unit {
                        groups: class,
                        children: Vec::new(),
                    };
                    self.unit_node(&unit, &[])
                })
                .collect();
            stages.extend(parallel(nodes));
        }
        sequence(stages)
    }

    /// Per group, the group it hangs under in the tree (`None` for a root), or
    /// `None` overall when some group has no such parent.
    fn tree_parents(&self, members: &[usize], level: &[usize]) -> Option<Vec<Option<usize>>> {
        let mut parents: Vec<Option<usize>> = vec![None; self.groups.len()];
        let mut order = members.to_vec();
        order.sort_by_key(|i| (level[*i], *i));
        let is_ancestor = |parents: &[Option<usize>], ancestor: usize, mut of: usize| loop {
            if of == ancestor {
                return true;
            }
            match parents[of] {
                Some(p) => of = p,
                None => return false,
            }
        };
        for g in order {
            let deps = &self.groups[g].deps;
            if deps.is_empty() {
                continue;
            }
            let parent = deps
                .iter()
                .copied()
                .filter(|d| deps.iter().all(|e| is_ancestor(&parents, *e, *d)))
                .max_by_key(|d| level[*d])?;
            parents[g] = Some(parent);
        }
        Some(parents)
    }

    /// `siblings` partitioned into batches (entity fetches to one subgraph
    /// together, in order of first appearance), each with what hangs under it.
    fn units(&self, siblings: &[usize], members: &[usize], parents: &[Option<usize>]) -> Vec<Unit> {
        self.classes(siblings)
            .into_iter()
            .map(|groups| {
                let children: Vec<usize> = members
                    .iter()
                    .copied()
                    .filter(|i| parents[*i].is_some_and(|p| groups.contains(&p)))
                    .collect();
                let children = self.units(&children, members, parents);
                Unit { groups, children }
            })
            .collect()
    }

    /// `items` grouped into what can be one request: entity fetches to the same
    /// subgraph; every other fetch alone.
    fn classes(&self, items: &[usize]) -> Vec<Vec<usize>> {
        let mut classes: Vec<Vec<usize>> = Vec::new();
        let batchable = |group: &Group| group.entity;
        for &i in items {
            let group = &self.groups[i];
            let class = batchable(group).then(|| {
                classes.iter().position(|c| {
                    let first = &self.groups[c[0]];
                    batchable(first) && first.graph == group.graph
                })
            });
            match class.flatten() {
                Some(c) => classes[c].push(i),
                None => classes.push(vec![i]),
            }
        }
        classes
    }

    /// Whether two units of the tree hold entity fetches to the same subgraph at
    /// the same level (siblings would have been one unit, so they are in
    /// different branches).
    fn batchable_across_branches(&self, units: &[Unit], level: &[usize]) -> bool {
        fn walk<'u>(units: &'u [Unit], out: &mut Vec<&'u Unit>) {
            for unit in units {
                out.push(unit);
                walk(&unit.children, out);
            }
        }
        let mut all = Vec::new();
        walk(units, &mut all);
        let mut seen = BTreeSet::new();
        for unit in all {
            let first = &self.groups[unit.groups[0]];
            if first.entity && !seen.insert((first.graph, level[unit.groups[0]])) {
                return true;
            }
        }
        false
    }

    /// The node of a unit and of everything hanging under it; `outer` are the
    /// conditions already decided by enclosing `Condition` nodes.
    fn unit_node(&mut self, unit: &Unit, outer: &[Cond]) -> PlanNode {
        let common: Vec<Cond> = self.groups[unit.groups[0]]
            .conditions
            .iter()
            .filter(|c| {
                unit.groups
                    .iter()
                    .all(|g| self.groups[*g].conditions.contains(c))
            })
            .cloned()
            .collect();
        let fetch = if let [single] = unit.groups.as_slice() {
            self.fetch(*single)
        } else {
            self.batch(&unit.groups, &common, outer)
        };
        let mut decided = outer.to_vec();
        decided.extend(common.iter().filter(|c| !outer.contains(c)).cloned());
        let child_nodes = unit
            .children
            .iter()
            .map(|c| self.unit_node(c, &decided))
            .collect();
        let node = match parallel(child_nodes) {
            None => fetch,
            Some(children) => sequence(vec![fetch, children]).expect("two nodes"),
        };
        with_conditions(&common, outer, node)
    }

    /// Adds internal aliases where sibling selections clash and renders the
    /// group's selection.
    fn render_selection(&mut self, index: usize) -> Rendered {
        let group = &mut self.groups[index];
        let mut output_rewrites = Vec::new();
        // An entity selection's `... on T` fragments all sit in one selection set
        // (`_entities`), so same-key fields of different types across them clash
        // like siblings do; the rewrite paths start with the type condition.
        group.selection.alias_conflicts(&mut output_rewrites);
        let mut body = String::new();
        let mut used: Vec<Name> = Vec::new();
        group.selection.render(&mut body, &mut used);
        Rendered {
            body,
            used,
            output_rewrites,
        }
    }

    /// `$name:Type=default` for each client variable in `used`, in the client
    /// operation's order, with the names.
    fn client_variables(&self, used: &[Name]) -> (Vec<String>, Vec<String>) {
        let mut usages = Vec::new();
        let mut definitions = Vec::new();
        for v in self
            .operation
            .variables
            .iter()
            .filter(|v| used.contains(&v.name))
        {
            let mut def = format!("${}:{}", v.name, v.ty);
            if let Some(default) = &v.default_value {
                def.push_str(&format!("={default}"));
            }
            definitions.push(def);
            usages.push(v.name.to_string());
        }
        (usages, definitions)
    }

    /// The next subgraph operation name (`Client__subgraph__N`), when the client's
    /// operation has a name.
    fn operation_name(&mut self, subgraph: &str) -> Option<String> {
        let name = self
            .operation
            .name
            .as_ref()
            .map(|n| format!("{n}__{subgraph}__{}", self.counter));
        self.counter += 1;
        name
    }

    fn fetch(&mut self, index: usize) -> PlanNode {
        let Rendered {
            mut body,
            used,
            output_rewrites,
        } = self.render_selection(index);
        let group = &self.groups[index];
        let selection = body.clone();
        if group.entity {
            body = format!("{{_entities(representations:$representations){body}}}");
        }
        let (variable_usages, client_definitions) = self.client_variables(&used);
        let mut definitions: Vec<String> = Vec::new();
        if group.entity {
            definitions.push("$representations:[_Any!]!".into());
        }
        definitions.extend(client_definitions.iter().cloned());
        for argument in &group.context_arguments {
            definitions.push(format!("${}:{}", argument.variable, argument.ty));
        }
        let subgraph = self.sg.graph_name(group.graph).to_string();
        let entity = group.entity;
        let operation_name = self.operation_name(&subgraph);
        let group = &self.groups[index];
        let kind = if entity {
            OperationType::Query
        } else {
            self.operation.operation_type
        };
        let text = operation_text(kind, operation_name.as_deref(), &definitions, &body);
        let context_batch = (!group.context_arguments.is_empty()).then(|| ContextBatch {
            operation_name: operation_name.clone(),
            client_definitions,
            selection,
        });
        let node = PlanNode::Fetch(FetchNode {
            subgraph,
            operation: text,
            operation_name,
            operation_kind: match kind {
                OperationType::Query => OperationKind::Query,
                OperationType::Mutation => OperationKind::Mutation,
                OperationType::Subscription => OperationKind::Subscription,
            },
            variable_usages,
            requires: group.requires.clone(),
            input_rewrites: group.input_rewrites.clone(),
            output_rewrites,
            context_arguments: group.context_arguments.clone(),
            context_batch,
        });
        if group.entity {
            PlanNode::Flatten {
                path: super::fetch_graph::to_plan_path(&group.merge_path),
                node: Box::new(node),
            }
        } else {
            node
        }
    }

    /// One request for entity fetches `indices` to one subgraph: one aliased
    /// `_entities` selection per distinct fetch (fetches with the same selection,
    /// requires, rewrites and conditions share one, with all their paths).
    /// `common` conditions wrap the node; each part keeps the rest of its own.
    fn batch(&mut self, indices: &[usize], common: &[Cond], outer: &[Cond]) -> PlanNode {
        struct Part {
            body: String,
            paths: Vec<Vec<crate::plan::PathElement>>,
            conditions: Vec<VariableCondition>,
            requires: Vec<crate::plan::Selection>,
            input_rewrites: Vec<FetchRewrite>,
            output_rewrites: Vec<FetchRewrite>,
            context_arguments: Vec<crate::plan::ContextArgument>,
        }
        let mut parts: Vec<Part> = Vec::new();
        let mut context_definitions: Vec<String> = Vec::new();
        let mut used: Vec<Name> = Vec::new();
        for &index in indices {
            let rendered = self.render_selection(index);
            for name in rendered.used {
                if !used.contains(&name) {
                    used.push(name);
                }
            }
            let group = &self.groups[index];
            let path = super::fetch_graph::to_plan_path(&group.merge_path);
            let conditions: Vec<VariableCondition> = group
                .conditions
                .iter()
                .filter(|c| !common.contains(c) && !outer.contains(c))
                .collect::<BTreeSet<_>>()
                .into_iter()
                .map(VariableCondition::from)
                .collect();
            for argument in &group.context_arguments {
                context_definitions.push(format!("${}:{}", argument.variable, argument.ty));
            }
            let same = parts.iter_mut().find(|p| {
                p.body == rendered.body
                    && group.context_arguments.is_empty()
                    && p.context_arguments.is_empty()
                    && p.conditions == conditions
                    && p.requires == group.requires
                    && p.input_rewrites == group.input_rewrites
                    && p.output_rewrites == rendered.output_rewrites
            });
            match same {
                Some(part) => {
                    if !part.paths.contains(&path) {
                        part.paths.push(path);
                    }
                }
                None => parts.push(Part {
                    body: rendered.body,
                    paths: vec![path],
                    conditions,
                    requires: group.requires.clone(),
                    input_rewrites: group.input_rewrites.clone(),
                    output_rewrites: rendered.output_rewrites,
                    context_arguments: group.context_arguments.clone(),
                }),
            }
        }
        let with_context = parts.iter().any(|p| !p.context_arguments.is_empty());
        let subgraph = self
            .sg
            .graph_name(self.groups[indices[0]].graph)
            .to_string();
        let (variable_usages, client_definitions) = self.client_variables(&used);
        let mut definitions = Vec::new();
        let mut body = String::from("{");
        let mut plan_parts = Vec::with_capacity(parts.len());
        for (n, part) in parts.into_iter().enumerate() {
            let variable = self.representations_variable(n);
            let response_key = format!("_{n}");
            definitions.push(format!("${variable}:[_Any!]!"));
            if n > 0 {
                body.push(' ');
            }
            body.push_str(&format!(
                "{response_key}:_entities(representations:${variable}){}",
                part.body
            ));
            let selection = with_context.then(|| part.body.clone());
            plan_parts.push(BatchPart {
                response_key,
                representations_variable: variable,
                paths: part.paths,
                conditions: part.conditions,
                requires: part.requires,
                input_rewrites: part.input_rewrites,
                output_rewrites: part.output_rewrites,
                context_arguments: part.context_arguments,
                selection,
            });
        }
        body.push('}');
        definitions.extend(client_definitions.iter().cloned());
        definitions.extend(context_definitions);
        let operation_name = self.operation_name(&subgraph);
        let operation = operation_text(
            OperationType::Query,
            operation_name.as_deref(),
            &definitions,
            &body,
        );
        PlanNode::BatchFetch(BatchFetchNode {
            subgraph,
            operation,
            operation_name,
            variable_usages,
            parts: plan_parts,
            client_definitions: if with_context {
                client_definitions
            } else {
                Vec::new()
            },
        })
    }

    /// `representationsN`, with leading underscores until it is none of the
    /// client's variable names.
    fn representations_variable(&self, n: usize) -> String {
        let mut name = format!("representations{n}");
        while self
            .operation
            .variables
            .iter()
            .any(|v| v.name.as_str() == name)
        {
            name.insert(0, '_');
        }
        name
    }
}

/// `keyword Name(definitions)body`, the keyword left out for an anonymous query
/// without variables.
fn operation_text(
    kind: OperationType,
    name: Option<&str>,
    definitions: &[String],
    body: &str,
) -> String {
    let keyword = match kind {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    };
    let mut text = String::new();
    if kind != OperationType::Query || name.is_some() || !definitions.is_empty() {
        text.push_str(keyword);
        if let Some(name) = name {
            text.push(' ');
            text.push_str(name);
        }
        if !definitions.is_empty() {
            text.push('(');
            text.push_str(&definitions.join(","));
            text.push(')');
        }
    }
    text.push_str(body);
    text
}

/// Wraps `node` in a `Condition` for each condition not already decided by `outer`.
fn with_conditions(conditions: &[Cond], outer: &[Cond], mut node: PlanNode) -> PlanNode {
    let own: BTreeSet<&Cond> = conditions.iter().filter(|c| !outer.contains(c)).collect();
    for cond in own.into_iter().rev() {
        let boxed = Some(Box::new(node));
        node = PlanNode::Condition {
            condition: cond.variable.to_string(),
            if_clause: if cond.include_if { boxed.clone() } else { None },
            else_clause: if cond.include_if { None } else { boxed },
        };
    }
    node
}

/// The plan of a subscription as a [`PlanNode::Subscription`]: its first fetch
/// (the root fetch of the one root field) is the primary, what follows runs
/// per event. `None` when the plan does not start with one unconditional root
/// fetch (a root field under `@skip`/`@include` with a variable), which no
/// subgraph stream could serve.
pub(crate) fn subscription_node(node: PlanNode) -> Option<PlanNode> {
    let (first, rest) = match node {
        PlanNode::Sequence { mut nodes } if !nodes.is_empty() => {
            let first = nodes.remove(0);
            (first, sequence(nodes))
        }
        other => (other, None),
    };
    match first {
        PlanNode::Fetch(fetch) if fetch.requires.is_empty() => Some(PlanNode::Subscription {
            primary: Box::new(fetch),
            rest: rest.map(Box::new),
        }),
        _ => None,
    }
}

fn parallel(mut nodes: Vec<PlanNode>) -> Option<PlanNode> {
    match nodes.len() {
        0 => None,
        1 => nodes.pop(),
        _ => Some(PlanNode::Parallel { nodes }),
    }
}

fn sequence(nodes: Vec<PlanNode>) -> Option<PlanNode> {
    let mut nodes: Vec<PlanNode> = nodes
        .into_iter()
        .flat_map(|n| match n {
            PlanNode::Sequence { nodes } => nodes,
            other => vec![other],
        })
        .collect();
    match nodes.len() {
        0 => None,
        1 => nodes.pop(),
        _ => Some(PlanNode::Sequence { nodes }),
    }
}
