//! Turning fetch groups into the plan tree, and rendering each group's subgraph
//! operation once.

use std::collections::BTreeSet;

use apollo_compiler::Name;
use apollo_compiler::executable::Operation;

use super::fetch_graph::Group;
use super::operation::Cond;
use crate::plan::{FetchNode, OperationKind, PlanNode, QueryPlan};
use crate::supergraph::Supergraph;
use apollo_compiler::ast::OperationType;

pub(crate) fn build_plan(sg: &Supergraph, operation: &Operation, groups: Vec<Group>) -> QueryPlan {
    let mut builder = Builder {
        sg,
        operation,
        groups,
        counter: 0,
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
        if let Some(node) = builder.chunk_node(&members) {
            nodes.push(node);
        }
    }
    QueryPlan {
        node: sequence(nodes),
        unresolvable: Vec::new(),
    }
}

struct Builder<'a> {
    sg: &'a Supergraph,
    operation: &'a Operation,
    groups: Vec<Group>,
    counter: usize,
}

impl Builder<'_> {
    /// A tree when one exists: each fetch hangs under one of the fetches it
    /// waits for, such that every other one it waits for is an ancestor there
    /// (so it is done by then). Otherwise stages: each stage runs in parallel
    /// once the previous one is done.
    fn chunk_node(&mut self, members: &[usize]) -> Option<PlanNode> {
        let level = super::fetch_graph::levels(&self.groups);
        if let Some(parents) = self.tree_parents(members, &level) {
            let roots: Vec<usize> = members
                .iter()
                .copied()
                .filter(|i| parents[*i].is_none())
                .collect();
            let nodes = roots
                .into_iter()
                .map(|r| self.subtree(r, members, &parents, &[]))
                .collect();
            return parallel(nodes);
        }
        let max = members.iter().map(|i| level[*i]).max().unwrap_or(0);
        let mut stages = Vec::new();
        for l in 0..=max {
            let nodes = members
                .iter()
                .copied()
                .filter(|i| level[*i] == l)
                .map(|i| {
                    let fetch = self.fetch(i);
                    with_conditions(&self.groups[i].conditions, &[], fetch)
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

    fn subtree(
        &mut self,
        group: usize,
        members: &[usize],
        parents: &[Option<usize>],
        outer: &[Cond],
    ) -> PlanNode {
        let fetch = self.fetch(group);
        let conditions = self.groups[group].conditions.clone();
        let children: Vec<usize> = members
            .iter()
            .copied()
            .filter(|i| parents[*i] == Some(group))
            .collect();
        let child_nodes = children
            .into_iter()
            .map(|c| self.subtree(c, members, parents, &conditions))
            .collect();
        let node = match parallel(child_nodes) {
            None => fetch,
            Some(children) => sequence(vec![fetch, children]).expect("two nodes"),
        };
        with_conditions(&conditions, outer, node)
    }

    fn fetch(&mut self, index: usize) -> PlanNode {
        let group = &mut self.groups[index];
        let mut output_rewrites = Vec::new();
        let mut counter = 0;
        let mut path = Vec::new();
        if group.entity {
            for item in &mut group.selection.items {
                if let super::selection::Item::Fragment(f) = item {
                    if let Some(on) = &f.on {
                        path.push(crate::plan::RewritePathElement::TypeCondition(
                            on.to_string(),
                        ));
                    }
                    f.sub
                        .alias_conflicts(&mut path, &mut output_rewrites, &mut counter);
                    path.clear();
                }
            }
        } else {
            group
                .selection
                .alias_conflicts(&mut path, &mut output_rewrites, &mut counter);
        }
        let group = &self.groups[index];
        let mut body = String::new();
        let mut used: Vec<Name> = Vec::new();
        group.selection.render(&mut body, &mut used);
        if group.entity {
            body = format!("{{_entities(representations:$representations){body}}}");
        }
        let variable_usages: Vec<String> = self
            .operation
            .variables
            .iter()
            .filter(|v| used.contains(&v.name))
            .map(|v| v.name.to_string())
            .collect();
        let mut definitions: Vec<String> = Vec::new();
        if group.entity {
            definitions.push("$representations:[_Any!]!".into());
        }
        for argument in &group.context_arguments {
            definitions.push(format!("${}:{}", argument.variable, argument.ty));
        }
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
        }
        let subgraph = self.sg.graph_name(group.graph).to_string();
        let operation_name = self
            .operation
            .name
            .as_ref()
            .map(|n| format!("{n}__{subgraph}__{}", self.counter));
        self.counter += 1;
        let kind = if group.entity {
            OperationType::Query
        } else {
            self.operation.operation_type
        };
        let keyword = match kind {
            OperationType::Query => "query",
            OperationType::Mutation => "mutation",
            OperationType::Subscription => "subscription",
        };
        let mut text = String::new();
        if kind != OperationType::Query || operation_name.is_some() || !definitions.is_empty() {
            text.push_str(keyword);
            if let Some(name) = &operation_name {
                text.push(' ');
                text.push_str(name);
            }
            if !definitions.is_empty() {
                text.push('(');
                text.push_str(&definitions.join(","));
                text.push(')');
            }
        }
        text.push_str(&body);
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
