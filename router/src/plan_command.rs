//! `switchyard plan`: the plan of one operation, without serving anything.

use std::sync::Arc;

use switchyard_planner::plan::QueryPlan;
use switchyard_planner::{
    PlanError, PlanOptions, PlannerConfig, QueryPlanner, Supergraph, SupergraphError,
};

use crate::operation::{self, OperationError};

#[derive(Debug, thiserror::Error)]
pub enum PlanCommandError {
    #[error(transparent)]
    Supergraph(#[from] SupergraphError),
    #[error("the operation is invalid:\n{0}")]
    Operation(String),
    #[error("the operation could not be planned: {0}")]
    Plan(#[from] PlanError),
}

/// Plans `query` (its operation `operation_name`) against a supergraph SDL,
/// with every progressive-override label disabled.
pub fn plan(
    supergraph_sdl: &str,
    query: &str,
    operation_name: Option<&str>,
) -> Result<QueryPlan, PlanCommandError> {
    let supergraph = Arc::new(Supergraph::parse(supergraph_sdl)?);
    let document = operation::parse_and_validate(
        supergraph.api_schema(),
        query,
        operation_name,
        &operation::DocumentLimits::default(),
    )
    .map_err(|error: OperationError| {
        let messages: Vec<String> = error
            .into_errors()
            .into_iter()
            .map(|e| match e.locations.first() {
                Some(l) => format!("{}:{}: {}", l.line, l.column, e.message),
                None => e.message,
            })
            .collect();
        PlanCommandError::Operation(messages.join("\n"))
    })?;
    let planner = QueryPlanner::new(supergraph, PlannerConfig::default());
    Ok(planner.plan(&document, operation_name, &PlanOptions::default())?)
}
