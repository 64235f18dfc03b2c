//! Executes any GraphQL operation against a subgraph's JSON data, the way a
//! spec-compliant subgraph would: fields are collected per the spec's
//! CollectFields (aliases, fragments with type conditions, `@skip`/`@include`),
//! `__typename` is answered, `_entities` and `_service` are served, a nested
//! entity reference gets its missing fields from the subgraph's `entities`, and a
//! null in a non-null position is an error that nulls the nearest nullable parent.

use std::collections::HashMap;

use apollo_compiler::Node;
use apollo_compiler::ast::{self, Selection};
use indexmap::IndexMap;
use serde_json::{Map, Value as Json, json};

use crate::args::{arguments_to_json, canonical_key, value_to_json};
use crate::data::SubgraphData;
use crate::schema_info::SchemaInfo;

mod entities;

/// A GraphQL request as received over HTTP.
#[derive(Debug, Clone, Default)]
pub struct GraphQLRequest {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Map<String, Json>,
}

/// Marker: a null reached a non-null position and must propagate to the parent.
struct Propagate;

type PathSegment = Json;

/// Executes a request and returns the response body (`data`, `errors`).
pub fn execute(schema: &SchemaInfo, data: &SubgraphData, request: &GraphQLRequest) -> Json {
    if let Ok(valid) = schema.validation_schema()
        && let Err(messages) = crate::subgraph_validation::validate(valid, &request.query)
    {
        let errors: Vec<Json> = messages
            .into_iter()
            .map(|message| json!({ "message": message, "extensions": { "code": "GRAPHQL_VALIDATION_FAILED" } }))
            .collect();
        return json!({ "errors": errors });
    }
    let document = match ast::Document::parse(request.query.as_str(), "operation.graphql") {
        Ok(document) => document,
        Err(with_errors) => {
            let messages: Vec<Json> = with_errors
                .errors
                .iter()
                .map(|error| json!({ "message": error.error.to_string() }))
                .collect();
            return json!({ "errors": messages });
        }
    };
    let mut fragments = HashMap::new();
    let mut operations = Vec::new();
    for definition in &document.definitions {
        match definition {
            ast::Definition::FragmentDefinition(fragment) => {
                fragments.insert(fragment.name.to_string(), fragment.clone());
            }
            ast::Definition::OperationDefinition(operation) => operations.push(operation.clone()),
            _ => {}
        }
    }
    let operation = match &request.operation_name {
        Some(name) => operations
            .iter()
            .find(|op| op.name.as_ref().is_some_and(|n| n.as_str() == name)),
        None if operations.len() == 1 => operations.first(),
        None => None,
    };
    let Some(operation) = operation else {
        return json!({ "errors": [{ "message": "no operation matches the request" }] });
    };

    let mut variables = request.variables.clone();
    for definition in &operation.variables {
        if !variables.contains_key(definition.name.as_str())
            && let Some(default) = &definition.default_value
            && let Some(value) = value_to_json(default, &Map::new())
        {
            variables.insert(definition.name.to_string(), value);
        }
    }

    let mut executor = Executor {
        schema,
        data,
        fragments: &fragments,
        variables,
        errors: Vec::new(),
    };
    let root_type = schema.root_type(operation.operation_type);
    let empty = Json::Object(Map::new());
    let root_value = data.roots.get(&root_type).unwrap_or(&empty);
    let Json::Object(root) = root_value else {
        return json!({ "errors": [{ "message": format!("data for {root_type} is not an object") }] });
    };
    let selections: Vec<&Selection> = operation.selection_set.iter().collect();
    let result = executor.resolve_object(&root_type, root, &selections, &[], true);
    let data_json = match result {
        Ok(object) => Json::Object(object),
        Err(Propagate) => Json::Null,
    };
    let mut response = Map::new();
    response.insert("data".into(), data_json);
    if !executor.errors.is_empty() {
        response.insert("errors".into(), Json::Array(executor.errors));
    }
    Json::Object(response)
}

struct Executor<'a> {
    schema: &'a SchemaInfo,
    data: &'a SubgraphData,
    fragments: &'a HashMap<String, Node<ast::FragmentDefinition>>,
    variables: Map<String, Json>,
    errors: Vec<Json>,
}

impl<'a> Executor<'a> {
    /// The spec's CollectFields: response keys in order, each with its fields.
    fn collect_fields<'s>(
        &self,
        type_name: &str,
        selections: &[&'s Selection],
        out: &mut IndexMap<String, Vec<&'s Node<ast::Field>>>,
        visited: &mut Vec<String>,
    ) where
        'a: 's,
    {
        for selection in selections {
            match selection {
                Selection::Field(field) => {
                    if self.skipped(&field.directives) {
                        continue;
                    }
                    let key = field.alias.as_ref().unwrap_or(&field.name).to_string();
                    out.entry(key).or_default().push(field);
                }
                Selection::InlineFragment(fragment) => {
                    if self.skipped(&fragment.directives) {
                        continue;
                    }
                    if let Some(condition) = &fragment.type_condition
                        && !self.schema.type_matches(condition, type_name)
                    {
                        continue;
                    }
                    let inner: Vec<&Selection> = fragment.selection_set.iter().collect();
                    self.collect_fields(type_name, &inner, out, visited);
                }
                Selection::FragmentSpread(spread) => {
                    let name = spread.fragment_name.to_string();
                    if self.skipped(&spread.directives) || visited.contains(&name) {
                        continue;
                    }
                    let fragments: &'a HashMap<String, Node<ast::FragmentDefinition>> =
                        self.fragments;
                    let Some(fragment) = fragments.get(&name) else {
                        continue;
                    };
                    if !self
                        .schema
                        .type_matches(&fragment.type_condition, type_name)
                    {
                        continue;
                    }
                    visited.push(name);
                    let inner: Vec<&Selection> = fragment.selection_set.iter().collect();
                    self.collect_fields(type_name, &inner, out, visited);
                }
            }
        }
    }

    fn skipped(&self, directives: &ast::DirectiveList) -> bool {
        let condition = |name: &str| {
            directives
                .get(name)
                .and_then(|directive| directive.specified_argument_by_name("if"))
                .and_then(|value| value_to_json(value, &self.variables))
        };
        matches!(condition("skip"), Some(Json::Bool(true)))
            || matches!(condition("include"), Some(Json::Bool(false)))
    }

    fn resolve_object(
        &mut self,
        type_name: &str,
        source: &Map<String, Json>,
        selections: &[&Selection],
        path: &[PathSegment],
        is_root: bool,
    ) -> Result<Map<String, Json>, Propagate> {
        let mut grouped = IndexMap::new();
        self.collect_fields(type_name, selections, &mut grouped, &mut Vec::new());
        let mut result = Map::new();
        let mut propagate = false;
        for (key, fields) in grouped {
            let field = fields[0];
            let mut field_path = path.to_vec();
            field_path.push(Json::String(key.clone()));
            let sub_selections: Vec<&Selection> = fields
                .iter()
                .flat_map(|field| field.selection_set.iter())
                .collect();
            let value = match field.name.as_str() {
                "__typename" => Ok(Json::String(type_name.to_owned())),
                "_service" if is_root => {
                    let mut service = Map::new();
                    service.insert("sdl".into(), Json::String(self.schema.sdl().to_owned()));
                    self.resolve_object("_Service", &service, &sub_selections, &field_path, false)
                        .map(Json::Object)
                        .or(Ok(Json::Null))
                }
                "_entities" if is_root => {
                    Ok(self.resolve_entities(field, &sub_selections, &field_path))
                }
                name if !self.has_required_fields(type_name, name, source) => {
                    // A real subgraph computes a `@requires` field from the required
                    // fields the router sends in the representation; without them it
                    // cannot, so a router that skips the `@requires` step gets an error.
                    let message = format!(
                        "{type_name}.{name} needs its @requires fields {:?}, which the request did not provide",
                        self.schema.required_fields(type_name, name)
                    );
                    let ty = self.schema.field_type(type_name, name).map(|f| f.ty);
                    let error = json!({ "$error": message });
                    let context = format!("{type_name}.{name}");
                    self.complete_value(ty.as_ref(), &error, &[], &field_path, &context)
                }
                name => {
                    let arguments = self.schema.coerce_arguments(
                        type_name,
                        name,
                        arguments_to_json(&field.arguments, &self.variables),
                    );
                    let key = canonical_key(name, &arguments);
                    let lookup = |object: &Map<String, Json>| {
                        object.get(&key).or_else(|| object.get(name)).cloned()
                    };
                    // A nested reference (`{"upc": "1"}`) resolves like the
                    // subgraph's entity resolver would: fields it lacks come from
                    // the entity with the same key in `entities`.
                    let raw = lookup(source)
                        .or_else(|| {
                            self.find_entity(type_name, source)
                                .and_then(|entity| lookup(&entity))
                        })
                        .unwrap_or(Json::Null);
                    let raw = &raw;
                    let ty = self.schema.field_type(type_name, name).map(|f| f.ty);
                    let context = format!("{type_name}.{name}");
                    self.complete_value(ty.as_ref(), raw, &sub_selections, &field_path, &context)
                }
            };
            match value {
                Ok(value) => {
                    result.insert(key, value);
                }
                Err(Propagate) => propagate = true,
            }
        }
        if propagate {
            return Err(Propagate);
        }
        Ok(result)
    }

    fn complete_value(
        &mut self,
        ty: Option<&ast::Type>,
        raw: &Json,
        selections: &[&Selection],
        path: &[PathSegment],
        context: &str,
    ) -> Result<Json, Propagate> {
        let non_null = ty.is_some_and(|ty| ty.is_non_null());
        let null = |executor: &mut Self, message: Option<String>| {
            if let Some(message) = message {
                executor.error(message, path);
            }
            if non_null {
                Err(Propagate)
            } else {
                Ok(Json::Null)
            }
        };
        match raw {
            Json::Null => {
                let message = non_null
                    .then(|| format!("Cannot return null for non-nullable field {context}"));
                null(self, message)
            }
            Json::Object(object) if object.contains_key("$error") => {
                let message = match &object["$error"] {
                    Json::String(text) => text.clone(),
                    other => other.to_string(),
                };
                null(self, Some(message))
            }
            Json::Array(items) => {
                let item_type = ty
                    .filter(|ty| ty.is_list())
                    .map(|ty| ty.item_type().clone());
                let mut completed = Vec::with_capacity(items.len());
                for (index, item) in items.iter().enumerate() {
                    let mut item_path = path.to_vec();
                    item_path.push(json!(index));
                    match self.complete_value(
                        item_type.as_ref(),
                        item,
                        selections,
                        &item_path,
                        context,
                    ) {
                        Ok(value) => completed.push(value),
                        Err(Propagate) => return null(self, None),
                    }
                }
                Ok(Json::Array(completed))
            }
            Json::Object(object) if !selections.is_empty() => {
                let concrete = object
                    .get("__typename")
                    .and_then(Json::as_str)
                    .map(str::to_owned)
                    .or_else(|| ty.map(|ty| ty.inner_named_type().to_string()))
                    .unwrap_or_default();
                match self.resolve_object(&concrete, object, selections, path, false) {
                    Ok(object) => Ok(Json::Object(object)),
                    Err(Propagate) => null(self, None),
                }
            }
            leaf => Ok(leaf.clone()),
        }
    }

    fn has_required_fields(
        &self,
        type_name: &str,
        field: &str,
        source: &Map<String, Json>,
    ) -> bool {
        self.schema
            .required_fields(type_name, field)
            .iter()
            .all(|required| source.contains_key(required))
    }

    fn error(&mut self, message: String, path: &[PathSegment]) {
        self.errors
            .push(json!({ "message": message, "path": path }));
    }
}
