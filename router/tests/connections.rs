//! Client connections over real TCP: a client that stalls in its headers or its
//! body is cut off after the configured timeout, the number of open connections
//! is capped, and normal clients are served meanwhile. Shutdown still drains
//! in-flight requests.

mod common;

use std::time::Duration;

use common::{MockSubgraph, Reply, TestRouter, config_with};
use serde_json::json;
use switchyard::Router;
use switchyard::config::RouterConfig;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Guards against a hang (the bug these tests reproduce): far above every
/// configured timeout, so it never decides a passing run.
const HANG_GUARD: Duration = Duration::from_secs(20);

fn config(header_ms: u64, body_ms: u64, max_connections: usize) -> RouterConfig {
    let mut config = RouterConfig::default();
    config.server.header_read_timeout_ms = header_ms;
    config.server.body_read_timeout_ms = body_ms;
    config.server.max_connections = max_connections;
    config
}

fn address(router: &TestRouter) -> String {
    router.base.trim_start_matches("http://").to_owned()
}

/// A connection that sent part of a request's headers and then nothing.
async fn stalled_in_headers(address: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"POST /graphql HTTP/1.1\r\nHost: router\r\nContent-Type: appl")
        .await
        .unwrap();
    stream
}

/// A connection that sent a request's headers and part of its body.
async fn stalled_in_body(address: &str) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(
            b"POST /graphql HTTP/1.1\r\nHost: router\r\nContent-Type: application/json\r\n\
              Content-Length: 100\r\n\r\n{\"query\":",
        )
        .await
        .unwrap();
    stream
}

/// Everything the router sends until it closes the connection.
async fn read_until_closed(mut stream: TcpStream) -> String {
    let mut received = Vec::new();
    tokio::time::timeout(HANG_GUARD, stream.read_to_end(&mut received))
        .await
        .expect("the router closes the connection")
        .expect("the connection reads cleanly");
    String::from_utf8_lossy(&received).into_owned()
}

/// A client that opens a new connection for every request.
fn fresh_client() -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap()
}

#[tokio::test]
async fn a_client_stalling_in_its_headers_is_disconnected() {
    let router = TestRouter::start(config(200, 60_000, 100)).await;
    let stream = stalled_in_headers(&address(&router)).await;
    let received = read_until_closed(stream).await;
    assert!(
        received.is_empty() || received.starts_with("HTTP/1.1 408"),
        "{received}"
    );
}

#[tokio::test]
async fn a_client_stalling_in_its_body_gets_408_and_is_disconnected() {
    let router = TestRouter::start(config(60_000, 200, 100)).await;
    let stream = stalled_in_body(&address(&router)).await;
    let received = read_until_closed(stream).await;
    assert!(received.starts_with("HTTP/1.1 408"), "{received}");
    assert!(
        received.contains(r#""code":"BODY_READ_TIMEOUT""#),
        "{received}"
    );
}

#[tokio::test]
async fn normal_clients_are_served_while_slow_ones_hold_connections_up_to_the_cap() {
    // Timeouts far longer than the test: the slow connections stay open throughout.
    let router = TestRouter::start(config(60_000, 60_000, 4)).await;
    let address = address(&router);
    let mut slow = vec![
        stalled_in_headers(&address).await,
        stalled_in_headers(&address).await,
        stalled_in_body(&address).await,
    ];
    // Three of four connections are held: a normal client is still served.
    let health = fresh_client()
        .get(router.url("/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
    drop(health);

    // A fourth slow connection takes the last place; the next client waits...
    slow.push(stalled_in_headers(&address).await);
    let url = router.url("/health");
    let waiting = tokio::spawn(async move { fresh_client().get(url).send().await });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!waiting.is_finished(), "served beyond max_connections");

    // ...until a connection closes.
    drop(slow.remove(0));
    let health = tokio::time::timeout(HANG_GUARD, waiting)
        .await
        .expect("served once a connection closed")
        .unwrap()
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn shutdown_finishes_in_flight_requests_and_drops_stalled_connections() {
    let products = MockSubgraph::start(|body| {
        Reply::Delayed(Duration::from_millis(300), Box::new(common::products(body)))
    })
    .await;
    let mut config = config_with(&[("products", &products.url)]).await;
    config.server.header_read_timeout_ms = 200;
    let router = Router::from_supergraph_sdl(common::SUPERGRAPH, config).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap().to_string();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let serving = tokio::spawn(async move {
        router
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await
    });

    let stalled = stalled_in_headers(&address).await;
    let url = format!("http://{address}/graphql");
    let in_flight = tokio::spawn(async move {
        fresh_client()
            .post(url)
            .header("content-type", "application/json")
            .body(json!({"query": "{ topProducts { name } }"}).to_string())
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap()
    });
    // Shut down once the request is being executed.
    while products.requests().is_empty() {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    stop.send(()).unwrap();

    let body = tokio::time::timeout(HANG_GUARD, in_flight)
        .await
        .expect("the in-flight request completes")
        .unwrap();
    assert_eq!(
        body,
        r#"{"data":{"topProducts":[{"name":"Table"},{"name":"Couch"},{"name":"Chair"}]}}"#
    );
    tokio::time::timeout(HANG_GUARD, serving)
        .await
        .expect("serving stops")
        .unwrap()
        .unwrap();
    read_until_closed(stalled).await;
}
