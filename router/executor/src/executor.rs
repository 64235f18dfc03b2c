//! The entry point: [`Executor`] holds what is computed once per API schema and runs
//! plans for prepared operations.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use apollo_compiler::collections::HashMap;
use apollo_compiler::response::JsonMap;
use apollo_compiler::schema::Implementers;
use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Name, Schema};
use serde_json::{Map, Value};
use switchyard_planner::plan::{PlanNode, QueryPlan};

use crate::error::{FetchError, GraphQLError, RequestError};
use crate::fetcher::{Fetched, SubgraphFetcher, SubgraphResponse};
use crate::request::{PreparedOperation, convert_error, prepare};
use crate::response::{ExecutionOutcome, Response, ResponseData};
use crate::run::{Run, State};
use crate::shape::Shaper;
use crate::value::Object;

/// Per-request switches.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExecutionOptions {
    /// Record a [`crate::FetchTrace`] per subgraph request.
    pub trace: bool,
    /// With `Some(keys)`, pass on only `code` and these `keys` of the `extensions`
    /// of subgraph errors (besides the `serviceName` the executor adds): stack
    /// traces, exceptions and the like stay inside. With `None`, every extension
    /// is passed on as the subgraph sent it.
    pub kept_subgraph_extensions: Option<Arc<[String]>>,
}

/// Executes query plans against one API schema. Cheap to share (`Arc`) across
/// requests; build a new one when the supergraph changes.
#[derive(Debug)]
pub struct Executor {
    schema: Arc<Valid<Schema>>,
    implementers: HashMap<Name, Implementers>,
    /// Size of the last response `data` written, as the starting capacity of the
    /// next: a busy router answers the same few operations, and a right-sized
    /// buffer saves the copies of growing one.
    data_size_hint: AtomicUsize,
}

/// Bound on that hint, so one huge answer does not make every later small one
/// reserve as much.
const MAX_DATA_SIZE_HINT: usize = 256 * 1024;

impl Executor {
    /// `api_schema` is the schema clients see (client operations are validated
    /// against it); it types the response.
    pub fn new(api_schema: Arc<Valid<Schema>>) -> Self {
        let implementers = api_schema.implementers_map();
        Executor {
            schema: api_schema,
            implementers,
            data_size_hint: AtomicUsize::new(1024),
        }
    }

    pub fn api_schema(&self) -> &Arc<Valid<Schema>> {
        &self.schema
    }

    /// Picks the operation and coerces the variables; see [`crate::prepare`].
    pub fn prepare<'doc>(
        &self,
        document: &'doc Valid<ExecutableDocument>,
        operation_name: Option<&str>,
        variables: &Map<String, Value>,
    ) -> Result<PreparedOperation<'doc>, RequestError> {
        prepare(&self.schema, document, operation_name, variables)
    }

    /// Runs `plan` (planned for `operation`) and shapes the client response.
    ///
    /// Never fails: subgraph failures and bad subgraph data become errors in the
    /// response next to whatever data could be returned.
    pub async fn execute(
        &self,
        plan: &QueryPlan,
        operation: &PreparedOperation<'_>,
        fetcher: &dyn SubgraphFetcher,
        options: ExecutionOptions,
    ) -> ExecutionOutcome {
        let run = Run::new(&self.schema, fetcher, &operation.variables, options);
        if let Some(node) = &plan.node {
            run.run_node(node, &[]).await;
        }
        self.finish(plan, operation, run)
    }

    /// Runs one event of a subscription: `event` is what the subgraph stream
    /// sent for the plan's [`PlanNode::Subscription`] primary (or why it could
    /// not), merged as that root fetch's result; then the rest of the plan
    /// fetches what other subgraphs resolve, and the response is shaped as for
    /// a query. A plan that is not a subscription's runs as [`Executor::execute`].
    ///
    /// [`PlanNode::Subscription`]: switchyard_planner::plan::PlanNode::Subscription
    pub async fn execute_event(
        &self,
        plan: &QueryPlan,
        operation: &PreparedOperation<'_>,
        fetcher: &dyn SubgraphFetcher,
        options: ExecutionOptions,
        event: Result<SubgraphResponse, FetchError>,
    ) -> ExecutionOutcome {
        let Some(PlanNode::Subscription { primary, rest }) = &plan.node else {
            return self.execute(plan, operation, fetcher, options).await;
        };
        let run = Run::new(&self.schema, fetcher, &operation.variables, options);
        run.merge_root_result(primary, &[], event.map(Fetched::Owned));
        if let Some(rest) = rest {
            run.run_node(rest, &[]).await;
        }
        self.finish(plan, operation, run)
    }

    /// Reports the plan's unresolvable fields, answers introspection and
    /// shapes the response from what `run` fetched.
    fn finish(
        &self,
        plan: &QueryPlan,
        operation: &PreparedOperation<'_>,
        run: Run<'_>,
    ) -> ExecutionOutcome {
        let mut state = run.into_state();
        let (errors, introspection) = self.before_shaping(plan, operation, &mut state);
        let capacity = self.data_size_hint.load(Ordering::Relaxed);
        let mut shaper = Shaper::new(
            &self.schema,
            operation,
            errors,
            &state.covered,
            introspection,
            ResponseData::buffer(capacity),
        );
        shaper.shape_root(
            operation.operation.object_type(),
            &operation.operation.selection_set,
            state.data,
        );
        let data = shaper.out;
        self.data_size_hint
            .store(data.len().min(MAX_DATA_SIZE_HINT), Ordering::Relaxed);
        ExecutionOutcome {
            response: Response {
                data: Some(ResponseData::from_buffer(data)),
                errors: shaper.errors,
                extensions: None,
            },
            traces: state.traces,
        }
    }

    /// What shaping starts from besides the data: the run's errors, with the
    /// plan's unresolvable fields reported (their errors, and `null` in
    /// `state.data`), and the root introspection fields answered.
    pub(crate) fn before_shaping(
        &self,
        plan: &QueryPlan,
        operation: &PreparedOperation<'_>,
        state: &mut State,
    ) -> (Vec<GraphQLError>, Option<Object>) {
        let mut errors = std::mem::take(&mut state.errors);
        crate::unresolvable::report(
            &self.schema,
            &plan.unresolvable,
            &mut state.data,
            &operation.variables,
            &mut errors,
        );
        let introspection = if operation.has_schema_introspection {
            self.introspect(operation, &mut errors)
        } else {
            None
        };
        (errors, introspection)
    }

    /// Answers the root `__schema` / `__type` fields from the API schema.
    pub(crate) fn introspect(
        &self,
        operation: &PreparedOperation<'_>,
        errors: &mut Vec<GraphQLError>,
    ) -> Option<Object> {
        let variables: JsonMap = operation
            .variables
            .iter()
            .map(|(name, value)| (name.as_str().into(), value.clone().into()))
            .collect();
        let result = apollo_compiler::introspection::partial_execute(
            &self.schema,
            &self.implementers,
            operation.document,
            operation.operation,
            // `PreparedOperation` only holds coerced variables.
            Valid::assume_valid_ref(&variables),
        );
        match result {
            Ok(response) => {
                errors.extend(response.errors.into_iter().map(convert_error));
                match serde_json::to_value(response.data?) {
                    Ok(Value::Object(data)) => Some(Object::from(data)),
                    _ => None,
                }
            }
            Err(error) => {
                errors.push(convert_error(
                    error.to_graphql_error(&operation.document.sources),
                ));
                None
            }
        }
    }
}
