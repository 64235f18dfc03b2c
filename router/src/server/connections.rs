//! Accepting and serving client connections: HTTP/1.1 through hyper, with a bound
//! on receiving request headers (which also bounds idle keep-alive) and a cap on
//! open connections, so that slow or idle clients cannot exhaust the router's file
//! descriptors. (The bound on receiving a body is the handler's: it answers 408.)
//! On shutdown, the listener is closed and every connection finishes the request
//! it is serving, then closes.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;
use tower::ServiceExt;

use crate::config::ServerConfig;

/// Serves `app` on `listener` until `shutdown` resolves, then waits for the open
/// connections to finish their requests.
pub async fn serve(
    app: axum::Router,
    listener: TcpListener,
    config: &ServerConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let mut http = http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(config.header_read_timeout());
    // One permit per open connection. A connection beyond the cap is not accepted
    // until a permit frees: it waits in the kernel's listen backlog, holding no
    // descriptor of ours.
    let permits = Arc::new(Semaphore::new(config.max_connections));
    let (stop, stopping) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => {
                permit.expect("the semaphore is never closed")
            }
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(error) => {
                    // Out of descriptors (EMFILE) and the like: pause instead of
                    // spinning, as axum::serve does.
                    tracing::error!(%error, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_secs(1)).await;
                    continue;
                }
            },
        };
        while connections.try_join_next().is_some() {}
        // With upgrades: a WebSocket leaves this connection for its own task.
        let connection = http
            .serve_connection(TokioIo::new(stream), service(app.clone(), peer))
            .with_upgrades();
        let mut stopping = stopping.clone();
        connections.spawn(async move {
            let _permit = permit;
            tokio::pin!(connection);
            let result = tokio::select! {
                result = connection.as_mut() => result,
                () = async {
                    let _ = stopping.wait_for(|stop| *stop).await;
                } => {
                    // Finish the request being served (if any), then close.
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(error) = result {
                tracing::debug!(%peer, %error, "connection closed with an error");
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    while connections.join_next().await.is_some() {}
    Ok(())
}

/// The application for one connection: requests carry the peer's address
/// (`ConnectInfo`, read by `PeerAddr`).
fn service(
    app: axum::Router,
    peer: SocketAddr,
) -> impl hyper::service::Service<
    http::Request<Incoming>,
    Response = axum::response::Response,
    Error = Infallible,
    Future = impl Future<Output = Result<axum::response::Response, Infallible>> + Send,
> + Clone {
    hyper::service::service_fn(move |mut request: http::Request<Incoming>| {
        request.extensions_mut().insert(ConnectInfo(peer));
        app.clone().oneshot(request.map(axum::body::Body::new))
    })
}
