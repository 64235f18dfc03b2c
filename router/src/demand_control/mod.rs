//! Demand control: the static cost of an operation from the supergraph's `@cost`
//! and `@listSize` directives (the IBM GraphQL cost directive spec, scored as
//! Apollo Router's `static_estimated` strategy does), estimated per request
//! before execution, and the actual cost of the response measured after it.
//!
//! The cost of an operation is its base cost (10 for a mutation, 0 for a query or
//! subscription) plus the cost of every selected field, fragments expanded and
//! every selection counted. A field costs `count * (weight + children) +
//! arguments`: `weight` is the field's `@cost`, else its type's `@cost`, else 1
//! for an object, interface or union and 0 for a scalar or enum; `count` is 1,
//! or for a list field its size (a `sizedFields` size given by the parent's
//! `@listSize`, else the largest slicing argument, else `assumedSize`, else the
//! configured `list_size`); `arguments` adds each argument's `@cost` once (an
//! input object counts 1 plus its fields, a list its items). The actual cost
//! applies the same weights to the response data, counting real list lengths.
//!
//! Read once at start ([`DemandControl::new`]); nothing runs when
//! `demand_control.enabled` is off (the router holds no `DemandControl`).

mod actual;
mod directives;
mod estimate;

use std::sync::Arc;

use apollo_compiler::Schema;
use apollo_compiler::ast::{OperationType, Value as AstValue};
use apollo_compiler::executable::{DirectiveList, Field};
use apollo_compiler::schema::ExtendedType;
use serde_json::{Map, Value, json};
use switchyard_executor::{GraphQLError, PreparedOperation, Response};
use switchyard_planner::Supergraph;

use crate::config::{DemandControlConfig, DemandControlMode};
pub(crate) use directives::{CostDirectives, ListSize};

/// The only strategy: weights fixed by the schema, estimated before execution.
pub const STRATEGY: &str = "static_estimated";

/// Why an operation's cost could not be estimated, or why it is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CostError {
    /// `@listSize(requireOneSlicingArgument: true)` and not exactly one slicing
    /// argument given.
    #[error(
        "The cost of the operation could not be estimated: {field} takes exactly one of \
         its slicing arguments ({arguments}), but {found} were given"
    )]
    SlicingArguments {
        field: String,
        arguments: String,
        found: usize,
    },
    /// In `enforce` mode, an estimate over `max`.
    #[error("The operation's estimated cost {estimated} exceeds the maximum cost {max}")]
    TooExpensive { estimated: u64, max: u64 },
}

impl CostError {
    /// The error code (Apollo Router's).
    pub fn code(&self) -> &'static str {
        match self {
            CostError::SlicingArguments { .. } => "COST_QUERY_PARSE_FAILURE",
            CostError::TooExpensive { .. } => "COST_ESTIMATED_TOO_EXPENSIVE",
        }
    }

    fn to_graphql_error(&self) -> GraphQLError {
        let mut error = GraphQLError::new(self.to_string()).with_code(self.code());
        if let CostError::TooExpensive { estimated, max } = self {
            error
                .extensions
                .insert("cost.estimated".to_owned(), json!(estimated));
            error.extensions.insert("cost.max".to_owned(), json!(max));
        }
        error
    }
}

/// The estimate of one request, carried from before execution to after it.
#[derive(Debug, Clone, PartialEq)]
pub struct Estimate {
    /// `None` when the operation could not be estimated (`measure` mode only).
    pub estimated: Option<f64>,
    /// `COST_OK`, `COST_ESTIMATED_TOO_EXPENSIVE` or `COST_QUERY_PARSE_FAILURE`.
    pub result: &'static str,
}

/// Demand control of one router: the cost directives of its supergraph and the
/// configuration.
pub(crate) struct DemandControl {
    supergraph: Arc<Supergraph>,
    directives: CostDirectives,
    config: DemandControlConfig,
}

impl DemandControl {
    /// `None` when demand control is off.
    pub fn new(supergraph: &Arc<Supergraph>, config: &DemandControlConfig) -> Option<Self> {
        if !config.enabled {
            return None;
        }
        let directives = CostDirectives::read(supergraph.supergraph_schema());
        if directives.is_empty() {
            tracing::info!(
                "demand control: the supergraph has no @cost or @listSize; default weights apply"
            );
        }
        Some(DemandControl {
            supergraph: supergraph.clone(),
            directives,
            config: config.clone(),
        })
    }

    fn scorer<'a>(&'a self, variables: &'a Map<String, Value>) -> Scorer<'a> {
        Scorer {
            schema: self.supergraph.supergraph_schema(),
            directives: &self.directives,
            list_size: f64::from(self.config.list_size),
            variables,
        }
    }

    /// Estimates the cost of a prepared operation. In `enforce` mode an
    /// operation over `max`, or one that cannot be estimated, is refused with
    /// the errors to answer; in `measure` mode nothing is refused.
    pub fn estimate(
        &self,
        prepared: &PreparedOperation<'_>,
    ) -> Result<Estimate, Vec<GraphQLError>> {
        let scorer = self.scorer(prepared.variables());
        let estimated = estimate::operation(&scorer, prepared.document(), prepared.operation());
        let enforce = self.config.mode == DemandControlMode::Enforce;
        match estimated {
            Ok(cost) => {
                let max = self.config.max;
                if cost > max as f64 {
                    let error = CostError::TooExpensive {
                        estimated: reported(cost),
                        max,
                    };
                    if enforce {
                        tracing::debug!(estimated = reported(cost), max, "demand control: refused");
                        return Err(vec![error.to_graphql_error()]);
                    }
                    return Ok(Estimate {
                        estimated: Some(cost),
                        result: error.code(),
                    });
                }
                Ok(Estimate {
                    estimated: Some(cost),
                    result: "COST_OK",
                })
            }
            Err(error) if enforce => Err(vec![error.to_graphql_error()]),
            Err(error) => {
                tracing::debug!(%error, "demand control: no estimate");
                Ok(Estimate {
                    estimated: None,
                    result: error.code(),
                })
            }
        }
    }

    /// After execution: logs the costs at debug level and, when `expose`, adds
    /// `extensions.cost` to the response. The actual cost is only computed when
    /// one of them will read it.
    pub fn report(
        &self,
        estimate: &Estimate,
        prepared: &PreparedOperation<'_>,
        response: &mut Response,
        expose: bool,
    ) {
        let debug = tracing::enabled!(tracing::Level::DEBUG);
        if !expose && !debug {
            return;
        }
        let actual = response.data.as_ref().and_then(|data| {
            let data: Value = serde_json::from_slice(data.as_bytes()).ok()?;
            let scorer = self.scorer(prepared.variables());
            Some(actual::operation(
                &scorer,
                prepared.document(),
                prepared.operation(),
                &data,
            ))
        });
        tracing::debug!(
            estimated = estimate.estimated.map(reported),
            actual = actual.map(reported),
            result = estimate.result,
            "demand control"
        );
        if expose {
            let mut cost = Map::new();
            if let Some(estimated) = estimate.estimated {
                cost.insert("estimated".to_owned(), json!(reported(estimated)));
            }
            if let Some(actual) = actual {
                cost.insert("actual".to_owned(), json!(reported(actual)));
            }
            cost.insert("result".to_owned(), json!(estimate.result));
            cost.insert("strategy".to_owned(), json!(STRATEGY));
            response
                .extensions
                .get_or_insert_with(Map::new)
                .insert("cost".to_owned(), Value::Object(cost));
        }
    }
}

/// A cost as reported to clients and logs: a whole number, 0 for a negative
/// total (negative weights), `u64::MAX` when it saturated.
pub fn reported(cost: f64) -> u64 {
    // `as` saturates, and maps NaN to 0.
    cost.round() as u64
}

/// `a + b`, saturating instead of reaching infinity (and NaN after it).
pub(crate) fn add(a: f64, b: f64) -> f64 {
    finite(a + b)
}

/// `a * b`, saturating; a zero factor is zero whatever the other is.
pub(crate) fn mul(a: f64, b: f64) -> f64 {
    if a == 0.0 || b == 0.0 {
        return 0.0;
    }
    finite(a * b)
}

fn finite(x: f64) -> f64 {
    if x.is_nan() {
        0.0
    } else {
        x.clamp(-f64::MAX, f64::MAX)
    }
}

/// The base cost of an operation type (Apollo: mutations 10, others 0).
pub(crate) fn operation_base(operation_type: OperationType) -> f64 {
    match operation_type {
        OperationType::Mutation => 10.0,
        OperationType::Query | OperationType::Subscription => 0.0,
    }
}

/// What scoring needs: the schema, its directives, the default list size and
/// the request's coerced variables.
pub(crate) struct Scorer<'a> {
    pub schema: &'a Schema,
    pub directives: &'a CostDirectives,
    pub list_size: f64,
    pub variables: &'a Map<String, Value>,
}

impl Scorer<'_> {
    /// Whether `ty` is an object, interface or union (weight 1 by default).
    pub fn is_composite(&self, ty: &str) -> bool {
        matches!(
            self.schema.types.get(ty),
            Some(ExtendedType::Object(_) | ExtendedType::Interface(_) | ExtendedType::Union(_))
        )
    }

    /// Whether `@skip` / `@include` leave the selection out, variables resolved.
    pub fn is_skipped(&self, directives: &DirectiveList) -> bool {
        let condition = |name: &str| {
            let value = directives.get(name)?.specified_argument_by_name("if")?;
            match &**value {
                AstValue::Boolean(b) => Some(*b),
                AstValue::Variable(variable) => self.variables.get(variable.as_str())?.as_bool(),
                _ => None,
            }
        };
        condition("skip") == Some(true) || condition("include") == Some(false)
    }

    /// The cost of a field's arguments (counted once per field).
    pub fn arguments(&self, parent: &str, field: &Field) -> f64 {
        let mut cost = 0.0;
        for argument in &field.arguments {
            let Some(definition) = field.definition.argument_by_name(&argument.name) else {
                continue;
            };
            let ty = definition.ty.inner_named_type().as_str();
            let weight = self
                .directives
                .argument_weight(parent, &field.name, &argument.name, ty);
            cost = add(cost, self.value(&argument.value, ty, weight));
        }
        cost
    }

    /// The cost of an input value of type `ty` (its innermost named type) at a
    /// position weighing `weight`.
    fn value(&self, value: &AstValue, ty: &str, weight: Option<f64>) -> f64 {
        match value {
            AstValue::Null => 0.0,
            AstValue::Variable(name) => self
                .variables
                .get(name.as_str())
                .map_or(0.0, |value| self.json_value(value, ty, weight)),
            AstValue::Object(fields) => match self.schema.types.get(ty) {
                Some(ExtendedType::InputObject(input)) => {
                    let mut cost = weight.unwrap_or(1.0);
                    for (name, value) in fields {
                        if let Some(field) = input.fields.get(name) {
                            let field_ty = field.ty.inner_named_type().as_str();
                            let weight = self.directives.input_field_weight(ty, name, field_ty);
                            cost = add(cost, self.value(value, field_ty, weight));
                        }
                    }
                    cost
                }
                _ => weight.unwrap_or(0.0),
            },
            AstValue::List(items) => items.iter().fold(weight.unwrap_or(0.0), |cost, item| {
                add(cost, self.value(item, ty, weight))
            }),
            _ => weight.unwrap_or(0.0),
        }
    }

    /// [`Scorer::value`] for a variable's JSON value.
    fn json_value(&self, value: &Value, ty: &str, weight: Option<f64>) -> f64 {
        match value {
            Value::Null => 0.0,
            Value::Object(fields) => match self.schema.types.get(ty) {
                Some(ExtendedType::InputObject(input)) => {
                    let mut cost = weight.unwrap_or(1.0);
                    for (name, value) in fields {
                        if let Some(field) = input.fields.get(name.as_str()) {
                            let field_ty = field.ty.inner_named_type().as_str();
                            let weight = self.directives.input_field_weight(ty, name, field_ty);
                            cost = add(cost, self.json_value(value, field_ty, weight));
                        }
                    }
                    cost
                }
                _ => weight.unwrap_or(0.0),
            },
            Value::Array(items) => items.iter().fold(weight.unwrap_or(0.0), |cost, item| {
                add(cost, self.json_value(item, ty, weight))
            }),
            _ => weight.unwrap_or(0.0),
        }
    }

    /// The size `@listSize` gives a field: the largest slicing argument given
    /// (literal, variable, or the argument's default), else `assumedSize`.
    pub fn list_size(
        &self,
        parent: &str,
        field: &Field,
        list_size: &ListSize,
    ) -> Result<Option<f64>, CostError> {
        let mut sizes = Vec::new();
        if let Some(names) = &list_size.slicing_arguments {
            for name in names {
                let given = field
                    .arguments
                    .iter()
                    .find(|argument| argument.name == name.as_str())
                    .and_then(|argument| match &*argument.value {
                        AstValue::Variable(variable) => self
                            .variables
                            .get(variable.as_str())
                            .and_then(Value::as_f64),
                        value => int_value(value),
                    });
                let size = given.or_else(|| {
                    field
                        .definition
                        .argument_by_name(name)
                        .and_then(|definition| definition.default_value.as_deref())
                        .and_then(int_value)
                });
                if let Some(size) = size {
                    sizes.push(size.max(0.0));
                }
            }
            if list_size.require_one_slicing_argument && sizes.len() != 1 {
                return Err(CostError::SlicingArguments {
                    field: format!("{parent}.{}", field.name),
                    arguments: names.join(", "),
                    found: sizes.len(),
                });
            }
        }
        Ok(sizes
            .into_iter()
            .reduce(f64::max)
            .or(list_size.assumed_size))
    }
}

fn int_value(value: &AstValue) -> Option<f64> {
    match value {
        AstValue::Int(int) => int.try_to_f64().ok(),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
