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
    #[error("the supergraph uses no progressive-override label {0:?}")]
    UnknownLabel(String),
}

/// A plan, and the progressive-override labels of the supergraph it was planned
/// with off (a `percent(N)` label is on for some requests of a serving router, so
/// the plan printed is not the only one).
#[derive(Debug)]
pub struct PlanOutput {
    pub plan: QueryPlan,
    pub disabled_labels: Vec<String>,
}

/// Plans `query` (its operation `operation_name`) against a supergraph SDL,
/// with only the progressive-override labels in `enabled_labels` on (a
/// `percent(N)` label is not drawn: it is on only when listed).
pub fn plan(
    supergraph_sdl: &str,
    query: &str,
    operation_name: Option<&str>,
    enabled_labels: &[String],
) -> Result<PlanOutput, PlanCommandError> {
    let supergraph = Arc::new(Supergraph::parse(supergraph_sdl)?);
    let known = crate::query_planning::override_labels(&supergraph);
    if let Some(unknown) = enabled_labels.iter().find(|label| !known.contains(*label)) {
        return Err(PlanCommandError::UnknownLabel(unknown.clone()));
    }
    let disabled_labels = known
        .into_iter()
        .filter(|label| !enabled_labels.contains(label))
        .collect();
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
    let options = PlanOptions {
        enabled_override_labels: enabled_labels.iter().cloned().collect(),
        ..PlanOptions::default()
    };
    let plan = planner.plan(&document, operation_name, &options)?;
    Ok(PlanOutput {
        plan,
        disabled_labels,
    })
}
