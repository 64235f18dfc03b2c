//! The stable text form of a plan, close to Apollo's: used by snapshot tests and
//! by `switchyard plan`.

use std::fmt::{self, Write};

use crate::plan::{
    BatchFetchNode, BatchPart, ContextArgument, DeferredNode, FetchNode, FetchRewrite, PathElement,
    PlanNode, QueryPlan, RewritePathElement, Selection,
};

impl fmt::Display for QueryPlan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::from("QueryPlan {\n");
        if let Some(node) = &self.node {
            write_node(&mut out, node, 1);
        }
        for field in &self.unresolvable {
            let _ = write!(
                out,
                "  Unresolvable(path: \"{}\", field: \"{}.{}\"",
                format_path(&field.path),
                field.parent_type,
                field.field_name
            );
            if field.response_key != field.field_name {
                let _ = write!(out, ", responseKey: \"{}\"", field.response_key);
            }
            for condition in &field.conditions {
                let directive = if condition.include_if {
                    "include"
                } else {
                    "skip"
                };
                let _ = write!(out, ", @{directive}(if: ${})", condition.variable);
            }
            out.push_str("),\n");
        }
        out.push('}');
        f.write_str(&out)
    }
}

impl fmt::Display for PathElement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PathElement::Key(k) => f.write_str(k),
            PathElement::Flatten => f.write_str("@"),
            PathElement::TypeCondition(types) => write!(f, "|[{}]", types.join(",")),
        }
    }
}

/// `topProducts.@.reviews`, as Apollo prints flatten paths.
pub fn format_path(path: &[PathElement]) -> String {
    let mut out = String::new();
    for (i, element) in path.iter().enumerate() {
        if i > 0 && !matches!(element, PathElement::TypeCondition(_)) {
            out.push('.');
        }
        let _ = write!(out, "{element}");
    }
    out
}

fn indent(out: &mut String, level: usize) {
    for _ in 0..level {
        out.push_str("  ");
    }
}

fn write_node(out: &mut String, node: &PlanNode, level: usize) {
    indent(out, level);
    match node {
        PlanNode::Fetch(fetch) => write_fetch(out, fetch, level),
        PlanNode::BatchFetch(batch) => write_batch(out, batch, level),
        PlanNode::Sequence { nodes } | PlanNode::Parallel { nodes } => {
            let name = if matches!(node, PlanNode::Sequence { .. }) {
                "Sequence"
            } else {
                "Parallel"
            };
            out.push_str(name);
            out.push_str(" {\n");
            for child in nodes {
                write_node(out, child, level + 1);
            }
            indent(out, level);
            out.push_str("},\n");
        }
        PlanNode::Flatten { path, node } => {
            let _ = writeln!(out, "Flatten(path: \"{}\") {{", format_path(path));
            write_node(out, node, level + 1);
            indent(out, level);
            out.push_str("},\n");
        }
        PlanNode::Defer { primary, deferred } => write_defer(out, primary, deferred, level),
        PlanNode::Condition {
            condition,
            if_clause,
            else_clause,
        } => {
            match (if_clause, else_clause) {
                (Some(node), None) => {
                    let _ = writeln!(out, "Include(if: ${condition}) {{");
                    write_node(out, node, level + 1);
                }
                (None, Some(node)) => {
                    let _ = writeln!(out, "Skip(if: ${condition}) {{");
                    write_node(out, node, level + 1);
                }
                _ => {
                    let _ = writeln!(out, "Condition(if: ${condition}) {{");
                    if let Some(node) = if_clause {
                        indent(out, level + 1);
                        out.push_str("Then {\n");
                        write_node(out, node, level + 2);
                        indent(out, level + 1);
                        out.push_str("},\n");
                    }
                    if let Some(node) = else_clause {
                        indent(out, level + 1);
                        out.push_str("Else {\n");
                        write_node(out, node, level + 2);
                        indent(out, level + 1);
                        out.push_str("},\n");
                    }
                }
            }
            indent(out, level);
            out.push_str("},\n");
        }
        PlanNode::Subscription { primary, rest } => {
            out.push_str("Subscription {\n");
            indent(out, level + 1);
            out.push_str("Primary: {\n");
            indent(out, level + 2);
            write_fetch(out, primary, level + 2);
            indent(out, level + 1);
            out.push_str("},\n");
            if let Some(rest) = rest {
                indent(out, level + 1);
                out.push_str("Rest: {\n");
                write_node(out, rest, level + 2);
                indent(out, level + 1);
                out.push_str("},\n");
            }
            indent(out, level);
            out.push_str("},\n");
        }
    }
}

/// `Defer { Primary { ... }, Deferred(label: "l", path: "p", if: $v) { ... } }`,
/// close to Apollo's print of its `Defer` node.
fn write_defer(
    out: &mut String,
    primary: &Option<Box<PlanNode>>,
    deferred: &[DeferredNode],
    level: usize,
) {
    out.push_str("Defer {\n");
    indent(out, level + 1);
    out.push_str("Primary {\n");
    if let Some(node) = primary {
        write_node(out, node, level + 2);
    }
    indent(out, level + 1);
    out.push_str("},\n");
    for part in deferred {
        indent(out, level + 1);
        let _ = write!(out, "Deferred(index: {}", part.index);
        if let Some(label) = &part.label {
            let _ = write!(out, ", label: \"{label}\"");
        }
        let _ = write!(
            out,
            ", path: \"{}\", on: {}",
            format_path(&part.path),
            part.parent_type
        );
        if let Some(variable) = &part.if_variable {
            let _ = write!(out, ", if: ${variable}");
        }
        if !part.depends_on.is_empty() {
            let parts: Vec<String> = part.depends_on.iter().map(usize::to_string).collect();
            let _ = write!(out, ", dependsOn: [{}]", parts.join(", "));
        }
        out.push_str(") {\n");
        if let Some(node) = &part.node {
            write_node(out, node, level + 2);
        }
        indent(out, level + 1);
        out.push_str("},\n");
    }
    indent(out, level);
    out.push_str("},\n");
}

fn write_fetch(out: &mut String, fetch: &FetchNode, level: usize) {
    let _ = writeln!(out, "Fetch(service: \"{}\") {{", fetch.subgraph);
    write_entity_inputs(
        out,
        &fetch.requires,
        &fetch.input_rewrites,
        &fetch.output_rewrites,
        level + 1,
    );
    write_context_arguments(out, &fetch.context_arguments, level + 1);
    write_operation(out, &fetch.operation, level);
}

/// `context $contextualArgument_1: String <- 2 up on [A, B] { prefs { locale } }`,
/// one line per ancestor, nearest first.
fn write_context_arguments(out: &mut String, arguments: &[ContextArgument], level: usize) {
    for argument in arguments {
        for (i, source) in argument.sources.iter().enumerate() {
            indent(out, level);
            if i == 0 {
                let _ = write!(out, "context ${}: {} <- ", argument.variable, argument.ty);
            } else {
                out.push_str("  else <- ");
            }
            let _ = write!(out, "{} up ", source.levels_up);
            if !source.type_conditions.is_empty() {
                let _ = write!(out, "on [{}] ", source.type_conditions.join(", "));
            }
            write_inline_selections(out, &source.selection);
            out.push('\n');
        }
    }
}

/// `requires` (`{...} =>`) and the rewrites of an entity fetch or batch part.
fn write_entity_inputs(
    out: &mut String,
    requires: &[Selection],
    input_rewrites: &[FetchRewrite],
    output_rewrites: &[FetchRewrite],
    level: usize,
) {
    if !requires.is_empty() {
        indent(out, level);
        out.push_str("{\n");
        write_selections(out, requires, level + 1);
        indent(out, level);
        out.push_str("} =>\n");
    }
    for rewrite in input_rewrites {
        indent(out, level);
        let _ = writeln!(out, "input rewrite: {}", format_rewrite(rewrite));
    }
    for rewrite in output_rewrites {
        indent(out, level);
        let _ = writeln!(out, "output rewrite: {}", format_rewrite(rewrite));
    }
}

/// ```text
/// BatchFetch(service: "reviews") {
///   _0: Flatten(path: "a.@") {
///     { ... on Product { __typename upc } } =>
///   },
///   _1: Include(if: $v) Flatten(path: "b.@", "c.@") {
///     ...
///   },
///   query($representations0: [_Any!]!, ...) { _0: _entities(...) {...} ... }
/// },
/// ```
fn write_batch(out: &mut String, batch: &BatchFetchNode, level: usize) {
    let _ = writeln!(out, "BatchFetch(service: \"{}\") {{", batch.subgraph);
    for part in &batch.parts {
        write_part(out, part, level + 1);
    }
    write_operation(out, &batch.operation, level);
}

fn write_part(out: &mut String, part: &BatchPart, level: usize) {
    indent(out, level);
    let _ = write!(out, "{}: ", part.response_key);
    for condition in &part.conditions {
        let directive = if condition.include_if {
            "Include"
        } else {
            "Skip"
        };
        let _ = write!(out, "{directive}(if: ${}) ", condition.variable);
    }
    let paths: Vec<String> = part
        .paths
        .iter()
        .map(|path| format!("\"{}\"", format_path(path)))
        .collect();
    let _ = writeln!(out, "Flatten(path: {}) {{", paths.join(", "));
    write_entity_inputs(
        out,
        &part.requires,
        &part.input_rewrites,
        &part.output_rewrites,
        level + 1,
    );
    write_context_arguments(out, &part.context_arguments, level + 1);
    indent(out, level);
    out.push_str("},\n");
}

/// The operation's lines, then the closing brace of the fetch.
fn write_operation(out: &mut String, operation: &str, level: usize) {
    for line in pretty_operation(operation).lines() {
        indent(out, level + 1);
        out.push_str(line);
        out.push('\n');
    }
    indent(out, level);
    out.push_str("},\n");
}

/// The operation pretty-printed; the raw text when it doesn't parse (it always
/// should, but the printer must never hide what is sent).
fn pretty_operation(operation: &str) -> String {
    match apollo_compiler::ast::Document::parse(operation, "operation.graphql") {
        Ok(document) => document.to_string(),
        Err(_) => operation.to_string(),
    }
}

fn write_selections(out: &mut String, selections: &[Selection], level: usize) {
    for selection in selections {
        indent(out, level);
        match selection {
            Selection::Field(field) => {
                if field.response_key != field.name {
                    let _ = write!(out, "{}: ", field.response_key);
                }
                out.push_str(&field.name);
                if field.selections.is_empty() {
                    out.push('\n');
                } else {
                    out.push_str(" {\n");
                    write_selections(out, &field.selections, level + 1);
                    indent(out, level);
                    out.push_str("}\n");
                }
            }
            Selection::InlineFragment(fragment) => {
                match &fragment.type_condition {
                    Some(on) => {
                        let _ = writeln!(out, "... on {on} {{");
                    }
                    None => out.push_str("... {\n"),
                }
                write_selections(out, &fragment.selections, level + 1);
                indent(out, level);
                out.push_str("}\n");
            }
        }
    }
}

/// `{ a { b } ... on T { c } }` on one line.
fn write_inline_selections(out: &mut String, selections: &[Selection]) {
    out.push('{');
    for selection in selections {
        out.push(' ');
        match selection {
            Selection::Field(field) => {
                if field.response_key != field.name {
                    let _ = write!(out, "{}: ", field.response_key);
                }
                out.push_str(&field.name);
                if !field.selections.is_empty() {
                    out.push(' ');
                    write_inline_selections(out, &field.selections);
                }
            }
            Selection::InlineFragment(fragment) => {
                out.push_str("...");
                if let Some(on) = &fragment.type_condition {
                    let _ = write!(out, " on {on}");
                }
                out.push(' ');
                write_inline_selections(out, &fragment.selections);
            }
        }
    }
    out.push_str(" }");
}

fn format_rewrite_path(path: &[RewritePathElement]) -> String {
    path.iter()
        .map(|e| match e {
            RewritePathElement::Key(k) => k.clone(),
            RewritePathElement::TypeCondition(t) => format!("... on {t}"),
        })
        .collect::<Vec<_>>()
        .join("/")
}

fn format_rewrite(rewrite: &FetchRewrite) -> String {
    match rewrite {
        FetchRewrite::ValueSetter { path, value } => {
            format!("set {} = {value}", format_rewrite_path(path))
        }
        FetchRewrite::KeyRenamer {
            path,
            rename_key_to,
        } => {
            format!("rename {} to {rename_key_to}", format_rewrite_path(path))
        }
    }
}
