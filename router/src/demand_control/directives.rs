//! `@cost` and `@listSize` read once from the supergraph schema, under the names
//! the supergraph's `@link` to the cost spec gives them (imported as `@cost` and
//! `@listSize` by our composer; renamed imports and the unimported `@cost` /
//! `@cost__listSize` forms are followed too).

use std::collections::HashMap;

use apollo_compiler::Schema;
use apollo_compiler::ast::{Directive, DirectiveList, Value};
use apollo_compiler::schema::ExtendedType;
use switchyard_planner::supergraph::Links;

/// `@listSize` of one field definition.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct ListSize {
    pub assumed_size: Option<f64>,
    /// `None` when the directive names no slicing arguments.
    pub slicing_arguments: Option<Vec<String>>,
    pub sized_fields: Vec<String>,
    pub require_one_slicing_argument: bool,
}

/// The cost directives of a schema, by type and field name.
#[derive(Debug, Default)]
pub(crate) struct CostDirectives {
    /// `@cost` on object, scalar and enum types.
    types: HashMap<String, f64>,
    /// `@cost` on output fields, by parent type then field.
    fields: HashMap<String, HashMap<String, f64>>,
    /// `@listSize` on output fields, by parent type then field.
    list_sizes: HashMap<String, HashMap<String, ListSize>>,
    /// `@cost` on arguments, by parent type, field, then argument.
    arguments: HashMap<String, HashMap<String, HashMap<String, f64>>>,
    /// `@cost` on input object fields, by input type then field.
    input_fields: HashMap<String, HashMap<String, f64>>,
}

impl CostDirectives {
    /// Reads every `@cost` and `@listSize` of `schema`.
    pub fn read(schema: &Schema) -> CostDirectives {
        let (cost_name, list_size_name) = directive_names(schema);
        let weight = |directive: Option<&Directive>| -> Option<f64> {
            int(directive?.specified_argument_by_name("weight")?)
        };
        let cost = |directives: &DirectiveList| weight(directives.get(&cost_name).map(|d| &**d));
        let mut read = CostDirectives::default();
        for (type_name, ty) in &schema.types {
            let type_name = type_name.to_string();
            if let Some(weight) = weight(ty.directives().get(&cost_name).map(|d| &***d)) {
                read.types.insert(type_name.clone(), weight);
            }
            let fields = match ty {
                ExtendedType::Object(object) => &object.fields,
                ExtendedType::Interface(interface) => &interface.fields,
                ExtendedType::InputObject(input) => {
                    for (field_name, field) in &input.fields {
                        if let Some(weight) = cost(&field.directives) {
                            read.input_fields
                                .entry(type_name.clone())
                                .or_default()
                                .insert(field_name.to_string(), weight);
                        }
                    }
                    continue;
                }
                _ => continue,
            };
            for (field_name, field) in fields {
                let field_name = field_name.to_string();
                if let Some(weight) = cost(&field.directives) {
                    read.fields
                        .entry(type_name.clone())
                        .or_default()
                        .insert(field_name.clone(), weight);
                }
                if let Some(directive) = field.directives.get(&list_size_name) {
                    let strings = |name: &str| {
                        directive
                            .specified_argument_by_name(name)
                            .and_then(|v| v.as_list())
                            .map(|items| {
                                items
                                    .iter()
                                    .filter_map(|item| item.as_str().map(str::to_owned))
                                    .collect::<Vec<_>>()
                            })
                    };
                    let list_size = ListSize {
                        assumed_size: directive
                            .specified_argument_by_name("assumedSize")
                            .and_then(|v| int(v)),
                        slicing_arguments: strings("slicingArguments"),
                        sized_fields: strings("sizedFields").unwrap_or_default(),
                        require_one_slicing_argument: directive
                            .specified_argument_by_name("requireOneSlicingArgument")
                            .and_then(|v| v.to_bool())
                            .unwrap_or(true),
                    };
                    read.list_sizes
                        .entry(type_name.clone())
                        .or_default()
                        .insert(field_name.clone(), list_size);
                }
                for argument in &field.arguments {
                    if let Some(weight) = cost(&argument.directives) {
                        read.arguments
                            .entry(type_name.clone())
                            .or_default()
                            .entry(field_name.clone())
                            .or_default()
                            .insert(argument.name.to_string(), weight);
                    }
                }
            }
        }
        read
    }

    /// `@cost` of a type.
    pub fn type_weight(&self, ty: &str) -> Option<f64> {
        self.types.get(ty).copied()
    }

    /// `@cost` of a field, else of the type it returns.
    pub fn field_weight(&self, parent: &str, field: &str, returns: &str) -> Option<f64> {
        self.fields
            .get(parent)
            .and_then(|fields| fields.get(field))
            .copied()
            .or_else(|| self.type_weight(returns))
    }

    pub fn list_size(&self, parent: &str, field: &str) -> Option<&ListSize> {
        self.list_sizes.get(parent)?.get(field)
    }

    /// `@cost` of an argument, else of its (scalar or enum) type.
    pub fn argument_weight(
        &self,
        parent: &str,
        field: &str,
        argument: &str,
        ty: &str,
    ) -> Option<f64> {
        self.arguments
            .get(parent)
            .and_then(|fields| fields.get(field))
            .and_then(|arguments| arguments.get(argument))
            .copied()
            .or_else(|| self.type_weight(ty))
    }

    /// `@cost` of an input object field, else of its (scalar or enum) type.
    pub fn input_field_weight(&self, input: &str, field: &str, ty: &str) -> Option<f64> {
        self.input_fields
            .get(input)
            .and_then(|fields| fields.get(field))
            .copied()
            .or_else(|| self.type_weight(ty))
    }

    /// Whether the schema carries any cost directive at all.
    pub fn is_empty(&self) -> bool {
        self.types.is_empty()
            && self.fields.is_empty()
            && self.list_sizes.is_empty()
            && self.arguments.is_empty()
            && self.input_fields.is_empty()
    }
}

/// The local names of `@cost` and `@listSize`: as the `@link` to
/// `https://specs.apollo.dev/cost/vX.Y` names them, else the bare names (a
/// supergraph without that link, e.g. with `@composeDirective`-carried ones).
fn directive_names(schema: &Schema) -> (String, String) {
    if let Ok(links) = Links::read(schema)
        && let Some(link) = links.find("cost")
    {
        return (link.directive_name("cost"), link.directive_name("listSize"));
    }
    ("cost".to_owned(), "listSize".to_owned())
}

/// An `Int` argument as a number (`None` for anything else).
fn int(value: &Value) -> Option<f64> {
    match value {
        Value::Int(int) => int.try_to_i32().ok().map(f64::from),
        _ => None,
    }
}
