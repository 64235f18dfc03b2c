//! Executing an operation with an active `@defer` for a client that takes
//! incremental delivery: the executor's parts as a `'static` stream the HTTP
//! body can own (`server::multipart` writes it).
//!
//! The execution is a future inside the stream, polled as the body is: it holds
//! the router state and the cached operation it reads (so a reload meanwhile
//! changes nothing under it), and dropping the body (the client went away)
//! drops it, with the fetches in flight.

use std::sync::Arc;

use futures::StreamExt;
use futures::stream::BoxStream;
use switchyard_executor::{ExecutionOptions, IncrementalPart};
use tracing::Instrument;

use crate::pipeline::CachedOperation;
use crate::router::RouterInner;
use crate::server::graphql_request::GraphQLRequest;
use crate::subgraph_client::RequestFetcher;

/// The parts of `cached`'s plan for `request`, as they complete. The
/// request's operation and variables were checked by the pipeline already.
pub(crate) fn execute(
    router: Arc<RouterInner>,
    cached: Arc<CachedOperation>,
    request: &GraphQLRequest,
    fetcher: RequestFetcher,
    options: ExecutionOptions,
    span: tracing::Span,
) -> BoxStream<'static, IncrementalPart> {
    let (sender, receiver) = futures::channel::mpsc::unbounded();
    let operation_name = request.operation_name.clone();
    let variables = request.variables.clone();
    let execution = async move {
        let prepared =
            match router
                .executor
                .prepare(&cached.document, operation_name.as_deref(), &variables)
            {
                Ok(prepared) => prepared,
                // Prepared once already by the pipeline with the same inputs.
                Err(error) => {
                    tracing::error!(%error, "a deferred operation no longer prepares");
                    return;
                }
            };
        router
            .executor
            .execute_incremental(&cached.plan, &prepared, &fetcher, options, sender)
            .await;
    }
    .instrument(span);
    // The receiver ends once the execution has sent its last part and dropped
    // the sender; the execution's own item (`None`) is filtered out.
    futures::stream::select(
        receiver.map(Some),
        futures::stream::once(execution).map(|()| None),
    )
    .filter_map(futures::future::ready)
    .boxed()
}

/// The HTTP response of an incremental answer: waits for the initial part
/// (the primary fetches; until `deadline`), so the status, the headers the
/// subgraphs' answers set and the request's outcome are known, then streams
/// it and the rest as `multipart/mixed` until `deadline`, when the body is
/// closed. `None` when the execution sent nothing in time.
pub(crate) async fn response(
    mut parts: BoxStream<'static, IncrementalPart>,
    deadline: tokio::time::Instant,
) -> Option<(axum::response::Response, bool)> {
    let first = tokio::time::timeout_at(deadline, parts.next())
        .await
        .ok()??;
    let has_errors =
        matches!(&first, IncrementalPart::Initial { response, .. } if !response.errors.is_empty());
    let rest = parts.take_until(tokio::time::sleep_until(deadline));
    let body = futures::stream::once(async move { first })
        .chain(rest)
        .map(IncrementalPart::into_json_bytes);
    let mut response =
        axum::response::Response::new(crate::server::multipart::multipart_body(body));
    response.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static(crate::server::multipart::DEFER_CONTENT_TYPE),
    );
    Some((response, has_errors))
}
