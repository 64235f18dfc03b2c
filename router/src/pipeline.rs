//! The per-request GraphQL pipeline, free of HTTP details: parse and validate
//! against the API schema, pick the operation and coerce its variables, check the
//! cost limits, fetch the plan from the cache (or plan it), execute, and attach
//! the plan when the client asked for it and the config allows it.
//!
//! With tracing on, planning (the plan cache's hit or miss; on a miss, parse
//! and validation, then the planner) and execution each have a `debug` span.

use std::collections::BTreeSet;
use std::sync::Arc;

use apollo_compiler::ExecutableDocument;
use apollo_compiler::validation::Valid;
use serde_json::{Map, Value, json};
use switchyard_executor::{
    ExecutionOptions, FetchTrace, GraphQLError, IncrementalPart, PathSegment, Response,
};
use switchyard_planner::PlanError;
use switchyard_planner::authorization::Requirement;
use switchyard_planner::plan::{PathElement, QueryPlan, UnresolvableReason};

use crate::authentication::Claims;
use crate::authorization::{self, UnauthorizedMode};
use crate::limits::OperationLimits;
use crate::operation::{self, DocumentLimits, OperationError};
use crate::plan_cache::PlanKey;
use crate::router::RouterInner;
use crate::server::graphql_request::GraphQLRequest;
use crate::subgraph_client::RequestFetcher;
use crate::subscriptions::{self, EventStream};
use crate::telemetry::traces::phase_span;
use tracing::Instrument;

/// How a request that did not reach execution failed; the HTTP layer picks the
/// status from it.
#[derive(Debug, Clone, PartialEq)]
pub enum Rejection {
    /// Parse, validation, operation selection or variable errors: 400 with
    /// `application/graphql-response+json`, 200 with `application/json`.
    Invalid(Vec<GraphQLError>),
    /// A configured cost limit was exceeded: always 400.
    Limit(Vec<GraphQLError>),
    /// A mutation sent over GET: 405.
    MutationOverGet(Vec<GraphQLError>),
    /// Fields the request may not see, with `authorization.unauthorized:
    /// reject`: 401 for an anonymous request, 403 for an authenticated one.
    Unauthorized {
        errors: Vec<GraphQLError>,
        anonymous: bool,
    },
    /// The planner could not plan a valid operation: 500 (a router limitation,
    /// not a client mistake).
    Planning(Vec<GraphQLError>),
}

impl Rejection {
    /// The errors the rejection answers with, whatever its status.
    pub fn into_errors(self) -> Vec<GraphQLError> {
        match self {
            Rejection::Invalid(errors)
            | Rejection::Limit(errors)
            | Rejection::MutationOverGet(errors)
            | Rejection::Planning(errors)
            | Rejection::Unauthorized { errors, .. } => errors,
        }
    }
}

/// Per-request inputs besides the GraphQL request.
pub struct RequestContext {
    /// The request came as an HTTP GET (only queries are allowed).
    pub is_get: bool,
    /// The client asked for the plan (`x-switchyard-plan: true`) and the config
    /// allows exposing it.
    pub include_plan: bool,
    /// The client asked for the plan only (`x-switchyard-plan: only`): plan, do not
    /// execute, so a tool can show the plan of a mutation without running it.
    pub plan_only: bool,
    /// The client asked for a trace of the subgraph requests
    /// (`x-switchyard-trace: true`) and the config allows exposing it.
    pub include_trace: bool,
    /// Progressive-override labels on for this request, sorted
    /// (`query_planning::Planner::labels_for_request`).
    pub override_labels: Vec<String>,
    pub fetcher: RequestFetcher,
    /// The client asked for the cost (`x-switchyard-cost: true`) and
    /// `demand_control.expose_cost` allows it.
    pub include_cost: bool,
    /// The verified claims of the request's JWT (`authentication.jwt`); `None`
    /// for an anonymous request. They decide the authorization directives.
    pub claims: Option<Arc<Claims>>,
    /// The transport can carry a stream of responses (WebSocket, or an HTTP
    /// request accepting `text/event-stream` or multipart): a subscription is
    /// started. Otherwise a subscription is refused before any fetch.
    pub streaming: bool,
    /// The client takes an incremental (`multipart/mixed`) response: an
    /// operation with an active `@defer` is then answered in parts.
    pub incremental: bool,
}

/// What running a request gave.
pub enum Executed {
    /// The whole response of a query or mutation.
    Response(Response),
    /// `@defer` for a client that takes incremental delivery: the parts, as
    /// they complete (executing as the stream is polled; dropping it stops
    /// the execution).
    Incremental(futures::stream::BoxStream<'static, IncrementalPart>),
    /// The events of a subscription.
    Subscription(EventStream),
}

/// A validated operation document and its plan, cached together: a repeated
/// operation skips parsing, validation, the limit checks and planning.
pub struct CachedOperation {
    pub document: Valid<ExecutableDocument>,
    pub plan: QueryPlan,
    /// The authorization requirements protecting fields the operation selects.
    pub requirements: BTreeSet<Requirement>,
    /// What it was planned from, so that a schema reload can plan it again
    /// against the new supergraph before serving it (`crate::reload`); `None`
    /// for an authorization variant, planned again when a request needs it.
    pub planned_from: Option<PlannedFrom>,
}

/// The inputs of a plan besides the supergraph: what its [`PlanKey`] digests.
pub struct PlannedFrom {
    /// Shared with the request that planned it, not copied.
    pub query: Arc<str>,
    pub operation_name: Option<String>,
    pub override_labels: Vec<String>,
}

/// Runs one GraphQL request.
pub async fn run(
    router: &Arc<RouterInner>,
    request: &GraphQLRequest,
    context: RequestContext,
) -> Result<Executed, Rejection> {
    // Sampled requests only (see `RequestTrace`).
    let traced = context.fetcher.trace.spans();
    let planning_span = phase_span!(
        traced,
        "operation.plan",
        switchyard.plan_cache = tracing::field::Empty
    );
    let planned = plan(router, request, &context, planning_span.clone())
        .instrument(planning_span.clone())
        .await;
    if let Ok((_, cache_hit)) = &planned {
        planning_span.record(
            "switchyard.plan_cache",
            if *cache_hit { "hit" } else { "miss" },
        );
    }
    drop(planning_span);
    let (cached, cache_hit) = match planned {
        Ok(planned) => planned,
        Err(PlanFailure::Rejected(rejection)) => return Err(rejection),
        Err(PlanFailure::NotPlanned {
            document,
            rejection,
        }) => {
            // The planning was shared by requests with other variables: this
            // request's own operation and variable errors come first, as they do
            // for a cached operation.
            router
                .executor
                .prepare(
                    &document,
                    request.operation_name.as_deref(),
                    &request.variables,
                )
                .map_err(|error| Rejection::Invalid(vec![error.to_graphql_error()]))?;
            return Err(rejection);
        }
    };
    let prepared = router
        .executor
        .prepare(
            &cached.document,
            request.operation_name.as_deref(),
            &request.variables,
        )
        .map_err(|error| Rejection::Invalid(vec![error.to_graphql_error()]))?;
    let operation = prepared.operation();
    if context.is_get && !operation.is_query() {
        return Err(Rejection::MutationOverGet(vec![
            GraphQLError::new(format!(
                "Only queries can be sent with HTTP GET; send this {} with POST",
                operation.operation_type
            ))
            .with_code("METHOD_NOT_ALLOWED"),
        ]));
    }
    if operation.is_subscription()
        && !context.plan_only
        && let Some(refusal) = subscription_refusal(router, &context)
    {
        return Err(refusal);
    }
    if context.plan_only {
        let mut extensions = Map::new();
        extensions.insert(
            "queryPlan".to_owned(),
            plan_extension(&cached.plan, cache_hit),
        );
        return Ok(Executed::Response(Response {
            data: None,
            errors: Vec::new(),
            extensions: Some(extensions),
        }));
    }
    // Demand control (off: `None`, nothing computed); refused before any fetch.
    let cost = (router.demand_control.as_ref())
        .map(|demand_control| demand_control.estimate(&prepared))
        .transpose()
        .map_err(Rejection::Limit)?;
    let options = ExecutionOptions {
        trace: context.include_trace,
        kept_subgraph_extensions: router.kept_subgraph_extensions.clone(),
    };
    if operation.is_subscription() {
        return Ok(Executed::Subscription(subscriptions::events::start(
            subscriptions::events::Subscription {
                router: router.clone(),
                operation: cached.clone(),
                operation_name: request.operation_name.clone(),
                variables: request.variables.clone(),
                fetcher: context.fetcher,
                options,
            },
        )));
    }
    if context.incremental && router.executor.is_incremental(&cached.plan, &prepared) {
        let execute = phase_span!(traced, "operation.execute");
        return Ok(Executed::Incremental(crate::incremental::execute(
            router.clone(),
            cached.clone(),
            request,
            context.fetcher,
            options,
            execute,
        )));
    }
    let outcome = router
        .executor
        .execute(&cached.plan, &prepared, &context.fetcher, options)
        .instrument(phase_span!(traced, "operation.execute"))
        .await;
    let mut response = outcome.response;
    if context.include_trace {
        let extensions = response.extensions.get_or_insert_with(Map::new);
        extensions.insert("trace".to_owned(), trace_extension(&outcome.traces));
    }
    if context.include_plan {
        let extensions = response.extensions.get_or_insert_with(Map::new);
        extensions.insert(
            "queryPlan".to_owned(),
            plan_extension(&cached.plan, cache_hit),
        );
    }
    if let (Some(demand_control), Some(cost)) = (&router.demand_control, &cost) {
        demand_control.report(cost, &prepared, &mut response, context.include_cost);
    }
    Ok(Executed::Response(response))
}

/// Why a subscription cannot start here, if it cannot: subscriptions are
/// off, or the transport cannot stream (a one-off HTTP request would reach
/// the subgraph on a transport it cannot stream over).
fn subscription_refusal(router: &RouterInner, context: &RequestContext) -> Option<Rejection> {
    let message = if !router.config.subscriptions.enabled {
        "This router does not execute subscriptions (subscriptions.enabled is off)"
    } else if !context.streaming {
        "A subscription needs a streaming transport: a WebSocket (graphql-transport-ws), \
         or a request accepting text/event-stream or multipart/mixed;subscriptionSpec=1.0"
    } else {
        return None;
    };
    Some(Rejection::Invalid(vec![
        GraphQLError::new(message).with_code("SUBSCRIPTION_NOT_SUPPORTED"),
    ]))
}

/// The request's operation and plan, from the plan cache or planned on a
/// blocking thread (`span` is the planning span, for the work done there), and
/// whether it was cached.
async fn plan(
    router: &Arc<RouterInner>,
    request: &GraphQLRequest,
    context: &RequestContext,
    span: tracing::Span,
) -> Result<(Arc<CachedOperation>, bool), PlanFailure> {
    let key = PlanKey::new(
        &request.query,
        request.operation_name.as_deref(),
        &context.override_labels,
    );
    let (cached, cache_hit) = match router.plan_cache.get(&key) {
        Some(cached) => (cached, true),
        None => {
            let planning = router.clone();
            let query: Arc<str> = Arc::from(request.query.as_str());
            let operation_name = request.operation_name.clone();
            let labels = context.override_labels.clone();
            router
                .plan_cache
                .get_or_plan(key, move || {
                    let _entered = span.enter();
                    analyse_and_plan(&planning, &query, operation_name.as_deref(), &labels)
                })
                .await?
        }
    };
    authorized(router, key, cached, cache_hit, request, context).await
}

/// The operation as this request may see it: the cached one when the request
/// meets every authorization requirement it touches; else its variant planned
/// without the fields protected by the unmet ones (planned once per set of
/// unmet requirements, and cached), or, in `reject` mode, a rejection naming
/// those fields.
async fn authorized(
    router: &Arc<RouterInner>,
    key: PlanKey,
    cached: Arc<CachedOperation>,
    cache_hit: bool,
    request: &GraphQLRequest,
    context: &RequestContext,
) -> Result<(Arc<CachedOperation>, bool), PlanFailure> {
    if cached.requirements.is_empty() {
        return Ok((cached, cache_hit));
    }
    let unmet = router
        .authorizer
        .unmet(&cached.requirements, context.claims.as_deref());
    if unmet.is_empty() {
        return Ok((cached, cache_hit));
    }
    let variant_key = key.variant(&authorization::variant_key(&unmet));
    let planning = router.clone();
    let query_len = request.query.len();
    let operation_name = request.operation_name.clone();
    let labels = context.override_labels.clone();
    let (variant, variant_hit) = router
        .plan_cache
        .get_or_plan(variant_key, move || {
            let plan = planning
                .planner
                .plan(&cached.document, operation_name.as_deref(), &labels, unmet)
                .map_err(|error| PlanFailure::Rejected(planning_rejection(error)))?;
            let bytes = estimated_size(query_len, &plan);
            let variant = CachedOperation {
                document: cached.document.clone(),
                plan,
                requirements: cached.requirements.clone(),
                planned_from: None,
            };
            Ok((variant, bytes))
        })
        .await?;
    if router.authorizer.mode() == UnauthorizedMode::Reject {
        return Err(PlanFailure::Rejected(Rejection::Unauthorized {
            errors: unauthorized_errors(&variant.plan),
            anonymous: context.claims.is_none(),
        }));
    }
    Ok((variant, variant_hit))
}

/// One `UNAUTHORIZED` error per field left out for authorization, at its path
/// in the operation (list positions are not known before running it).
fn unauthorized_errors(plan: &QueryPlan) -> Vec<GraphQLError> {
    plan.unresolvable
        .iter()
        .filter(|field| field.reason == UnresolvableReason::Unauthorized)
        .map(|field| {
            let mut path: Vec<PathSegment> = field
                .path
                .iter()
                .filter_map(|element| match element {
                    PathElement::Key(key) => Some(PathSegment::Key(key.clone())),
                    _ => None,
                })
                .collect();
            path.push(PathSegment::Key(field.response_key.clone()));
            GraphQLError::new(format!(
                "Not authorized to access {}.{}",
                field.parent_type, field.field_name
            ))
            .with_path(path)
            .with_code("UNAUTHORIZED")
        })
        .collect()
}

/// Why an operation has no plan; shared by the requests that waited for it.
#[derive(Clone)]
pub enum PlanFailure {
    /// Parse, limit or validation errors.
    Rejected(Rejection),
    /// A valid document that could not be planned.
    NotPlanned {
        document: Arc<Valid<ExecutableDocument>>,
        rejection: Rejection,
    },
}

/// The planning task panicked (or the runtime is shutting down): logged, and a
/// 500 without the panic's text, as the server's panic guard answers.
impl From<tokio::task::JoinError> for PlanFailure {
    fn from(error: tokio::task::JoinError) -> Self {
        tracing::error!(%error, "planning task failed");
        PlanFailure::Rejected(Rejection::Planning(vec![
            GraphQLError::new("The operation could not be planned: internal error")
                .with_code("QUERY_PLANNING_FAILED"),
        ]))
    }
}

/// Everything that depends only on the operation text, its name and the override
/// labels: parse, check the limits, validate, plan. Runs on a blocking thread
/// (planning can take up to the planner's time limit). Returns the operation and
/// its estimated size in bytes, for the plan cache's byte bound. A reload plans
/// the cached operations again through it, against the new supergraph.
pub(crate) fn analyse_and_plan(
    router: &RouterInner,
    query: &Arc<str>,
    operation_name: Option<&str>,
    override_labels: &[String],
) -> Result<(CachedOperation, usize), PlanFailure> {
    let schema = router.executor.api_schema();
    let limits = &router.config.limits;
    let document_limits = DocumentLimits {
        max_tokens: limits.max_tokens,
        operation: OperationLimits {
            max_depth: limits.max_depth,
            max_aliases: limits.max_aliases,
            max_fields: limits.max_fields,
            max_root_fields: limits.max_root_fields,
            max_introspection_depth: limits.max_introspection_depth,
            max_height: limits.max_height,
        },
    };
    // Inside a sampled request's planning span only: an unsampled request (or a
    // reload's warm-up) has none, and its phases would start traces of their own.
    let traced = router.config.telemetry.tracing.enabled && !tracing::Span::current().is_none();
    let document = phase_span!(traced, "operation.parse_validate")
        .in_scope(|| operation::parse_and_validate(schema, query, operation_name, &document_limits))
        .map_err(|error| {
            PlanFailure::Rejected(match error {
                OperationError::Limit(_) => Rejection::Limit(error.into_errors()),
                other => Rejection::Invalid(other.into_errors()),
            })
        })?;
    let requirements = if router.config.authorization.enabled {
        router
            .supergraph
            .authorization()
            .requirements_in(&document, operation_name)
    } else {
        BTreeSet::new()
    };
    let plan = phase_span!(traced, "operation.query_plan")
        .in_scope(|| {
            router
                .planner
                .plan(&document, operation_name, override_labels, BTreeSet::new())
        })
        .map_err(planning_rejection);
    let plan = match plan {
        Ok(plan) => plan,
        Err(rejection) => {
            return Err(PlanFailure::NotPlanned {
                document: Arc::new(document),
                rejection,
            });
        }
    };
    let bytes = estimated_size(query.len(), &plan);
    Ok((
        CachedOperation {
            document,
            plan,
            requirements,
            planned_from: Some(PlannedFrom {
                query: query.clone(),
                operation_name: operation_name.map(str::to_owned),
                override_labels: override_labels.to_vec(),
            }),
        },
        bytes,
    ))
}

/// How a planner error reaches the client.
fn planning_rejection(error: PlanError) -> Rejection {
    let errors = vec![
        GraphQLError::new(format!("The operation could not be planned: {error}"))
            .with_code("QUERY_PLANNING_FAILED"),
    ];
    match error {
        // Too complex for the configured bounds: the client can simplify.
        PlanError::Timeout(_) | PlanError::TooManyOptions(_) => Rejection::Limit(errors),
        // A valid operation the planner cannot plan: our limitation.
        PlanError::InvalidOperation(_) | PlanError::Unresolvable(_) => Rejection::Planning(errors),
    }
}

/// Estimated heap bytes of a cached operation: its document (the source text
/// plus a syntax tree, a few times the text for dense operations) and its plan
/// (measured by its JSON form, which holds the subgraph operations' text).
/// Estimated, not exact: it bounds the cache to within a small factor.
fn estimated_size(query_len: usize, plan: &QueryPlan) -> usize {
    const DOCUMENT_BYTES_PER_TEXT_BYTE: usize = 8;
    let plan_bytes = serde_json::to_vec(plan).map_or(0, |json| json.len());
    std::mem::size_of::<CachedOperation>()
        + query_len.saturating_mul(DOCUMENT_BYTES_PER_TEXT_BYTE)
        + plan_bytes.saturating_mul(2)
}

/// The subgraph requests as the client sees them with `x-switchyard-trace: true`:
/// sorted by start, times in fractional milliseconds from the start of execution.
fn trace_extension(traces: &[FetchTrace]) -> Value {
    let mut traces: Vec<&FetchTrace> = traces.iter().collect();
    traces.sort_by_key(|trace| trace.start);
    let millis = |duration: std::time::Duration| duration.as_secs_f64() * 1000.0;
    let fetches: Vec<Value> = traces
        .iter()
        .map(|trace| {
            json!({
                "subgraph": trace.subgraph,
                "startMs": millis(trace.start),
                "durationMs": millis(trace.duration),
                "responseBytes": trace.response_bytes,
                "errors": trace.error_count,
                "representations": trace.representations,
            })
        })
        .collect();
    let total = traces
        .iter()
        .map(|trace| millis(trace.start + trace.duration))
        .fold(0.0, f64::max);
    json!({ "fetches": fetches, "totalMs": total })
}

/// The plan as the client sees it with `x-switchyard-plan: true`.
fn plan_extension(plan: &QueryPlan, cache_hit: bool) -> Value {
    json!({
        "text": plan.to_string(),
        "json": serde_json::to_value(plan).unwrap_or(Value::Null),
        "cache": if cache_hit { "hit" } else { "miss" },
    })
}
