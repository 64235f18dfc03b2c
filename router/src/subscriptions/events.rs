//! One client subscription, from the subgraph's events to the client's: a task
//! opens the primary's stream on the subgraph owning the root field, and for
//! every event runs the rest of the plan (the fields other subgraphs resolve)
//! and shapes the response as for a query. Events are executed one at a time,
//! so the client gets them in the order the subgraph sent them.
//!
//! The stream ends when the subgraph completes it, when the client goes away
//! (the receiver is dropped: the subgraph subscription is closed with it), or
//! with a [`SubscriptionEvent::Failed`] as its last item: the subgraph went
//! away, or the router reloaded its schema (the subscription was planned
//! against the old one). A stream never just stops.

use std::sync::Arc;

use futures::StreamExt;
use serde_json::{Map, Value, json};
use switchyard_executor::{ExecutionOptions, GraphQLError, Response};
use switchyard_planner::plan::PlanNode;
use tokio::sync::mpsc;

use super::Retired;
use super::subgraph::{self, StreamRequest, SubgraphEvent};
use crate::pipeline::CachedOperation;
use crate::router::RouterInner;
use crate::subgraph_client::RequestFetcher;
use crate::telemetry::subscription_metrics::{SubscriptionEnd, SubscriptionMetrics};

/// What a subscription sends its client.
#[derive(Debug)]
pub enum SubscriptionEvent {
    /// One event's response.
    Next(Response),
    /// The subscription failed and ends: these errors say why.
    Failed(Vec<GraphQLError>),
}

/// The events of one subscription; closed after the last.
pub type EventStream = mpsc::Receiver<SubscriptionEvent>;

/// Events waiting for a slow client before the subscription stops reading
/// from the subgraph (which then buffers, or drops, as it sees fit).
const BUFFERED_EVENTS: usize = 16;

/// A validated, planned, authorized subscription, ready to start.
pub(crate) struct Subscription {
    pub router: Arc<RouterInner>,
    pub operation: Arc<CachedOperation>,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
    pub fetcher: RequestFetcher,
    pub options: ExecutionOptions,
}

/// Starts the subscription on its own task.
pub(crate) fn start(subscription: Subscription) -> EventStream {
    let (events, receiver) = mpsc::channel(BUFFERED_EVENTS);
    tokio::spawn(run(subscription, events));
    receiver
}

async fn run(subscription: Subscription, events: mpsc::Sender<SubscriptionEvent>) {
    let metrics = subscription.router.metrics.subscriptions().clone();
    let _open = metrics.start();
    let end = drive(subscription, &events, &metrics).await;
    metrics.record_end(end);
}

/// Streams the subscription's events to `events` until it ends; how it ended.
async fn drive(
    subscription: Subscription,
    events: &mpsc::Sender<SubscriptionEvent>,
    metrics: &SubscriptionMetrics,
) -> SubscriptionEnd {
    let Subscription {
        router,
        operation,
        operation_name,
        variables,
        fetcher,
        options,
    } = subscription;
    let executor = &router.executor;
    let plan = &operation.plan;
    let prepared =
        match executor.prepare(&operation.document, operation_name.as_deref(), &variables) {
            Ok(prepared) => prepared,
            Err(error) => {
                let failed = SubscriptionEvent::Failed(vec![error.to_graphql_error()]);
                let _ = events.send(failed).await;
                return SubscriptionEnd::Failed;
            }
        };
    let Some(PlanNode::Subscription { primary, .. }) = &plan.node else {
        // Nothing to stream from (the root field is unresolvable or not
        // selected): the one response there is.
        let outcome = executor.execute(plan, &prepared, &fetcher, options).await;
        let _ = events.send(SubscriptionEvent::Next(outcome.response)).await;
        return SubscriptionEnd::Completed;
    };
    let mut retired = router.retired.subscribe();
    let now = *retired.borrow_and_update();
    if let Some((end, last)) = retirement(now) {
        let _ = events.send(last).await;
        return end;
    }
    let Some(routing_url) = router.client.url(&primary.subgraph) else {
        let unknown = GraphQLError::new(format!(
            "No routing URL is known for subgraph '{}'",
            primary.subgraph
        ))
        .with_code("SUBREQUEST_HTTP_ERROR");
        let _ = events.send(SubscriptionEvent::Failed(vec![unknown])).await;
        return SubscriptionEnd::Failed;
    };
    let request = StreamRequest {
        subgraph: &primary.subgraph,
        routing_url,
        body: json!({
            "query": primary.operation,
            "operationName": primary.operation_name,
            "variables": prepared.forwarded_variables(&primary.variable_usages),
        }),
        headers: fetcher.headers_for(&primary.subgraph),
    };
    let opening = subgraph::open(&router.config.subscriptions, router.client.http(), request);
    let opened = tokio::select! {
        _ = events.closed() => return SubscriptionEnd::ClientGone,
        _ = retired.changed() => {
            let now = *retired.borrow();
            return retire(events, now).await;
        }
        opened = opening => opened,
    };
    let mut stream = match opened {
        Ok(stream) => stream,
        Err(error) => {
            let outcome = executor
                .execute_event(plan, &prepared, &fetcher, options, Err(error))
                .await;
            let failed = SubscriptionEvent::Failed(outcome.response.errors);
            let _ = events.send(failed).await;
            return SubscriptionEnd::Failed;
        }
    };
    loop {
        let event = tokio::select! {
            _ = events.closed() => return SubscriptionEnd::ClientGone,
            _ = retired.changed() => {
                let now = *retired.borrow();
                return retire(events, now).await;
            }
            event = stream.next() => event,
        };
        let Some(event) = event else {
            return SubscriptionEnd::Completed;
        };
        let (failed, event) = match event {
            Ok(SubgraphEvent::Next(response)) => (false, Ok(response)),
            Ok(SubgraphEvent::Refused(response)) => (true, Ok(response)),
            Err(error) => (true, Err(error)),
        };
        let outcome = executor
            .execute_event(plan, &prepared, &fetcher, options.clone(), event)
            .await;
        if failed {
            let failed = SubscriptionEvent::Failed(outcome.response.errors);
            let _ = events.send(failed).await;
            return SubscriptionEnd::Failed;
        }
        if events
            .send(SubscriptionEvent::Next(outcome.response))
            .await
            .is_err()
        {
            return SubscriptionEnd::ClientGone;
        }
        metrics.record_event();
    }
}

/// Ends a subscription whose router state was just retired (`now`).
async fn retire(events: &mpsc::Sender<SubscriptionEvent>, now: Retired) -> SubscriptionEnd {
    let (end, last) = retirement(now).unwrap_or_else(|| (SubscriptionEnd::Reloaded, reloaded()));
    let _ = events.send(last).await;
    end
}

/// How a subscription whose router state is `retired` ends, and its last
/// event, if it is retired.
fn retirement(retired: Retired) -> Option<(SubscriptionEnd, SubscriptionEvent)> {
    match retired {
        Retired::No => None,
        Retired::Reloaded => Some((SubscriptionEnd::Reloaded, reloaded())),
        Retired::ShuttingDown => Some((
            SubscriptionEnd::ShuttingDown,
            SubscriptionEvent::Failed(vec![
                GraphQLError::new("The router is shutting down: subscribe again later")
                    .with_code("SHUTTING_DOWN"),
            ]),
        )),
    }
}

fn reloaded() -> SubscriptionEvent {
    SubscriptionEvent::Failed(vec![
        GraphQLError::new("The router reloaded its schema: subscribe again")
            .with_code("SUBSCRIPTION_SCHEMA_RELOAD"),
    ])
}
