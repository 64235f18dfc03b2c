//! The estimated cost of an operation, before execution: list sizes come from
//! `@listSize` (slicing arguments, `assumedSize`, `sizedFields`) or the
//! configured default.

use std::cell::RefCell;
use std::collections::HashMap;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::executable::{Field, Operation, Selection, SelectionSet};

use super::{CostError, Scorer, add, mul, operation_base};

/// The size a parent's `@listSize(sizedFields:)` gives to some of its children.
struct Sized<'a> {
    size: Option<f64>,
    fields: &'a [String],
}

impl Sized<'_> {
    fn of(&self, field: &str) -> Option<f64> {
        if self.fields.iter().any(|name| name == field) {
            self.size
        } else {
            None
        }
    }
}

/// The estimated cost of `operation`.
pub(crate) fn operation(
    scorer: &Scorer<'_>,
    document: &ExecutableDocument,
    operation: &Operation,
) -> Result<f64, CostError> {
    let estimator = Estimator {
        scorer,
        document,
        fragments: RefCell::default(),
    };
    let fields = estimator.selection_set(&operation.selection_set, None)?;
    Ok(add(operation_base(operation.operation_type), fields))
}

struct Estimator<'a> {
    scorer: &'a Scorer<'a>,
    document: &'a ExecutableDocument,
    /// The cost of each fragment spread so far, by fragment and the size its
    /// parent gives (`sizedFields`): a fragment spread many times is walked once,
    /// so nested spreads cost time linear in the document, not exponential.
    fragments: RefCell<FragmentCosts<'a>>,
}

type FragmentCosts<'a> = HashMap<(&'a str, Option<(u64, usize)>), f64>;

impl Estimator<'_> {
    fn selection_set(
        &self,
        selection_set: &SelectionSet,
        sized: Option<&Sized<'_>>,
    ) -> Result<f64, CostError> {
        let parent = selection_set.ty.as_str();
        let mut cost = 0.0;
        for selection in &selection_set.selections {
            let selection_cost = match selection {
                Selection::Field(field) => {
                    if self.scorer.is_skipped(&field.directives) {
                        continue;
                    }
                    let size = sized.and_then(|sized| sized.of(&field.name));
                    self.field(parent, field, size)?
                }
                Selection::FragmentSpread(spread) => {
                    if self.scorer.is_skipped(&spread.directives) {
                        continue;
                    }
                    self.fragment(&spread.fragment_name, sized)?
                }
                Selection::InlineFragment(inline) => {
                    if self.scorer.is_skipped(&inline.directives) {
                        continue;
                    }
                    self.selection_set(&inline.selection_set, sized)?
                }
            };
            cost = add(cost, selection_cost);
        }
        Ok(cost)
    }

    fn fragment(&self, name: &str, sized: Option<&Sized<'_>>) -> Result<f64, CostError> {
        let Some((name, fragment)) = self.document.fragments.get_key_value(name) else {
            return Ok(0.0);
        };
        let key = (
            name.as_str(),
            sized.map(|sized| {
                (
                    sized.size.map_or(u64::MAX, f64::to_bits),
                    sized.fields.as_ptr() as usize,
                )
            }),
        );
        if let Some(cost) = self.fragments.borrow().get(&key) {
            return Ok(*cost);
        }
        let cost = self.selection_set(&fragment.selection_set, sized)?;
        self.fragments.borrow_mut().insert(key, cost);
        Ok(cost)
    }

    /// `count * (weight + children) + arguments`.
    fn field(&self, parent: &str, field: &Field, sized: Option<f64>) -> Result<f64, CostError> {
        let name = field.name.as_str();
        // `__typename` and introspection cost nothing.
        if name.starts_with("__") {
            return Ok(0.0);
        }
        let scorer = self.scorer;
        let ty = &field.definition.ty;
        let returns = ty.inner_named_type().as_str();
        let list_size = scorer.directives.list_size(parent, name);
        let size = match list_size {
            Some(list_size) => scorer.list_size(parent, field, list_size)?,
            None => None,
        };
        let count = if !ty.is_list() {
            1.0
        } else {
            sized.or(size).unwrap_or(scorer.list_size)
        };
        let weight = scorer
            .directives
            .field_weight(parent, name, returns)
            .unwrap_or(if scorer.is_composite(returns) {
                1.0
            } else {
                0.0
            });
        let children_sized = list_size.map(|list_size| Sized {
            size,
            fields: &list_size.sized_fields,
        });
        let children = self.selection_set(&field.selection_set, children_sized.as_ref())?;
        Ok(add(
            mul(count, add(weight, children)),
            scorer.arguments(parent, field),
        ))
    }
}
