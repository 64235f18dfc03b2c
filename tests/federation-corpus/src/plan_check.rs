//! The plan checker: holds every request a subgraph received against that
//! subgraph's schema, the way the federation spec bounds what a router may ask.
//!
//! A request may only select fields the subgraph's schema has and resolves:
//!
//! - every field exists on its parent type in the subgraph (`__typename` always
//!   does; `_entities` and `_service` on the query root are the federation
//!   additions), and every fragment's type condition names a type of the subgraph;
//! - a field the subgraph declares `@external` (Federation 2 `@external` on the
//!   field or on the type block declaring it, Federation 1 `extend type` fields
//!   with `@external`) is only selected when it is part of a `@key` of its type in
//!   this subgraph (the subgraph answers a reference with its key), or when it lies
//!   under a field whose `@provides(fields:)` covers it (the path inside the
//!   selection, type conditions included);
//! - every `_entities` representation names a type the subgraph has a resolvable
//!   `@key` for (on the type or on an interface it implements) and carries the
//!   fields of one of those keys;
//! - the request validates against the subgraph's schema completed with the
//!   federation definitions (see [`crate::subgraph_validation`]).
//!
//! A violation names the field path inside the request:
//! `_entities[... on Product].price` (fields by name, `alias:name` when aliased,
//! fragments in brackets).

use std::collections::HashMap;
use std::fmt;

use apollo_compiler::Schema;
use apollo_compiler::ast::{self, Selection};
use apollo_compiler::schema::{ComponentOrigin, ExtendedType};
use serde_json::{Map, Value as Json};

use crate::schema_info::{SchemaInfo, parse_field_set};

/// One thing a request asked that the subgraph cannot (or must not) answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// Where in the request: `topProducts.reviews[... on Review].author`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "{}", self.message)
        } else {
            write!(f, "at `{}`: {}", self.path, self.message)
        }
    }
}

/// Checks requests against one subgraph's schema.
#[derive(Debug)]
pub struct PlanChecker {
    info: SchemaInfo,
}

impl PlanChecker {
    /// A checker for the subgraph with this SDL.
    pub fn new(sdl: &str) -> Self {
        Self {
            info: SchemaInfo::parse(sdl),
        }
    }

    /// Every violation in one request (empty when the request is fine).
    pub fn check(
        &self,
        query: &str,
        operation_name: Option<&str>,
        variables: &Map<String, Json>,
    ) -> Vec<Violation> {
        let document = match ast::Document::parse(query, "request.graphql") {
            Ok(document) => document,
            Err(with_errors) => {
                return vec![Violation {
                    path: String::new(),
                    message: format!("the request does not parse: {}", with_errors.errors),
                }];
            }
        };
        let mut fragments = HashMap::new();
        let mut operations = Vec::new();
        for definition in &document.definitions {
            match definition {
                ast::Definition::FragmentDefinition(fragment) => {
                    fragments.insert(fragment.name.to_string(), fragment.clone());
                }
                ast::Definition::OperationDefinition(operation) => operations.push(operation),
                _ => {}
            }
        }
        let operation = match operation_name {
            Some(name) => operations
                .iter()
                .find(|op| op.name.as_ref().is_some_and(|n| n.as_str() == name)),
            None if operations.len() == 1 => operations.first(),
            None => None,
        };
        let Some(operation) = operation else {
            return vec![Violation {
                path: String::new(),
                message: "no operation in the request matches its operationName".to_owned(),
            }];
        };
        let mut walk = Walk {
            schema: self.info.lenient_schema(),
            fragments: &fragments,
            variables,
            violations: Vec::new(),
            spreading: Vec::new(),
            representations: Vec::new(),
        };
        let root = self.info.root_type(operation.operation_type);
        if walk.schema.types.contains_key(root.as_str())
            || operation.operation_type == ast::OperationType::Query
        {
            walk.selections(&root, &operation.selection_set, "", &[], Level::Root);
        } else {
            walk.violations.push(Violation {
                path: String::new(),
                message: format!("the subgraph has no `{root}` root type"),
            });
        }
        let mut violations = walk.violations;
        // Validation finds what the walk does not look at (arguments, variables,
        // conflicting response shapes); its messages would repeat the walk's own
        // unknown-field findings, so it only speaks when the walk found none.
        if violations.is_empty()
            && let Ok(valid) = self.info.validation_schema()
            && let Err(messages) = crate::subgraph_validation::validate(valid, query)
        {
            violations.extend(messages.into_iter().map(|message| Violation {
                path: String::new(),
                message: format!("invalid against the subgraph's schema: {message}"),
            }));
        }
        violations
    }
}

/// Field sets whose fields an external field may be selected under: the keys of
/// the parent type and the `@provides` of an ancestor, each as the part of the
/// field set at the current position.
type Coverage = [Vec<Selection>];

struct Walk<'a> {
    schema: &'a Schema,
    fragments: &'a HashMap<String, apollo_compiler::Node<ast::FragmentDefinition>>,
    variables: &'a Map<String, Json>,
    violations: Vec<Violation>,
    /// Named fragments being spread (a cycle is the validator's to report).
    spreading: Vec<String>,
    /// The representations of the `_entities` field being walked.
    representations: Vec<Json>,
}

const TYPENAME: &str = "__typename";

/// Where a selection set sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Level {
    /// The operation's root selection set.
    Root,
    /// Directly under `_entities`: fields of the entities the representations name.
    Entities,
    Nested,
}

impl Walk<'_> {
    fn violation(&mut self, path: &str, message: String) {
        self.violations.push(Violation {
            path: path.to_owned(),
            message,
        });
    }

    /// Checks a selection set on `parent`; `provided` is the `@provides` coverage
    /// reaching this position.
    fn selections(
        &mut self,
        parent: &str,
        selections: &[Selection],
        path: &str,
        provided: &Coverage,
        level: Level,
    ) {
        for selection in selections {
            match selection {
                Selection::Field(field) => self.field(parent, field, path, provided, level),
                Selection::InlineFragment(fragment) => {
                    let condition = fragment.type_condition.as_ref().map(|c| c.to_string());
                    let label = match &condition {
                        Some(condition) => format!("{path}[... on {condition}]"),
                        None => format!("{path}[...]"),
                    };
                    let target = condition.unwrap_or_else(|| parent.to_owned());
                    if self.known_type(&target, &label) {
                        self.selections(&target, &fragment.selection_set, &label, provided, level);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.fragment_name.to_string();
                    let label = format!("{path}[...{name}]");
                    let Some(fragment) = self.fragments.get(&name).cloned() else {
                        self.violation(&label, format!("fragment `{name}` is not defined"));
                        continue;
                    };
                    if self.spreading.contains(&name) {
                        continue;
                    }
                    let target = fragment.type_condition.to_string();
                    if self.known_type(&target, &label) {
                        self.spreading.push(name);
                        self.selections(&target, &fragment.selection_set, &label, provided, level);
                        self.spreading.pop();
                    }
                }
            }
        }
    }

    fn known_type(&mut self, name: &str, path: &str) -> bool {
        if self.schema.types.contains_key(name) || name == "_Entity" {
            return true;
        }
        self.violation(
            path,
            format!("fragment on `{name}`, a type this subgraph does not define"),
        );
        false
    }

    fn field(
        &mut self,
        parent: &str,
        field: &ast::Field,
        path: &str,
        provided: &Coverage,
        level: Level,
    ) {
        let name = field.name.as_str();
        let root = level == Level::Root;
        let shown = match &field.alias {
            Some(alias) => format!("{alias}:{name}"),
            None => name.to_owned(),
        };
        let here = if path.is_empty() {
            shown
        } else {
            format!("{path}.{shown}")
        };
        if name == TYPENAME {
            return;
        }
        if root && (name == "__schema" || name == "__type" || name == "_service") {
            return;
        }
        if root && name == "_entities" {
            self.representations = self.check_representations(field, &here);
            self.selections("_Entity", &field.selection_set, &here, &[], Level::Entities);
            self.representations.clear();
            return;
        }
        let definition = match self.schema.types.get(parent) {
            Some(ExtendedType::Object(object)) => object.fields.get(name),
            Some(ExtendedType::Interface(interface)) => interface.fields.get(name),
            _ => None,
        };
        let Some(definition) = definition else {
            self.violation(
                &here,
                format!("`{parent}.{name}` is not in this subgraph's schema"),
            );
            return;
        };
        // What covers this field: the parent's keys in this subgraph and any
        // `@provides` reaching here, each narrowed to this field's sub-selection.
        let keys = self.keys(parent);
        let covered_by_key = narrow(self.schema, &keys, parent, name);
        let covered_by_provides = narrow(self.schema, provided, parent, name);
        if self.is_external(parent, name)
            && covered_by_key.is_none()
            && covered_by_provides.is_none()
        {
            self.violation(
                &here,
                format!(
                    "`{parent}.{name}` is @external in this subgraph, and neither part of a @key of `{parent}` here nor under a @provides that covers it"
                ),
            );
        }
        for requires in directives(&definition.directives, "requires") {
            if let Some(fields) = requires
                .specified_argument_by_name("fields")
                .and_then(|v| v.as_str())
            {
                self.requires(parent, name, fields, &here, provided, level);
            }
        }
        if field.selection_set.is_empty() {
            return;
        }
        let mut below: Vec<Vec<Selection>> = Vec::new();
        if let Some(sets) = covered_by_provides {
            below.extend(sets);
        }
        // An external key field's own sub-fields are covered by the key too.
        if let Some(sets) = covered_by_key {
            below.extend(sets);
        }
        for provides in directives(&definition.directives, "provides") {
            if let Some(fields) = provides
                .specified_argument_by_name("fields")
                .and_then(|v| v.as_str())
            {
                below.push(parse_field_set(fields));
            }
        }
        let child = definition.ty.inner_named_type().to_string();
        self.selections(&child, &field.selection_set, &here, &below, Level::Nested);
    }

    /// A `@requires` field is resolvable where the subgraph gets its required
    /// fields: in an `_entities` fetch whose representations of the type carry
    /// them, or where each required external field is provided (or a key).
    fn requires(
        &mut self,
        parent: &str,
        field: &str,
        fields: &str,
        path: &str,
        provided: &Coverage,
        level: Level,
    ) {
        let required = parse_field_set(fields);
        let keys = self.keys(parent);
        let available_here = required.iter().all(|selection| match selection {
            Selection::Field(f) => {
                !self.is_external(parent, &f.name)
                    || narrow(self.schema, provided, parent, &f.name).is_some()
                    || narrow(self.schema, &keys, parent, &f.name).is_some()
            }
            _ => true,
        });
        if available_here {
            return;
        }
        if level != Level::Entities {
            self.violation(
                path,
                format!(
                    "`{parent}.{field}` has @requires(fields: \"{fields}\") and is selected outside an `_entities` fetch, where the subgraph cannot get the required fields"
                ),
            );
            return;
        }
        let lacking: Vec<usize> = self
            .representations
            .iter()
            .enumerate()
            .filter(|(_, representation)| {
                representation
                    .get(TYPENAME)
                    .and_then(Json::as_str)
                    .is_some_and(|typename| {
                        typename == parent
                            || self.schema.is_subtype(parent, typename)
                            || self.schema.is_subtype(typename, parent)
                    })
                    && !carries(self.schema, representation, &required)
            })
            .map(|(index, _)| index)
            .collect();
        if !lacking.is_empty() {
            self.violation(
                path,
                format!(
                    "`{parent}.{field}` has @requires(fields: \"{fields}\") but representation(s) {lacking:?} do not carry the required fields"
                ),
            );
        }
    }

    /// Whether the subgraph declares `parent.field` external: on the field, or
    /// with `@external` on the type block (definition or extension) declaring it.
    fn is_external(&self, parent: &str, field: &str) -> bool {
        let (fields, type_directives) = match self.schema.types.get(parent) {
            Some(ExtendedType::Object(object)) => (&object.fields, &object.directives),
            Some(ExtendedType::Interface(interface)) => (&interface.fields, &interface.directives),
            _ => return false,
        };
        let Some(definition) = fields.get(field) else {
            return false;
        };
        if directives(&definition.directives, "external")
            .next()
            .is_some()
        {
            return true;
        }
        let origin: &ComponentOrigin = &definition.origin;
        type_directives
            .iter()
            .any(|d| is_named(&d.name, "external") && &d.origin == origin)
    }

    /// The `@key` field sets of a type in this subgraph.
    fn keys(&self, type_name: &str) -> Vec<Vec<Selection>> {
        self.key_directives(type_name)
            .into_iter()
            .map(|(fields, _)| parse_field_set(&fields))
            .collect()
    }

    /// `(fields, resolvable)` of each `@key` on a type.
    fn key_directives(&self, type_name: &str) -> Vec<(String, bool)> {
        let Some(ty) = self.schema.types.get(type_name) else {
            return Vec::new();
        };
        ty.directives()
            .iter()
            .filter(|d| is_named(&d.name, "key"))
            .filter_map(|key| {
                let fields = key.specified_argument_by_name("fields")?.as_str()?;
                let resolvable = key
                    .specified_argument_by_name("resolvable")
                    .and_then(|v| v.to_bool())
                    .unwrap_or(true);
                Some((fields.to_owned(), resolvable))
            })
            .collect()
    }

    /// Each representation must name a type this subgraph resolves by a key and
    /// carry one of those keys' fields.
    fn check_representations(&mut self, field: &ast::Field, path: &str) -> Vec<Json> {
        let Some(argument) = field.arguments.iter().find(|a| a.name == "representations") else {
            return Vec::new();
        };
        let Some(Json::Array(representations)) =
            crate::args::value_to_json(&argument.value, self.variables)
        else {
            return Vec::new();
        };
        for (index, representation) in representations.iter().enumerate() {
            let Some(typename) = representation.get(TYPENAME).and_then(Json::as_str) else {
                self.violation(path, format!("representation {index} has no `__typename`"));
                continue;
            };
            let mut candidates = vec![typename.to_owned()];
            if let Some(ExtendedType::Object(object)) = self.schema.types.get(typename) {
                candidates.extend(object.implements_interfaces.iter().map(|i| i.to_string()));
            }
            let keys: Vec<String> = candidates
                .iter()
                .flat_map(|ty| self.key_directives(ty))
                .filter(|(_, resolvable)| *resolvable)
                .map(|(fields, _)| fields)
                .collect();
            if keys.is_empty() {
                self.violation(
                    path,
                    format!(
                        "representation {index} is a `{typename}`, which this subgraph has no resolvable @key for"
                    ),
                );
                continue;
            }
            if !keys
                .iter()
                .any(|fields| carries(self.schema, representation, &parse_field_set(fields)))
            {
                self.violation(
                    path,
                    format!(
                        "representation {index} ({representation}) carries none of `{typename}`'s keys here ({})",
                        keys.join(" | ")
                    ),
                );
            }
        }
        representations
    }
}

/// Whether a representation holds every field of a field set. An inline
/// fragment applies to an object whose `__typename` matches its type condition
/// (or that has no `__typename`, which a subgraph could not tell apart).
fn carries(schema: &Schema, value: &Json, selections: &[Selection]) -> bool {
    selections.iter().all(|selection| match selection {
        Selection::Field(field) => match value.get(field.name.as_str()) {
            None => false,
            Some(Json::Array(items)) if !field.selection_set.is_empty() => items
                .iter()
                .all(|item| item.is_null() || carries(schema, item, &field.selection_set)),
            Some(inner @ Json::Object(_)) if !field.selection_set.is_empty() => {
                carries(schema, inner, &field.selection_set)
            }
            Some(_) => true,
        },
        Selection::InlineFragment(fragment) => {
            let applies = match (
                &fragment.type_condition,
                value.get(TYPENAME).and_then(Json::as_str),
            ) {
                (Some(condition), Some(typename)) => {
                    condition == typename || schema.is_subtype(condition, typename)
                }
                _ => true,
            };
            !applies || carries(schema, value, &fragment.selection_set)
        }
        Selection::FragmentSpread(_) => true,
    })
}

/// The parts of field sets (`coverage`) that select `parent.field`: `None` when
/// none does, else the sub-selections below it (empty for a leaf). Inline
/// fragments of a field set apply when their type condition is `parent`, one of
/// its supertypes or subtypes.
fn narrow(
    schema: &Schema,
    coverage: &Coverage,
    parent: &str,
    field: &str,
) -> Option<Vec<Vec<Selection>>> {
    fn visit(
        schema: &Schema,
        selections: &[Selection],
        parent: &str,
        field: &str,
        found: &mut Option<Vec<Vec<Selection>>>,
    ) {
        for selection in selections {
            match selection {
                Selection::Field(f) if f.name == field => {
                    found
                        .get_or_insert_with(Vec::new)
                        .push(f.selection_set.clone());
                }
                Selection::Field(_) | Selection::FragmentSpread(_) => {}
                Selection::InlineFragment(fragment) => {
                    let applies = fragment.type_condition.as_ref().is_none_or(|condition| {
                        condition == parent
                            || schema.is_subtype(condition, parent)
                            || schema.is_subtype(parent, condition)
                    });
                    if applies {
                        visit(schema, &fragment.selection_set, parent, field, found);
                    }
                }
            }
        }
    }
    let mut found = None;
    for selections in coverage {
        visit(schema, selections, parent, field, &mut found);
    }
    found
}

/// Federation directive names as a subgraph may spell them.
fn is_named(name: &str, directive: &str) -> bool {
    name == directive || name.strip_prefix("federation__") == Some(directive)
}

fn directives<'d>(
    list: &'d ast::DirectiveList,
    directive: &'static str,
) -> impl Iterator<Item = &'d apollo_compiler::Node<ast::Directive>> {
    list.iter().filter(move |d| is_named(&d.name, directive))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FED2_REVIEWS: &str = r#"
        extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external", "@provides", "@requires"])
        type Query { reviews: [Review!]! }
        type Review { id: ID! body: String! author: User! @provides(fields: "name address { city }") editor: User }
        type User @key(fields: "id") {
          id: ID!
          name: String! @external
          address: Address! @external
          karma: Int @requires(fields: "name")
        }
        type Address { city: String! }
        union Result = Review | User
    "#;

    const FED1_INVENTORY: &str = r#"
        extend type Product @key(fields: "upc") {
          upc: String! @external
          weight: Int @external
          inStock: Boolean
          shippingEstimate: Int @requires(fields: "weight")
        }
    "#;

    fn check(sdl: &str, query: &str, variables: Json) -> Vec<String> {
        let Json::Object(variables) = variables else {
            panic!("variables are an object")
        };
        PlanChecker::new(sdl)
            .check(query, None, &variables)
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn provided_and_key_fields_pass() {
        let ok = check(
            FED2_REVIEWS,
            "{ reviews { body author { __typename id name address { city } } editor { id } } }",
            json!({}),
        );
        assert_eq!(ok, Vec::<String>::new());
    }

    #[test]
    fn external_field_outside_provides_is_flagged() {
        let found = check(
            FED2_REVIEWS,
            "{ reviews { editor { id name } author { address { country } } } }",
            json!({}),
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].contains("`reviews.editor.name`"), "{found:#?}");
        assert!(found[0].contains("`User.name` is @external"), "{found:#?}");
        // `country` is not provided, and `Address` in this subgraph lacks it.
        assert!(
            found[1].contains("reviews.author.address.country"),
            "{found:#?}"
        );
    }

    #[test]
    fn provides_do_not_leak_to_sibling_fields() {
        let found = check(
            FED2_REVIEWS,
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { name karma } } }",
            json!({ "r": [{ "__typename": "User", "id": "1", "name": "Ada" }] }),
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].contains("`_entities[... on User].name`"),
            "{found:#?}"
        );
    }

    #[test]
    fn federation_1_extension_keys_pass_and_other_externals_fail() {
        let vars = json!({ "r": [{ "__typename": "Product", "upc": "1", "weight": 3 }] });
        let ok = check(
            FED1_INVENTORY,
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { upc inStock shippingEstimate } } }",
            vars.clone(),
        );
        assert_eq!(ok, Vec::<String>::new());
        let found = check(
            FED1_INVENTORY,
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { weight } } }",
            vars,
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].contains("`Product.weight` is @external"),
            "{found:#?}"
        );
    }

    #[test]
    fn unknown_types_fields_and_representations_are_flagged() {
        let found = check(
            FED2_REVIEWS,
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Book { title } } reviews { rating ... on Movie { id } } }",
            json!({ "r": [{ "__typename": "Book", "id": "1" }, { "__typename": "User" }] }),
        );
        let joined = found.join("\n");
        assert!(joined.contains("representation 0 is a `Book`"), "{joined}");
        assert!(joined.contains("representation 1"), "{joined}");
        assert!(
            joined.contains("fragment on `Book`, a type this subgraph does not define"),
            "{joined}"
        );
        assert!(joined.contains("`Review.rating` is not in"), "{joined}");
        assert!(joined.contains("`reviews[... on Movie]`"), "{joined}");
    }

    #[test]
    fn provides_with_type_conditions_cover_abstract_results() {
        let sdl = r#"
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external", "@provides"])
            type Query { search: [Result!]! @provides(fields: "... on Movie { title }") plain: [Result!]! }
            union Result = Movie | Book
            type Movie @key(fields: "id") { id: ID! title: String! @external }
            type Book @key(fields: "id") { id: ID! title: String! @external }
        "#;
        assert_eq!(
            check(sdl, "{ search { ... on Movie { id title } } }", json!({})),
            Vec::<String>::new()
        );
        let found = check(
            sdl,
            "{ search { ... on Book { title } } plain { ... on Movie { title } } }",
            json!({}),
        );
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found[0].contains("search[... on Book].title"), "{found:#?}");
        assert!(found[1].contains("plain[... on Movie].title"), "{found:#?}");
    }

    #[test]
    fn type_level_external_covers_its_block_only() {
        let sdl = r#"
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external"])
            type Query { me: User }
            type User @key(fields: "id") { id: ID! local: String }
            extend type User @external { remote: String }
        "#;
        assert_eq!(
            check(sdl, "{ me { id local } }", json!({})),
            Vec::<String>::new()
        );
        let found = check(sdl, "{ me { remote } }", json!({}));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].contains("`User.remote` is @external"),
            "{found:#?}"
        );
    }

    #[test]
    fn requires_fields_need_their_required_fields() {
        let sdl = r#"
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external", "@requires"])
            type Query { widget: Widget }
            type Widget @key(fields: "id") { id: ID! doubled: Int! @external final: String! @requires(fields: "doubled") }
        "#;
        let query =
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Widget { final } } }";
        let with = json!({ "r": [{ "__typename": "Widget", "id": "w1", "doubled": 42 }] });
        assert_eq!(check(sdl, query, with), Vec::<String>::new());
        let without = json!({ "r": [{ "__typename": "Widget", "id": "w1" }] });
        let found = check(sdl, query, without);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains("representation(s) [0]"), "{found:#?}");
        let found = check(sdl, "{ widget { id final } }", json!({}));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(
            found[0].contains("`widget.final`")
                && found[0].contains("outside an `_entities` fetch"),
            "{found:#?}"
        );
    }

    #[test]
    fn required_fields_under_type_conditions_follow_the_typename() {
        let sdl = r#"
            extend schema @link(url: "https://specs.apollo.dev/federation/v2.7", import: ["@key", "@external", "@requires"])
            type Loan @key(fields: "id") { id: ID! item: Media! @external fee: Int! @requires(fields: "item { ... on Book { pages } ... on Film { minutes } }") }
            interface Media { title: String! }
            type Book implements Media { title: String! @external pages: Int! @external }
            type Film implements Media { title: String! @external minutes: Int! @external }
        "#;
        let query =
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Loan { fee } } }";
        let book = json!({ "__typename": "Loan", "id": "l1", "item": { "__typename": "Book", "pages": 412 } });
        let film = json!({ "__typename": "Loan", "id": "l2", "item": { "__typename": "Film" } });
        assert_eq!(
            check(sdl, query, json!({ "r": [book.clone()] })),
            Vec::<String>::new()
        );
        let found = check(sdl, query, json!({ "r": [book, film] }));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert!(found[0].contains("representation(s) [1]"), "{found:#?}");
    }
}
