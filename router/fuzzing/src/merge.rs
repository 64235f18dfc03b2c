//! The merge property, shared by `cargo test` and the `merge` fuzz target: a random
//! valid operation over a fixture supergraph is planned, then executed against
//! subgraphs that answer random bodies ([`crate::answer`]) or fail; the client
//! response must be GraphQL-shaped with no non-null field null ([`crate::check`]),
//! and the same whether the executor owns each answer or shares it with other
//! requests (as a deduplicated fetch hands it over: merged from by reference).

use std::sync::{Arc, Mutex};

use apollo_compiler::ExecutableDocument;
use futures::future::BoxFuture;
use switchyard_executor::{
    ExecutionOptions, Executor, FetchError, Fetched, SubgraphFetcher, SubgraphRequest,
    SubgraphResponse,
};
use switchyard_planner::{PlanOptions, PlannerConfig, QueryPlanner, Supergraph};

use crate::operation::{Shape, valid_operation};
use crate::{Entropy, answer, check, fixtures};

/// A fixture supergraph, planned and executed against.
pub struct MergeTarget {
    pub name: &'static str,
    planner: QueryPlanner,
    executor: Executor,
}

/// One target per fixture supergraph ([`fixtures::SUPERGRAPHS`]).
pub fn targets() -> Vec<MergeTarget> {
    fixtures::SUPERGRAPHS
        .iter()
        .map(|(name, sdl)| {
            let supergraph = Supergraph::parse(sdl).unwrap_or_else(|e| panic!("{name}: {e}"));
            let executor = Executor::new(Arc::new(supergraph.api_schema().clone()));
            MergeTarget {
                name,
                planner: QueryPlanner::new(Arc::new(supergraph), PlannerConfig::default()),
                executor,
            }
        })
        .collect()
}

/// Runs one operation drawn from `bytes` against subgraphs answering from the
/// rest of `bytes`; `Err` describes a malformed response.
pub fn merge_once(target: &MergeTarget, bytes: &[u8]) -> Result<(), String> {
    let mut entropy = Entropy::new(bytes);
    let schema = target.planner.supergraph().api_schema();
    let generated = valid_operation(schema, &mut entropy, Shape::default());
    let document = ExecutableDocument::parse_and_validate(schema, &generated.query, "op.graphql")
        .map_err(|e| {
        format!(
            "generated an invalid operation {}\n{}",
            generated.query, e.errors
        )
    })?;
    let name = generated.operation_name.as_deref();
    let Ok(plan) = target
        .planner
        .plan(&document, name, &PlanOptions::default())
    else {
        return Ok(()); // the plan properties look at planning errors
    };
    let prepared = target
        .executor
        .prepare(&document, name, &generated.variables)
        .map_err(|e| format!("{}: variables rejected: {e:?}", generated.query))?;
    let answers = entropy.rest();
    let execute = |shared: bool| {
        let fetcher = RandomSubgraphs {
            schema: target.planner.supergraph().api_schema(),
            bytes: Mutex::new(answers),
            shared: shared.then(Mutex::default),
        };
        let outcome = futures::executor::block_on(target.executor.execute(
            &plan,
            &prepared,
            &fetcher,
            ExecutionOptions::default(),
        ));
        serde_json::to_value(&outcome.response).map_err(|e| e.to_string())
    };
    let response = execute(false)?;
    let from_shared = execute(true)?;
    let mut problems = check::shape_problems(&response);
    if from_shared != response {
        problems.push(format!(
            "merged from shared answers, the response differs: {from_shared}"
        ));
    }
    if let Some(data) = response.get("data") {
        problems.extend(check::data_problems(&document, name, data));
    } else {
        problems.push("no `data` after execution started".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "{}: {}\nvariables: {}\nresponse: {response}\n{}",
            target.name,
            generated.query,
            serde_json::Value::Object(generated.variables.clone()),
            problems.join("\n")
        ))
    }
}

/// Subgraphs answering random bodies, drawn in request order from one byte source.
struct RandomSubgraphs<'s, 'b> {
    schema: &'s apollo_compiler::Schema,
    bytes: Mutex<&'b [u8]>,
    /// With `Some`, every answer is handed over shared, and kept here so that
    /// it stays shared (as with other requests still holding it).
    shared: Option<Mutex<Vec<Arc<SubgraphResponse>>>>,
}

impl SubgraphFetcher for RandomSubgraphs<'_, '_> {
    fn fetch<'a>(
        &'a self,
        _subgraph: &'a str,
        request: SubgraphRequest<'a>,
    ) -> BoxFuture<'a, Result<SubgraphResponse, FetchError>> {
        let mut bytes = self.bytes.lock().unwrap_or_else(|e| e.into_inner());
        let mut entropy = Entropy::new(*bytes);
        let result = match entropy.below(40) {
            0 => Err(FetchError::Transport("connection refused".to_owned())),
            1 => Err(FetchError::HttpStatus { status: 502 }),
            _ => {
                let sent: serde_json::Value =
                    serde_json::from_slice(&request.to_json_bytes()).unwrap_or_default();
                let body = answer::subgraph_body(
                    self.schema,
                    request.query,
                    &sent["variables"],
                    &mut entropy,
                );
                SubgraphResponse::from_slice(&body)
            }
        };
        *bytes = entropy.rest();
        Box::pin(async move { result })
    }

    fn fetch_shared<'a>(
        &'a self,
        subgraph: &'a str,
        request: SubgraphRequest<'a>,
    ) -> BoxFuture<'a, Result<Fetched, FetchError>> {
        let answer = self.fetch(subgraph, request);
        Box::pin(async move {
            let response = answer.await?;
            let Some(kept) = &self.shared else {
                return Ok(Fetched::Owned(response));
            };
            let response = Arc::new(response);
            kept.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(response.clone());
            Ok(Fetched::Shared(response))
        })
    }
}
