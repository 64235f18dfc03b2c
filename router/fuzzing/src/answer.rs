//! Subgraph answers: a response body for a subgraph request, shaped after its
//! selection set and typed from the API schema where the schema knows the field,
//! then spoiled at random: nulls, missing and extra fields, wrong types, wrong
//! `__typename`s, `_entities` lists of the wrong length, errors at random paths,
//! and now and then garbage that is not a GraphQL response at all.

use std::collections::HashMap;

use apollo_compiler::Schema;
use apollo_compiler::ast::{self, Definition, Selection};
use apollo_compiler::schema::{ExtendedType, Type};
use serde_json::{Map, Value, json};

use crate::Entropy;
use crate::operation::possible_types;

/// Bodies that are not GraphQL responses, or barely.
const GARBAGE: &[&str] = &[
    "",
    "not json",
    "[]",
    "null",
    "{}",
    "{\"data\": 5}",
    "{\"errors\": 5}",
    "{\"errors\": []}",
    "{\"data\": {}, \"errors\": [1, \"x\", {\"message\": 2}, {\"message\": \"m\", \"path\": {}}]}",
    "{\"data\": null, \"errors\": [{\"message\": \"down\"}]}",
    "{\"data\": {\"_entities\": 3}}",
    "{\"data\": {\"_entities\": [null, 1, \"x\", []]}}",
    "{\"data\": [1]}",
    "{\"data\":",
];

/// A response body for `query` (a subgraph operation) with `variables` (the
/// request's, representations included), as the bytes a subgraph would send.
pub fn subgraph_body(
    schema: &Schema,
    query: &str,
    variables: &Value,
    entropy: &mut Entropy,
) -> Vec<u8> {
    match entropy.below(100) {
        0..=3 => return entropy.pick(GARBAGE).as_bytes().to_vec(),
        4 => return entropy.bytes(64).to_vec(),
        _ => {}
    }
    let document = match ast::Document::parse(query, "fetch.graphql") {
        Ok(document) => document,
        Err(_) => return b"{\"errors\":[{\"message\":\"unparsable\"}]}".to_vec(),
    };
    let mut fragments = HashMap::new();
    let mut operation = None;
    for definition in &document.definitions {
        match definition {
            Definition::FragmentDefinition(fragment) => {
                fragments.insert(fragment.name.to_string(), fragment.clone());
            }
            Definition::OperationDefinition(op) if operation.is_none() => operation = Some(op),
            _ => {}
        }
    }
    let Some(operation) = operation else {
        return b"{}".to_vec();
    };
    let root = schema
        .root_operation(operation.operation_type)
        .map(|name| name.to_string())
        .unwrap_or_else(|| "Query".to_owned());
    let mut answerer = Answerer {
        schema,
        entropy,
        fragments,
        variables,
        keys: Vec::new(),
    };
    let data = answerer.object(&root, &root, &operation.selection_set);
    let mut body = Map::new();
    match answerer.entropy.below(10) {
        0 => {
            body.insert("data".into(), Value::Null);
        }
        1 => {}
        _ => {
            body.insert("data".into(), data);
        }
    }
    if answerer.entropy.percent(25) || !body.contains_key("data") {
        let errors = (0..1 + answerer.entropy.below(3))
            .map(|i| answerer.error(i))
            .collect();
        body.insert("errors".into(), Value::Array(errors));
    }
    serde_json::to_vec(&Value::Object(body)).expect("JSON values serialise")
}

struct Answerer<'s, 'e, 'b, 'v> {
    schema: &'s Schema,
    entropy: &'e mut Entropy<'b>,
    fragments: HashMap<String, apollo_compiler::Node<ast::FragmentDefinition>>,
    variables: &'v Value,
    /// Response keys seen, for error paths.
    keys: Vec<String>,
}

impl Answerer<'_, '_, '_, '_> {
    /// An object of the concrete type `typename` (or of `parent` when unknown)
    /// answering `selections`.
    fn object(&mut self, parent: &str, typename: &str, selections: &[Selection]) -> Value {
        let mut object = Map::new();
        self.selections(parent, typename, selections, &mut object);
        if self.entropy.percent(5) {
            object.insert("unasked".into(), json!({"extra": [1, 2]}));
        }
        Value::Object(object)
    }

    fn selections(
        &mut self,
        parent: &str,
        typename: &str,
        selections: &[Selection],
        object: &mut Map<String, Value>,
    ) {
        for selection in selections {
            match selection {
                Selection::Field(field) => {
                    let key = field.response_name().to_string();
                    self.keys.push(key.clone());
                    if self.entropy.percent(4) {
                        continue; // missing
                    }
                    let value = if field.name == "__typename" {
                        if self.entropy.percent(5) {
                            json!("Bogus")
                        } else {
                            json!(typename)
                        }
                    } else if field.name == "_entities" {
                        self.entities(field)
                    } else {
                        let ty = self.field_type(parent, &field.name);
                        self.value(ty.as_ref(), &field.selection_set)
                    };
                    object.insert(key, value);
                }
                Selection::InlineFragment(fragment) => {
                    let condition = fragment
                        .type_condition
                        .as_ref()
                        .map(|c| c.to_string())
                        .unwrap_or_else(|| parent.to_owned());
                    if self.applies(&condition, typename) || self.entropy.percent(5) {
                        self.selections(&condition, typename, &fragment.selection_set, object);
                    }
                }
                Selection::FragmentSpread(spread) => {
                    let Some(fragment) = self.fragments.get(spread.fragment_name.as_str()).cloned()
                    else {
                        continue;
                    };
                    let condition = fragment.type_condition.to_string();
                    if self.applies(&condition, typename) || self.entropy.percent(5) {
                        self.selections(&condition, typename, &fragment.selection_set, object);
                    }
                }
            }
        }
    }

    /// Whether a fragment on `condition` applies to an object of type `typename`.
    fn applies(&self, condition: &str, typename: &str) -> bool {
        condition == typename
            || possible_types(self.schema, condition)
                .iter()
                .any(|t| t == typename)
    }

    fn field_type(&self, parent: &str, field: &str) -> Option<Type> {
        let fields = match self.schema.types.get(parent)? {
            ExtendedType::Object(object) => &object.fields,
            ExtendedType::Interface(interface) => &interface.fields,
            _ => return None,
        };
        fields.get(field).map(|f| f.ty.clone())
    }

    /// `_entities`: one entity per representation (the list's length sometimes
    /// wrong), each of the representation's `__typename`.
    fn entities(&mut self, field: &ast::Field) -> Value {
        let representations = field
            .arguments
            .iter()
            .find(|a| a.name == "representations")
            .and_then(|a| a.value.as_variable())
            .and_then(|name| self.variables.get(name.as_str()))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut entities: Vec<Value> = representations
            .iter()
            .map(|representation| {
                if self.entropy.percent(8) {
                    return Value::Null;
                }
                let typename = representation
                    .get("__typename")
                    .and_then(Value::as_str)
                    .unwrap_or("Unknown")
                    .to_owned();
                self.object(&typename, &typename, &field.selection_set)
            })
            .collect();
        match self.entropy.below(30) {
            0 => {
                entities.pop();
            }
            1 => entities.push(json!({"__typename": "Extra"})),
            2 => return json!({"not": "a list"}),
            _ => {}
        }
        Value::Array(entities)
    }

    /// A value of `ty` (`None`: a type the schema does not know) for a field
    /// selecting `selections`.
    fn value(&mut self, ty: Option<&Type>, selections: &[Selection]) -> Value {
        match self.entropy.below(100) {
            0..=7 => return Value::Null,
            8..=10 => return self.wrong_value(),
            _ => {}
        }
        let Some(ty) = ty else {
            return if selections.is_empty() {
                self.wrong_value()
            } else {
                let typename = "Unknown";
                self.object(typename, typename, selections)
            };
        };
        if ty.is_list() {
            let item = ty.item_type().clone();
            let length = self.entropy.below(4);
            return Value::Array(
                (0..length)
                    .map(|_| self.value(Some(&item), selections))
                    .collect(),
            );
        }
        let name = ty.inner_named_type().to_string();
        match self.schema.types.get(name.as_str()) {
            Some(ExtendedType::Object(_)) => self.object(&name, &name, selections),
            Some(ExtendedType::Interface(_) | ExtendedType::Union(_)) => {
                let concrete: Vec<String> = possible_types(self.schema, &name)
                    .into_iter()
                    .filter(|t| self.schema.get_object(t).is_some())
                    .collect();
                let typename = if concrete.is_empty() {
                    name.clone()
                } else {
                    self.entropy.pick(&concrete).clone()
                };
                self.object(&name, &typename, selections)
            }
            Some(ExtendedType::Enum(enumeration)) => {
                let values: Vec<String> =
                    enumeration.values.keys().map(|v| v.to_string()).collect();
                if values.is_empty() || self.entropy.percent(5) {
                    json!("NOT_A_VALUE")
                } else {
                    json!(self.entropy.pick(&values))
                }
            }
            _ => match name.as_str() {
                "Int" => json!(self.entropy.below(2000) as i64 - 1000),
                "Float" => json!(self.entropy.below(1000) as f64 / 7.0),
                "Boolean" => json!(self.entropy.percent(50)),
                "ID" | "String" => json!(format!("s{}", self.entropy.below(4))),
                _ => match self.entropy.below(3) {
                    0 => json!({"custom": [1]}),
                    1 => json!(12),
                    _ => json!("custom"),
                },
            },
        }
    }

    fn wrong_value(&mut self) -> Value {
        match self.entropy.below(7) {
            0 => json!(true),
            1 => json!(-7),
            2 => json!(1.5),
            3 => json!("wrong"),
            4 => json!([1, null, "x"]),
            5 => json!({"__typename": 3}),
            _ => json!(9_007_199_254_740_993_u64),
        }
    }

    /// An error with a path made of response keys seen and indices, or none.
    fn error(&mut self, index: usize) -> Value {
        let mut error = Map::new();
        error.insert("message".into(), json!(format!("subgraph error {index}")));
        if self.entropy.percent(70) {
            let mut path = Vec::new();
            for _ in 0..self.entropy.below(5) {
                if self.entropy.percent(30) || self.keys.is_empty() {
                    path.push(json!(self.entropy.below(4)));
                } else {
                    let key = self.entropy.pick(&self.keys).clone();
                    path.push(json!(key));
                }
            }
            if self.entropy.percent(50) && !path.is_empty() {
                path[0] = json!("_entities");
            }
            error.insert("path".into(), Value::Array(path));
        }
        if self.entropy.percent(30) {
            error.insert(
                "extensions".into(),
                json!({"code": "SUBGRAPH_BROKE", "stack": ["at x"]}),
            );
        }
        if self.entropy.percent(10) {
            error.insert("locations".into(), json!([{"line": 1, "column": 2}, "bad"]));
        }
        Value::Object(error)
    }
}
