//! OpenTelemetry traces through the real interfaces: `switchyard serve` (a
//! child process, with its own subscriber) exports over OTLP/HTTP to a
//! receiver in this test, in front of a products subgraph that continues the
//! trace as a service would (this test process installs the telemetry
//! library's subscriber, exporting to the same receiver).

mod common;

use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use common::binary::ServedBinary;
use serde_json::{Value, json};
use std::sync::{Arc, Mutex};
use switchyard_telemetry::propagation::{self, TRACEPARENT};
use switchyard_telemetry::testing::{ExportedSpan, OtlpReceiver};
use switchyard_telemetry::{LogFormat, OtlpProtocol, Telemetry, TraceSettings};
use tokio::sync::oneshot;
use tracing::Instrument;

/// This process's telemetry: one subscriber, exporting the mock subgraph's
/// spans to the receiver, both on a runtime that outlives every test.
struct Collector {
    receiver: OtlpReceiver,
    telemetry: Telemetry,
    _runtime: tokio::runtime::Runtime,
}

fn collector() -> &'static Collector {
    static COLLECTOR: OnceLock<Collector> = OnceLock::new();
    COLLECTOR.get_or_init(|| {
        // A thread of its own: tests call this from inside their runtime.
        std::thread::spawn(|| {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .unwrap();
            let (receiver, telemetry) = runtime.block_on(async {
                let receiver = OtlpReceiver::start().await;
                let settings = TraceSettings {
                    endpoint: receiver.endpoint.clone(),
                    protocol: OtlpProtocol::Http,
                    sampling: 1.0,
                    service_name: "mock-products".to_owned(),
                };
                let telemetry = switchyard_telemetry::install(LogFormat::Text, Some(&settings))
                    .expect("the test's subscriber installs");
                (receiver, telemetry)
            });
            Collector {
                receiver,
                telemetry,
                _runtime: runtime,
            }
        })
        .join()
        .unwrap()
    })
}

/// A products subgraph that continues the caller's trace in a server span,
/// answers after `delay`, and keeps every request's `traceparent`.
struct TracedSubgraph {
    url: String,
    traceparents: Arc<Mutex<Vec<Option<String>>>>,
    _stop: oneshot::Sender<()>,
}

#[derive(Clone)]
struct SubgraphState {
    delay: Duration,
    traceparents: Arc<Mutex<Vec<Option<String>>>>,
}

impl TracedSubgraph {
    async fn start(delay: Duration) -> Self {
        collector();
        let traceparents = Arc::new(Mutex::new(Vec::new()));
        let state = SubgraphState {
            delay,
            traceparents: traceparents.clone(),
        };
        let app = axum::Router::new()
            .route("/graphql", axum::routing::post(answer))
            .with_state(state);
        let (base, stop) = common::serve_app(app).await;
        TracedSubgraph {
            url: format!("{base}/graphql"),
            traceparents,
            _stop: stop,
        }
    }

    fn traceparents(&self) -> Vec<Option<String>> {
        self.traceparents.lock().unwrap().clone()
    }
}

async fn answer(
    State(state): State<SubgraphState>,
    headers: HeaderMap,
    body: Bytes,
) -> axum::Json<Value> {
    let traceparent = headers
        .get(TRACEPARENT)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    state.traceparents.lock().unwrap().push(traceparent);
    let span = tracing::info_span!("products.server", otel.kind = "server");
    propagation::continue_trace(&span, &headers);
    async move {
        tokio::time::sleep(state.delay).await;
        let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        match common::products(&body) {
            common::Reply::Json(value) => axum::Json(value),
            other => panic!("unexpected reply {other:?}"),
        }
    }
    .instrument(span)
    .await
}

/// A fresh W3C trace id and parent span id.
fn ids() -> (String, String) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let seed = std::process::id() as u64;
    (
        format!("{seed:016x}{n:016x}"),
        format!("{:016x}", 0xabc0_0000_0000_0000 | n),
    )
}

fn router_config(endpoint: &str, sampling: f64, subgraph: &str) -> String {
    format!(
        "override_subgraph_urls: {{products: '{subgraph}'}}\n\
         telemetry:\n  metrics: {{enabled: false}}\n  tracing:\n    enabled: true\n    \
         sampling: {sampling}\n    service_name: switchyard-test\n    otlp: {{endpoint: '{endpoint}', protocol: http}}"
    )
}

async fn post(router: &ServedBinary, traceparent: Option<&str>, query: &str) -> Value {
    let operation_name = query
        .strip_prefix("query ")
        .and_then(|rest| rest.split_whitespace().next());
    let mut request = reqwest::Client::new()
        .post(router.url("/graphql"))
        .json(&json!({ "query": query, "operationName": operation_name }));
    if let Some(traceparent) = traceparent {
        request = request.header("traceparent", traceparent);
    }
    let response = request.send().await.unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

fn named<'s>(spans: &'s [ExportedSpan], name: &str) -> &'s ExportedSpan {
    spans
        .iter()
        .find(|span| span.name == name)
        .unwrap_or_else(|| panic!("no span {name} in {spans:#?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_clients_trace_continues_through_the_router_into_the_subgraph() {
    let collector = collector();
    let subgraph = TracedSubgraph::start(Duration::ZERO).await;
    let config = router_config(&collector.receiver.endpoint, 1.0, &subgraph.url);
    // A long batch delay: the spans reach the receiver because a graceful stop
    // flushes them.
    let router = tokio::task::spawn_blocking(move || {
        ServedBinary::start(&config, &[("OTEL_BSP_SCHEDULE_DELAY", "600000")])
    })
    .await
    .unwrap();
    let (trace_id, client_span) = ids();
    let traceparent = format!("00-{trace_id}-{client_span}-01");
    let body = post(
        &router,
        Some(&traceparent),
        "query Top { topProducts(first: 1) { upc name } }",
    )
    .await;
    assert_eq!(body["data"]["topProducts"][0]["upc"], "1", "{body}");
    tokio::task::spawn_blocking(move || {
        router.stop();
        collector.telemetry.flush();
    })
    .await
    .unwrap();

    let spans = collector
        .receiver
        .trace(&trace_id, |spans| {
            spans.iter().any(|span| span.name == "POST /graphql")
                && spans.iter().any(|span| span.name == "products.server")
        })
        .await;
    let request = named(&spans, "POST /graphql");
    assert_eq!(request.service, "switchyard-test");
    assert_eq!(
        request.parent_span_id, client_span,
        "the client's span is its parent"
    );
    assert_eq!(request.attribute("graphql.operation.name"), Some("Top"));
    assert_eq!(request.attribute("http.response.status_code"), Some("200"));
    assert_eq!(request.attribute("switchyard.outcome"), Some("ok"));

    let planning = named(&spans, "operation.plan");
    assert_eq!(planning.parent_span_id, request.span_id);
    assert_eq!(planning.attribute("switchyard.plan_cache"), Some("miss"));
    for phase in ["operation.parse_validate", "operation.query_plan"] {
        assert_eq!(
            named(&spans, phase).parent_span_id,
            planning.span_id,
            "{phase}"
        );
    }
    assert_eq!(
        named(&spans, "response.serialize").parent_span_id,
        request.span_id
    );
    let execution = named(&spans, "operation.execute");
    assert_eq!(execution.parent_span_id, request.span_id);

    let fetch = named(&spans, "fetch products");
    assert_eq!(fetch.parent_span_id, execution.span_id);
    assert_eq!(fetch.attribute("subgraph.name"), Some("products"));
    assert_eq!(fetch.attribute("http.response.status_code"), Some("200"));
    let size: u64 = fetch
        .attribute("http.response.body.size")
        .unwrap()
        .parse()
        .unwrap();
    assert!(size > 10, "{size}");

    let server = named(&spans, "products.server");
    assert_eq!(server.service, "mock-products");
    assert_eq!(
        server.parent_span_id, fetch.span_id,
        "the subgraph continues from the fetch span"
    );
    assert_eq!(
        subgraph.traceparents(),
        vec![Some(format!("00-{trace_id}-{}-01", fetch.span_id))]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unsampled_requests_export_nothing_and_still_carry_the_trace() {
    let collector = collector();
    // Slow enough that two identical requests overlap, and deduplicate.
    let subgraph = TracedSubgraph::start(Duration::from_millis(500)).await;
    let config = router_config(&collector.receiver.endpoint, 0.0, &subgraph.url);
    let router = tokio::task::spawn_blocking(move || ServedBinary::start(&config, &[]))
        .await
        .unwrap();
    let (first_trace, first_parent) = ids();
    let (second_trace, second_parent) = ids();
    let query = "{ topProducts(first: 1) { upc } }";
    // The client did not sample these: the router follows it.
    let first = format!("00-{first_trace}-{first_parent}-00");
    let second = format!("00-{second_trace}-{second_parent}-00");
    let (a, b) = tokio::join!(
        post(&router, Some(&first), query),
        post(&router, Some(&second), query)
    );
    assert_eq!(a, b);
    let shared = subgraph.traceparents();
    assert_eq!(
        shared.len(),
        1,
        "different traceparents still share one subgraph request: {shared:?}"
    );
    let shared = shared[0]
        .clone()
        .expect("the shared request carries a trace");
    assert!(
        shared.starts_with(&format!("00-{first_trace}-"))
            || shared.starts_with(&format!("00-{second_trace}-")),
        "{shared}"
    );
    assert!(shared.ends_with("-00"), "not sampled: {shared}");
    // Without a client trace, a new one starts, unsampled at ratio 0.
    post(&router, None, "{ topProducts(first: 2) { upc } }").await;
    let own = subgraph.traceparents()[1].clone().expect("a new trace");
    assert!(own.ends_with("-00"), "{own}");
    let own_trace = own.split('-').nth(1).unwrap().to_owned();
    assert_ne!(own_trace, first_trace);

    tokio::task::spawn_blocking(move || {
        router.stop();
        collector.telemetry.flush();
    })
    .await
    .unwrap();
    let exported: Vec<ExportedSpan> = collector
        .receiver
        .spans()
        .into_iter()
        .filter(|span| [&first_trace, &second_trace, &own_trace].contains(&&span.trace_id))
        .collect();
    assert!(exported.is_empty(), "{exported:#?}");
}

/// The sampler decides before the request's span exists, and the span must
/// then get the very trace id it decided for: were the ratio drawn again for
/// the span, a quarter of new traces would be kept at 0.5, and some requests
/// would tell their subgraphs "sampled" for a trace nobody exports.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ratio_keeps_its_share_of_new_traces_once_and_whole() {
    const REQUESTS: usize = 400;
    let collector = collector();
    let subgraph = TracedSubgraph::start(Duration::ZERO).await;
    let config = router_config(&collector.receiver.endpoint, 0.5, &subgraph.url);
    let router = tokio::task::spawn_blocking(move || {
        ServedBinary::start(&config, &[("OTEL_BSP_SCHEDULE_DELAY", "600000")])
    })
    .await
    .unwrap();
    for _ in 0..REQUESTS {
        post(&router, None, "{ topProducts(first: 1) { upc } }").await;
    }
    let traceparents: Vec<String> = subgraph
        .traceparents()
        .into_iter()
        .map(|traceparent| traceparent.expect("every fetch carries its trace"))
        .collect();
    assert_eq!(traceparents.len(), REQUESTS);
    let trace_of = |traceparent: &String| traceparent.split('-').nth(1).unwrap().to_owned();
    let (kept, dropped): (Vec<&String>, Vec<&String>) = traceparents
        .iter()
        .partition(|traceparent| traceparent.ends_with("-01"));
    assert!(
        dropped
            .iter()
            .all(|traceparent| traceparent.ends_with("-00")),
        "{dropped:?}"
    );
    // Binomial(400, 0.5): 200 ± 10; drawn twice it would be 100 ± 9.
    assert!(
        (150..=250).contains(&kept.len()),
        "{} of {REQUESTS} traces kept at 0.5",
        kept.len()
    );
    let kept: std::collections::BTreeSet<String> = kept.into_iter().map(trace_of).collect();
    let dropped: std::collections::BTreeSet<String> = dropped.into_iter().map(trace_of).collect();

    tokio::task::spawn_blocking(move || {
        router.stop();
        collector.telemetry.flush();
    })
    .await
    .unwrap();
    let exported_requests = || -> std::collections::BTreeSet<String> {
        collector
            .receiver
            .spans()
            .into_iter()
            .filter(|span| {
                span.name == "POST /graphql"
                    && (kept.contains(&span.trace_id) || dropped.contains(&span.trace_id))
            })
            .map(|span| span.trace_id)
            .collect()
    };
    let waited = std::time::Instant::now();
    while exported_requests().len() < kept.len() && waited.elapsed() < Duration::from_secs(15) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(
        exported_requests(),
        kept,
        "exactly the requests whose subgraphs were told \"sampled\" are exported"
    );
    let stray: Vec<ExportedSpan> = collector
        .receiver
        .spans()
        .into_iter()
        .filter(|span| dropped.contains(&span.trace_id))
        .collect();
    assert!(stray.is_empty(), "{stray:#?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn grpc_export_to_an_absent_collector_does_not_stop_serving() {
    let subgraph = TracedSubgraph::start(Duration::ZERO).await;
    let closed = common::closed_url().await.replace("/graphql", "");
    let config = format!(
        "override_subgraph_urls: {{products: '{}'}}\n\
         telemetry:\n  metrics: {{enabled: false}}\n  tracing:\n    enabled: true\n    \
         otlp: {{endpoint: '{closed}', protocol: grpc}}",
        subgraph.url
    );
    let router = tokio::task::spawn_blocking(move || ServedBinary::start(&config, &[]))
        .await
        .unwrap();
    let (trace_id, parent) = ids();
    let body = post(
        &router,
        Some(&format!("00-{trace_id}-{parent}-01")),
        "{ topProducts(first: 1) { upc } }",
    )
    .await;
    assert_eq!(body["data"]["topProducts"][0]["upc"], "1", "{body}");
    // The trace still reaches the subgraph, and the router still stops in time.
    let traceparent = subgraph.traceparents()[0].clone().unwrap();
    assert!(
        traceparent.starts_with(&format!("00-{trace_id}-")),
        "{traceparent}"
    );
    tokio::task::spawn_blocking(move || router.stop())
        .await
        .unwrap();
}
