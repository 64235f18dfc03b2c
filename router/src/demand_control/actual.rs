//! The actual cost of a response: the estimate's weights applied to the data
//! returned, each list counted at its real length.

use std::cell::RefCell;
use std::collections::HashMap;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Field, Operation, Selection, SelectionSet};
use apollo_compiler::schema::ExtendedType;
use serde_json::{Map, Value};

use super::{Scorer, add, operation_base};

/// The actual cost of `operation` given its response `data`.
pub(crate) fn operation(
    scorer: &Scorer<'_>,
    document: &ExecutableDocument,
    operation: &Operation,
    data: &Value,
) -> f64 {
    let measurer = Measurer {
        scorer,
        document,
        fragments: RefCell::default(),
    };
    let fields = match data {
        Value::Object(object) => measurer.selection_set(&operation.selection_set, object),
        _ => 0.0,
    };
    add(operation_base(operation.operation_type), fields)
}

struct Measurer<'a> {
    scorer: &'a Scorer<'a>,
    document: &'a ExecutableDocument,
    /// The cost of each fragment on each object so far (by the object's
    /// address): a fragment spread many times on one object is walked once.
    fragments: RefCell<HashMap<(&'a str, usize), f64>>,
}

impl Measurer<'_> {
    fn selection_set(&self, selection_set: &SelectionSet, object: &Map<String, Value>) -> f64 {
        let parent = selection_set.ty.as_str();
        let mut cost = 0.0;
        for selection in &selection_set.selections {
            let selection_cost = match selection {
                Selection::Field(field) => {
                    if self.scorer.is_skipped(&field.directives) || field.name.starts_with("__") {
                        continue;
                    }
                    match object.get(field.response_key().as_str()) {
                        Some(value) => self.field(parent, field, value, true),
                        None => continue,
                    }
                }
                Selection::FragmentSpread(spread) => {
                    if self.scorer.is_skipped(&spread.directives) {
                        continue;
                    }
                    self.fragment(&spread.fragment_name, parent, object)
                }
                Selection::InlineFragment(inline) => {
                    if self.scorer.is_skipped(&inline.directives) {
                        continue;
                    }
                    let applies = inline
                        .type_condition
                        .as_ref()
                        .is_none_or(|condition| self.applies(condition, parent, object));
                    if !applies {
                        continue;
                    }
                    self.selection_set(&inline.selection_set, object)
                }
            };
            cost = add(cost, selection_cost);
        }
        cost
    }

    fn fragment(&self, name: &str, parent: &str, object: &Map<String, Value>) -> f64 {
        let Some((name, fragment)) = self.document.fragments.get_key_value(name) else {
            return 0.0;
        };
        if !self.applies(fragment.type_condition(), parent, object) {
            return 0.0;
        }
        let key = (name.as_str(), std::ptr::from_ref(object) as usize);
        if let Some(cost) = self.fragments.borrow().get(&key) {
            return *cost;
        }
        let cost = self.selection_set(&fragment.selection_set, object);
        self.fragments.borrow_mut().insert(key, cost);
        cost
    }

    /// Whether a fragment on `condition` applies to `object`, selected as
    /// `parent`. Its type is its `__typename`, else `parent` when that is an
    /// object type; an object of unknown type gets every fragment (its fields
    /// count only where the data has them).
    fn applies(&self, condition: &str, parent: &str, object: &Map<String, Value>) -> bool {
        let schema = self.scorer.schema;
        let runtime = match object.get("__typename").and_then(Value::as_str) {
            Some(typename) => Some(typename),
            None => match schema.types.get(parent) {
                Some(ExtendedType::Object(_)) => Some(parent),
                _ => None,
            },
        };
        runtime.is_none_or(|runtime| runtime == condition || schema.is_subtype(condition, runtime))
    }

    /// The cost of one field's value: a scalar (or null) its weight, an object
    /// its weight and its children's, a list the sum of its items; arguments
    /// once per field.
    fn field(&self, parent: &str, field: &Field, value: &Value, with_arguments: bool) -> f64 {
        let scorer = self.scorer;
        let returns = field.definition.ty.inner_named_type().as_str();
        let weight = scorer.directives.field_weight(parent, &field.name, returns);
        let cost = match value {
            Value::Array(items) => items.iter().fold(0.0, |cost, item| {
                add(cost, self.field(parent, field, item, false))
            }),
            Value::Object(object) => {
                let weight = weight.unwrap_or(if scorer.is_composite(returns) {
                    1.0
                } else {
                    0.0
                });
                add(weight, self.selection_set(&field.selection_set, object))
            }
            _ => weight.unwrap_or(0.0),
        };
        if with_arguments {
            add(cost, scorer.arguments(parent, field))
        } else {
            cost
        }
    }
}
