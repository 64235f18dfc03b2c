//! The selection of one subgraph operation while it is being built, and its
//! rendering to GraphQL text.

use std::fmt::Write;

use apollo_compiler::ast::{Argument, Value};
use apollo_compiler::{Name, Node};

use super::operation::Cond;
use crate::plan::{FetchRewrite, RewritePathElement};

#[derive(Debug, Clone, Default)]
pub(crate) struct SelSet {
    pub items: Vec<Item>,
}

#[derive(Debug, Clone)]
pub(crate) enum Item {
    Field(FieldItem),
    Fragment(FragmentItem),
}

#[derive(Debug, Clone)]
pub(crate) struct FieldItem {
    pub alias: Option<Name>,
    pub name: Name,
    pub arguments: Vec<Node<Argument>>,
    pub conditions: Vec<Cond>,
    /// The field's type as the subgraph declares it: two same-key fields under
    /// sibling fragments must agree on it, or one gets an internal alias.
    pub subgraph_type: String,
    pub sub: Option<SelSet>,
}

impl FieldItem {
    fn response_key(&self) -> &Name {
        self.alias.as_ref().unwrap_or(&self.name)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct FragmentItem {
    pub on: Option<Name>,
    pub conditions: Vec<Cond>,
    pub sub: SelSet,
}

/// One step from a selection set into one of its items.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Step {
    Field(Name, Vec<Cond>),
    Fragment(Option<Name>, Vec<Cond>),
}

impl SelSet {
    pub fn at_mut(&mut self, steps: &[Step]) -> &mut SelSet {
        let mut set = self;
        for step in steps {
            set = set.child_mut(step);
        }
        set
    }

    fn child_mut(&mut self, step: &Step) -> &mut SelSet {
        let index = self
            .items
            .iter()
            .position(|item| match (item, step) {
                (Item::Field(f), Step::Field(key, conds)) => {
                    f.response_key() == key && f.conditions == *conds
                }
                (Item::Fragment(f), Step::Fragment(on, conds)) => {
                    f.on == *on && f.conditions == *conds
                }
                _ => false,
            })
            .expect("a step always follows an item added before");
        match &mut self.items[index] {
            Item::Field(f) => f.sub.get_or_insert_with(SelSet::default),
            Item::Fragment(f) => &mut f.sub,
        }
    }

    /// Adds a field (merging with an equal one) and returns the step into it.
    pub fn add_field(&mut self, field: FieldItem) -> Step {
        let key = field.response_key().clone();
        let step = Step::Field(key.clone(), field.conditions.clone());
        let exists = self.items.iter().any(|item| {
            matches!(item, Item::Field(f) if *f.response_key() == key && f.conditions == field.conditions)
        });
        if !exists {
            self.items.push(Item::Field(field));
        }
        step
    }

    pub fn add_fragment(&mut self, on: Option<Name>, conditions: Vec<Cond>) -> Step {
        let step = Step::Fragment(on.clone(), conditions.clone());
        let exists = self.items.iter().any(
            |item| matches!(item, Item::Fragment(f) if f.on == on && f.conditions == conditions),
        );
        if !exists {
            self.items.push(Item::Fragment(FragmentItem {
                on,
                conditions,
                sub: SelSet::default(),
            }));
        }
        step
    }

    /// Merges another selection into this one (same keys and conditions merge).
    pub fn merge(&mut self, other: SelSet) {
        for item in other.items {
            match item {
                Item::Field(field) => {
                    let existing = self.items.iter_mut().find_map(|i| match i {
                        Item::Field(f)
                            if f.response_key() == field.response_key()
                                && f.conditions == field.conditions =>
                        {
                            Some(f)
                        }
                        _ => None,
                    });
                    match (existing, field.sub) {
                        (Some(existing), Some(sub)) => {
                            existing.sub.get_or_insert_with(SelSet::default).merge(sub)
                        }
                        (Some(_), None) => {}
                        (None, sub) => self.items.push(Item::Field(FieldItem { sub, ..field })),
                    }
                }
                Item::Fragment(fragment) => {
                    let existing = self.items.iter_mut().find_map(|i| match i {
                        Item::Fragment(f)
                            if f.on == fragment.on && f.conditions == fragment.conditions =>
                        {
                            Some(f)
                        }
                        _ => None,
                    });
                    match existing {
                        Some(existing) => existing.sub.merge(fragment.sub),
                        None => self.items.push(Item::Fragment(fragment)),
                    }
                }
            }
        }
    }

    /// Whether every field directly under this entity selection's `... on T`
    /// fragments carries all of `conditions` itself.
    pub fn top_fields_carry(&self, conditions: &[&Cond]) -> bool {
        self.items.iter().all(|item| match item {
            Item::Fragment(f) => f.sub.items.iter().all(|inner| match inner {
                Item::Field(field) => conditions.iter().all(|c| field.conditions.contains(c)),
                Item::Fragment(inner) => conditions.iter().all(|c| inner.conditions.contains(c)),
            }),
            Item::Field(_) => false,
        })
    }

    /// No fields, not even inside its fragments (they render to nothing).
    pub fn is_empty(&self) -> bool {
        self.items
            .iter()
            .all(|item| matches!(item, Item::Fragment(f) if f.sub.is_empty()))
    }

    /// Renames fields that would clash with a same-key field of another type in
    /// the same response object (possible only under sibling type conditions), and
    /// records how to rename them back.
    pub fn alias_conflicts(&mut self, rewrites: &mut Vec<FetchRewrite>) {
        let mut counter = 0;
        alias_together(vec![(self, Vec::new())], rewrites, &mut counter);
    }

    /// Gives an internal alias to each field whose response key a field of
    /// another shape (type or arguments) already took in these selections,
    /// never one that is taken already.
    fn rename_clashes(
        &mut self,
        path: &mut Vec<RewritePathElement>,
        rewrites: &mut Vec<FetchRewrite>,
        counter: &mut usize,
        seen: &mut Vec<(Name, String)>,
        taken: &mut Vec<Name>,
        renamed: &mut Vec<(Name, Name)>,
    ) {
        for item in &mut self.items {
            match item {
                Item::Field(f) => {
                    let key = f.response_key().clone();
                    let shape = format!("{}({})", f.subgraph_type, render_args(&f.arguments));
                    match seen.iter().find(|(k, _)| *k == key) {
                        Some((_, s)) if *s != shape && f.name != "__typename" => {
                            let alias = loop {
                                let candidate = Name::new(&format!("{key}__sy{counter}"))
                                    .expect("a valid name plus a suffix is a valid name");
                                *counter += 1;
                                if !taken.contains(&candidate) {
                                    break candidate;
                                }
                            };
                            taken.push(alias.clone());
                            renamed.push((alias.clone(), key.clone()));
                            let mut rewrite_path = path.clone();
                            rewrite_path.push(RewritePathElement::Key(alias.to_string()));
                            rewrites.push(FetchRewrite::KeyRenamer {
                                path: rewrite_path,
                                rename_key_to: key.to_string(),
                            });
                            f.alias = Some(alias);
                        }
                        Some(_) => {}
                        None => seen.push((key, shape)),
                    }
                }
                Item::Fragment(f) => {
                    let pushed = f.on.as_ref().map(|on| {
                        path.push(RewritePathElement::TypeCondition(on.to_string()));
                    });
                    f.sub
                        .rename_clashes(path, rewrites, counter, seen, taken, renamed);
                    if pushed.is_some() {
                        path.pop();
                    }
                }
            }
        }
    }

    /// Every response key at this level (through fragments, not into fields).
    fn response_keys(&self, keys: &mut Vec<Name>) {
        for item in &self.items {
            match item {
                Item::Field(f) => {
                    if !keys.contains(f.response_key()) {
                        keys.push(f.response_key().clone());
                    }
                }
                Item::Fragment(f) => f.sub.response_keys(keys),
            }
        }
    }

    /// The sub-selections of this level's composite fields, grouped by the
    /// response key they land under once renamed back, each with the rewrite
    /// path to it (the key as the client sees it: renames run in order, so
    /// the parent's is back to it by then).
    fn subs_by_key<'s>(
        &'s mut self,
        path: &mut Vec<RewritePathElement>,
        renamed: &[(Name, Name)],
        groups: &mut Vec<(String, Vec<SubSelection<'s>>)>,
    ) {
        for item in &mut self.items {
            match item {
                Item::Field(f) => {
                    let key = renamed
                        .iter()
                        .find(|(alias, _)| alias == f.response_key())
                        .map_or(f.response_key(), |(_, key)| key)
                        .to_string();
                    if let Some(sub) = &mut f.sub {
                        let mut sub_path = path.clone();
                        sub_path.push(RewritePathElement::Key(key.clone()));
                        match groups.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, subs)) => subs.push((sub, sub_path)),
                            None => groups.push((key, vec![(sub, sub_path)])),
                        }
                    }
                }
                Item::Fragment(f) => {
                    let pushed = f.on.as_ref().map(|on| {
                        path.push(RewritePathElement::TypeCondition(on.to_string()));
                    });
                    f.sub.subs_by_key(path, renamed, groups);
                    if pushed.is_some() {
                        path.pop();
                    }
                }
            }
        }
    }

    /// Renders `{a b{c}}`, collecting the variables it uses.
    pub fn render(&self, out: &mut String, variables: &mut Vec<Name>) {
        out.push('{');
        self.render_items(out, variables, &mut true);
        out.push('}');
    }

    /// The items of [`SelSet::render`], without braces; `first` says whether
    /// nothing was written before them at this level.
    fn render_items(&self, out: &mut String, variables: &mut Vec<Name>, first: &mut bool) {
        for item in &self.items {
            if matches!(item, Item::Fragment(f) if f.sub.is_empty()) {
                // Everything under it was skipped or moved to other fetches.
                continue;
            }
            if let Item::Fragment(f) = item
                && f.on.is_none()
                && f.conditions.iter().all(|c| c.defer_index().is_some())
            {
                // A deferred fragment's selections: the subgraph sees them
                // as if they were written here.
                f.sub.render_items(out, variables, first);
                continue;
            }
            if !*first {
                out.push(' ');
            }
            *first = false;
            let conditions = match item {
                Item::Field(f) => &f.conditions,
                Item::Fragment(f) => &f.conditions,
            };
            // A deferred fragment's condition only decides which part of
            // the plan a fetch goes to: the subgraph never sees it.
            let conditions: Vec<Cond> = conditions
                .iter()
                .filter(|c| c.defer_index().is_none())
                .cloned()
                .collect();
            let (own, wrappers) = split_conditions(&conditions);
            for cond in &wrappers {
                out.push_str("...");
                render_conditions(&[(*cond).clone()], out, variables);
                out.push('{');
            }
            match item {
                Item::Field(f) => {
                    if let Some(alias) = &f.alias {
                        let _ = write!(out, "{alias}:");
                    }
                    out.push_str(&f.name);
                    if !f.arguments.is_empty() {
                        out.push('(');
                        out.push_str(&render_args(&f.arguments));
                        out.push(')');
                        for arg in &f.arguments {
                            collect_variables(&arg.value, variables);
                        }
                    }
                    render_conditions(&own, out, variables);
                    match &f.sub {
                        // A composite field whose selections all went elsewhere.
                        Some(sub) if sub.is_empty() => out.push_str("{__typename}"),
                        Some(sub) => sub.render(out, variables),
                        None => {}
                    }
                }
                Item::Fragment(f) => {
                    out.push_str("...");
                    if let Some(on) = &f.on {
                        let _ = write!(out, " on {on}");
                    }
                    render_conditions(&own, out, variables);
                    f.sub.render(out, variables);
                }
            }
            out.extend(wrappers.iter().map(|_| '}'));
        }
    }
}

/// A sub-selection and the rewrite path to the object it selects from.
type SubSelection<'s> = (&'s mut SelSet, Vec<RewritePathElement>);

/// Internal aliases for selections that fill the same response objects: one
/// level's fields across its fragments, then, together, the sub-selections of
/// every same-key field among them (GraphQL's same-response-shape rule holds
/// for those too, whatever their parent types).
fn alias_together(
    mut sets: Vec<SubSelection<'_>>,
    rewrites: &mut Vec<FetchRewrite>,
    counter: &mut usize,
) {
    let mut taken = Vec::new();
    for (set, _) in &sets {
        set.response_keys(&mut taken);
    }
    let mut seen = Vec::new();
    let mut renamed = Vec::new();
    for (set, path) in &mut sets {
        set.rename_clashes(path, rewrites, counter, &mut seen, &mut taken, &mut renamed);
    }
    let mut groups = Vec::new();
    for (set, mut path) in sets {
        set.subs_by_key(&mut path, &renamed, &mut groups);
    }
    for (_, subs) in groups {
        alias_together(subs, rewrites, counter);
    }
}

fn render_args(arguments: &[Node<Argument>]) -> String {
    arguments
        .iter()
        .map(|a| format!("{}:{}", a.name, a.value))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `@skip` and `@include` are not repeatable: a selection may carry one of each,
/// and the other conditions (several enclosing fragments' on one field, say)
/// become wrapping `... @include(if:) {}` fragments, which mean the same.
fn split_conditions(conditions: &[Cond]) -> (Vec<Cond>, Vec<&Cond>) {
    let mut own: Vec<Cond> = Vec::new();
    let mut wrappers = Vec::new();
    for cond in conditions {
        if own.iter().any(|c| c.include_if == cond.include_if) {
            wrappers.push(cond);
        } else {
            own.push(cond.clone());
        }
    }
    (own, wrappers)
}

fn render_conditions(conditions: &[Cond], out: &mut String, variables: &mut Vec<Name>) {
    for cond in conditions {
        let name = if cond.include_if { "include" } else { "skip" };
        let _ = write!(out, " @{name}(if:${})", cond.variable);
        push_unique(variables, &cond.variable);
    }
}

fn push_unique(variables: &mut Vec<Name>, name: &Name) {
    if !variables.contains(name) {
        variables.push(name.clone());
    }
}

pub(crate) fn collect_variables(value: &Value, variables: &mut Vec<Name>) {
    match value {
        Value::Variable(name) => push_unique(variables, name),
        Value::List(items) => items.iter().for_each(|v| collect_variables(v, variables)),
        Value::Object(fields) => fields
            .iter()
            .for_each(|(_, v)| collect_variables(v, variables)),
        _ => {}
    }
}
