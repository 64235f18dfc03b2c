//! The router's side of planning: the planner configured from the router config,
//! and the progressive-override labels decided per request.
//!
//! `@override(from:, label: "percent(N)")` moves a field to its new subgraph for
//! N% of requests. Each request draws which labels are on; other labels are on
//! when the config enables them (`override_labels.enabled`) or, only when the
//! config names a header (`override_labels.header`), when the request's header
//! lists them. The set in effect is part of the plan cache key, so each
//! combination is planned once; header labels the supergraph does not use are
//! dropped, so clients cannot grow the cache with made-up labels.

use std::collections::{BTreeSet, HashSet};
use std::sync::Arc;
use std::time::Duration;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::schema::ExtendedType;
use apollo_compiler::validation::Valid;
use http::{HeaderMap, HeaderName};
use rand::Rng;
use switchyard_planner::authorization::Requirement;
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
    /// `percent(N)` labels not always on by config.
    percent_labels: Vec<PercentLabel>,
    /// Every label the supergraph uses.
    known_labels: BTreeSet<String>,
    /// Labels the config switches on for every request.
    always_enabled: Vec<String>,
    /// The request header listing more labels, when the config names one.
    header: Option<HeaderName>,
}

impl Planner {
    pub fn new(supergraph: Arc<Supergraph>, config: &RouterConfig) -> Self {
        let known_labels = override_labels(&supergraph);
        let always_enabled: Vec<String> = config
            .override_labels
            .enabled
            .iter()
            .filter(|label| known_labels.contains(*label))
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        for label in &config.override_labels.enabled {
            if !known_labels.contains(label) {
                tracing::warn!(%label, "override_labels.enabled names a label the supergraph does not use");
            }
        }
        let percent_labels = known_labels
            .iter()
            .filter(|label| !always_enabled.contains(label))
            .filter_map(|label| {
                let percent = parse_percent(label)?;
                Some(PercentLabel {
                    label: label.clone(),
                    percent,
                })
            })
            .collect();
        let header = config
            .override_labels
            .header
            .as_deref()
            .and_then(|name| HeaderName::from_bytes(name.as_bytes()).ok());
        let planner_config = PlannerConfig {
            timeout: Duration::from_millis(config.planner.time_limit_ms),
            ..PlannerConfig::default()
        };
        Planner {
            planner: QueryPlanner::new(supergraph, planner_config),
            percent_labels,
            known_labels,
            always_enabled,
            header,
        }
    }

    /// The labels on for one request, sorted: the configured ones, the drawn
    /// `percent(N)` ones, and those the configured header lists (when the config
    /// names one) that the supergraph uses.
    pub fn labels_for_request(&self, headers: &HeaderMap) -> Vec<String> {
        if self.known_labels.is_empty() {
            return Vec::new();
        }
        let mut labels = self.always_enabled.clone();
        if !self.percent_labels.is_empty() {
            let mut rng = rand::thread_rng();
            labels.extend(
                self.percent_labels
                    .iter()
                    .filter(|label| rng.gen_range(0.0..100.0) < label.percent)
                    .map(|label| label.label.clone()),
            );
        }
        if let Some(header) = &self.header {
            for value in headers.get_all(header) {
                let Ok(value) = value.to_str() else { continue };
                for label in value.split(',').map(str::trim) {
                    if self.known_labels.contains(label) {
                        labels.push(label.to_owned());
                    }
                }
            }
        }
        labels.sort();
        labels.dedup();
        labels
    }

    pub fn plan(
        &self,
        document: &Valid<ExecutableDocument>,
        operation_name: Option<&str>,
        enabled_labels: &[String],
        unmet_requirements: BTreeSet<Requirement>,
    ) -> Result<QueryPlan, PlanError> {
        let options = PlanOptions {
            enabled_override_labels: enabled_labels.iter().cloned().collect::<HashSet<_>>(),
            unmet_requirements,
        };
        self.planner.plan(document, operation_name, &options)
    }
}

/// Every `overrideLabel` of a `@join__field` in the supergraph. The argument name
/// is fixed by the join spec even when the directive itself is renamed.
pub(crate) fn override_labels(supergraph: &Supergraph) -> BTreeSet<String> {
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

/// `percent(12.5)` → 12.5; other labels are never drawn.
pub(crate) fn parse_percent(label: &str) -> Option<f64> {
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
