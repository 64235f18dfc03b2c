//! The router's side of planning: the planner configured from the router config,
//! and the progressive-override labels decided per request.
//!
//! `@override(from:, label: "percent(N)")` moves a field to its new subgraph for
//! N% of requests. Each request draws which labels are on; the drawn set is part
//! of the plan cache key, so each combination is planned once.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use rand::Rng;
use switchyard_planner::plan::QueryPlan;
use switchyard_planner::{PlanError, PlanOptions, PlannerConfig, QueryPlanner, Supergraph};

use crate::config::RouterConfig;

/// A progressive-override label with a rollout percentage.
#[derive(Debug, Clone, PartialEq)]
struct PercentLabel {
    label: String,
    percent: f64,
}

/// The planner plus the override labels of its supergraph.
pub struct Planner {
    planner: QueryPlanner,
    percent_labels: Vec<PercentLabel>,
}

impl Planner {
    pub fn new(supergraph: Arc<Supergraph>, config: &RouterConfig) -> Self {
        let percent_labels = override_labels(&supergraph)
            .into_iter()
            .filter_map(|label| {
                let percent = parse_percent(&label)?;
                Some(PercentLabel { label, percent })
            })
            .collect();
        let planner_config = PlannerConfig {
            timeout: Duration::from_millis(config.planner.time_limit_ms),
            ..PlannerConfig::default()
        };
        Planner {
            planner: QueryPlanner::new(supergraph, planner_config),
            percent_labels,
        }
    }

    /// Draws the `percent(N)` labels enabled for one request, sorted.
    pub fn draw_labels(&self) -> Vec<String> {
        if self.percent_labels.is_empty() {
            return Vec::new();
        }
        let mut rng = rand::thread_rng();
        self.percent_labels
            .iter()
            .filter(|label| rng.gen_range(0.0..100.0) < label.percent)
            .map(|label| label.label.clone())
            .collect()
    }

    pub fn plan(
        &self,
        document: &Valid<ExecutableDocument>,
        operation_name: Option<&str>,
        enabled_labels: &[String],
    ) -> Result<QueryPlan, PlanError> {
        let options = PlanOptions {
            enabled_override_labels: enabled_labels.iter().cloned().collect::<HashSet<_>>(),
        };
        self.planner.plan(document, operation_name, &options)
    }
}

/// Every `overrideLabel` of a `@join__field` in the supergraph. The argument name
/// is fixed by the join spec even when the directive itself is renamed.
fn override_labels(supergraph: &Supergraph) -> BTreeSet<String> {
    let mut labels = BTreeSet::new();
    for ty in supergraph.supergraph_schema().types.values() {
        let fields = match ty {
            ExtendedType::Object(object) => &object.fields,
            ExtendedType::Interface(interface) => &interface.fields,
            _ => continue,
        };
        for field in fields.values() {
            for directive in field.directives.iter() {
                if let Some(label) = directive
                    .specified_argument_by_name("overrideLabel")
                    .and_then(|value| value.as_str())
                {
                    labels.insert(label.to_owned());
                }
            }
        }
    }
    labels
}

/// `percent(12.5)` → 12.5; any other label is never enabled by the router.
fn parse_percent(label: &str) -> Option<f64> {
    let inner = label.strip_prefix("percent(")?.strip_suffix(')')?;
    let percent: f64 = inner.trim().parse().ok()?;
    (0.0..=100.0).contains(&percent).then_some(percent)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_labels() {
        assert_eq!(parse_percent("percent(50)"), Some(50.0));
        assert_eq!(parse_percent("percent(0.5)"), Some(0.5));
        assert_eq!(parse_percent("percent(150)"), None);
        assert_eq!(parse_percent("beta"), None);
        assert_eq!(parse_percent("percent(x)"), None);
    }
}
