//! What the mock needs to know about a subgraph's schema: field types (to answer
//! `__typename` and to propagate nulls like a spec-compliant server), abstract type
//! membership (to apply fragments' type conditions) and entity keys (to find the
//! entity a representation names).
//!
//! Subgraph SDLs use federation directives they do not define, and Federation 1
//! SDLs extend types they never define; a real subgraph framework accepts both, so
//! the schema is built leniently: orphan extensions are adopted and validation
//! errors are ignored as long as a partial schema comes out.

use apollo_compiler::Schema;
use apollo_compiler::ast::{self, Selection};
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;

/// A subgraph schema read leniently, plus its entity keys.
#[derive(Debug)]
pub struct SchemaInfo {
    schema: Schema,
    sdl: String,
    /// The completed, validated schema operations are checked against; `Err`
    /// when the SDL could not be completed (then operations are not validated).
    validation: Result<Valid<Schema>, String>,
}

/// The declared type of a field in the subgraph.
#[derive(Debug, Clone)]
pub struct FieldType {
    pub ty: ast::Type,
}

impl SchemaInfo {
    /// Reads a subgraph SDL; never fails on federation-specific constructs.
    pub fn parse(sdl: &str) -> Self {
        let schema = match Schema::builder()
            .adopt_orphan_extensions()
            .parse(sdl, "subgraph.graphql")
            .build()
        {
            Ok(schema) => schema,
            Err(with_errors) => with_errors.partial,
        };
        let entity_types: Vec<String> = schema
            .types
            .iter()
            .filter(|(_, ty)| ty.is_object() && ty.directives().get("key").is_some())
            .map(|(name, _)| name.to_string())
            .collect();
        let validation = crate::subgraph_validation::build(sdl, &entity_types);
        Self {
            schema,
            sdl: sdl.to_owned(),
            validation,
        }
    }

    /// The schema operations are validated against, or why there is none.
    pub fn validation_schema(&self) -> Result<&Valid<Schema>, &str> {
        self.validation.as_ref().map_err(String::as_str)
    }

    /// The subgraph schema as read leniently (federation directives undefined,
    /// orphan extensions adopted).
    pub fn lenient_schema(&self) -> &Schema {
        &self.schema
    }

    /// The SDL as given, answered to `_service { sdl }`.
    pub fn sdl(&self) -> &str {
        &self.sdl
    }

    /// The name of the root type for an operation kind (`Query` unless the
    /// schema definition renames it).
    pub fn root_type(&self, kind: ast::OperationType) -> String {
        self.schema
            .root_operation(kind)
            .map(|name| name.to_string())
            .unwrap_or_else(|| kind.default_type_name().to_string())
    }

    /// The declared type of `parent.field`, if the schema has it.
    pub fn field_type(&self, parent: &str, field: &str) -> Option<FieldType> {
        self.schema
            .type_field(parent, field)
            .ok()
            .map(|def| FieldType { ty: def.ty.clone() })
    }

    /// Whether the named type is an object type (so it can be a `__typename`).
    pub fn is_object(&self, name: &str) -> bool {
        matches!(self.schema.types.get(name), Some(ExtendedType::Object(_)))
    }

    /// Whether an object of type `concrete` matches a fragment on `condition`.
    pub fn type_matches(&self, condition: &str, concrete: &str) -> bool {
        condition == concrete || self.schema.is_subtype(condition, concrete)
    }

    /// The `@key(fields:)` selections of a type, each parsed into a selection set.
    pub fn keys(&self, type_name: &str) -> Vec<Vec<Selection>> {
        let Some(ty) = self.schema.types.get(type_name) else {
            return Vec::new();
        };
        ty.directives()
            .get_all("key")
            .filter_map(|key| key.specified_argument_by_name("fields"))
            .filter_map(|fields| fields.as_str().map(parse_field_set))
            .collect()
    }
}

/// Parses a field set (`"id sku { code }"`) as the selection set of an anonymous query.
pub fn parse_field_set(fields: &str) -> Vec<Selection> {
    let source = format!("{{ {fields} }}");
    let document = match ast::Document::parse(source, "fieldset.graphql") {
        Ok(document) => document,
        Err(with_errors) => with_errors.partial,
    };
    document
        .definitions
        .iter()
        .find_map(|definition| match definition {
            ast::Definition::OperationDefinition(operation) => {
                Some(operation.selection_set.clone())
            }
            _ => None,
        })
        .unwrap_or_default()
}

impl SchemaInfo {
    /// Coerces a field's argument values the way a subgraph's input coercion
    /// does, so data keys do not depend on how the router spelled them: a single
    /// value given for a list becomes a one-element list, an integer given for an
    /// `ID` becomes its string and one given for a `Float` a float, and input object fields left out take their
    /// declared defaults.
    pub fn coerce_arguments(
        &self,
        parent: &str,
        field: &str,
        arguments: Vec<(String, serde_json::Value)>,
    ) -> Vec<(String, serde_json::Value)> {
        let Ok(definition) = self.schema.type_field(parent, field) else {
            return arguments;
        };
        arguments
            .into_iter()
            .map(|(name, value)| {
                let coerced = match definition.argument_by_name(&name) {
                    Some(argument) => self.coerce_input(&argument.ty, value),
                    None => value,
                };
                (name, coerced)
            })
            .collect()
    }

    fn coerce_input(&self, ty: &ast::Type, value: serde_json::Value) -> serde_json::Value {
        use serde_json::Value as Json;
        if value.is_null() {
            return value;
        }
        if ty.is_list() {
            let item = ty.item_type();
            return match value {
                Json::Array(items) => Json::Array(
                    items
                        .into_iter()
                        .map(|v| self.coerce_input(item, v))
                        .collect(),
                ),
                single => Json::Array(vec![self.coerce_input(item, single)]),
            };
        }
        if ty.inner_named_type() == "ID"
            && let Json::Number(number) = &value
        {
            // ID input coercion: an integer literal stands for its decimal string.
            return Json::String(number.to_string());
        }
        if ty.inner_named_type() == "Float"
            && let Json::Number(number) = &value
            && let Some(float) = number.as_f64()
            && let Some(coerced) = serde_json::Number::from_f64(float)
        {
            // Float input coercion: an integer stands for the same float.
            return Json::Number(coerced);
        }
        let (Some(input), Json::Object(mut fields)) = (
            self.schema.get_input_object(ty.inner_named_type()),
            value.clone(),
        ) else {
            return value;
        };
        for (name, definition) in &input.fields {
            match fields.remove(name.as_str()) {
                Some(given) => {
                    fields.insert(name.to_string(), self.coerce_input(&definition.ty, given));
                }
                None => {
                    if let Some(default) = &definition.default_value
                        && let Some(json) =
                            crate::args::value_to_json(default, &serde_json::Map::new())
                    {
                        fields.insert(name.to_string(), self.coerce_input(&definition.ty, json));
                    }
                }
            }
        }
        Json::Object(fields)
    }
}

impl SchemaInfo {
    /// The top-level field names of `parent.field`'s `@requires(fields:)`, if any.
    pub fn required_fields(&self, parent: &str, field: &str) -> Vec<String> {
        let Ok(definition) = self.schema.type_field(parent, field) else {
            return Vec::new();
        };
        definition
            .directives
            .get_all("requires")
            .filter_map(|requires| requires.specified_argument_by_name("fields"))
            .filter_map(|fields| fields.as_str().map(parse_field_set))
            .flatten()
            .filter_map(|selection| match selection {
                Selection::Field(field) => Some(field.name.to_string()),
                _ => None,
            })
            .collect()
    }
}
