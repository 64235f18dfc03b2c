//! Prometheus metrics through HTTP: traffic on `/graphql`, then the metrics
//! page on the router's metrics listener, parsed.

mod common;

use std::time::Duration;

use common::{MockSubgraph, Reply, Shop, TestRouter, config_with, products};
use serde_json::json;
use switchyard::config::RouterConfig;
use tokio::sync::oneshot;

/// The router's metrics listener on an ephemeral port; stops when dropped.
struct MetricsListener {
    url: String,
    _stop: oneshot::Sender<()>,
}

impl MetricsListener {
    async fn start(router: &TestRouter) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let path = router.router.config().telemetry.metrics.path.clone();
        let url = format!("http://{}{path}", listener.local_addr().unwrap());
        let (stop, stopped) = oneshot::channel::<()>();
        let serving = router.router.clone();
        tokio::spawn(async move {
            let _ = serving
                .serve_metrics(listener, async {
                    let _ = stopped.await;
                })
                .await;
        });
        MetricsListener { url, _stop: stop }
    }

    /// GETs the page and checks its content type.
    async fn scrape(&self) -> Scrape {
        let response = reqwest::get(&self.url).await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        Scrape(response.text().await.unwrap())
    }
}

/// A metrics page.
struct Scrape(String);

impl Scrape {
    /// The value of one series, written as on the page (`name{labels}`).
    fn value(&self, series: &str) -> f64 {
        self.find(series)
            .unwrap_or_else(|| panic!("no series {series} in\n{}", self.0))
    }

    fn find(&self, series: &str) -> Option<f64> {
        self.0.lines().find_map(|line| {
            let value = line.strip_prefix(series)?.strip_prefix(' ')?;
            Some(value.parse().unwrap())
        })
    }
}

const TOP: &str = "query Top { topProducts { upc name } }";

async fn post(router: &TestRouter, query: &str, operation_name: &str) -> common::Answer {
    router
        .post(json!({"query": query, "operationName": operation_name}))
        .await
}

#[tokio::test]
async fn metrics_count_requests_subgraphs_and_the_plan_cache() {
    let shop = Shop::start().await;
    // `accounts` points at a closed port: its requests fail.
    let config = config_with(&[("products", &shop.products.url)]).await;
    let router = TestRouter::start(config).await;
    let metrics = MetricsListener::start(&router).await;

    for _ in 0..3 {
        let answer = post(&router, TOP, "Top").await;
        assert_eq!(answer.status, 200);
        assert!(answer.body.get("errors").is_none(), "{}", answer.body);
    }
    // Invalid: refused, and its (unvalidated) name is no label.
    let answer = post(&router, "query Bad { nope }", "Bad").await;
    assert_eq!(answer.status, 200); // application/json
    assert!(answer.body["errors"].is_array());
    // A subgraph that cannot be reached: executed, with errors.
    let answer = post(&router, "query Me { me { name } }", "Me").await;
    assert!(answer.body["errors"].is_array(), "{}", answer.body);

    let page = metrics.scrape().await;
    let requests = |outcome: &str, name: &str| {
        page.value(&format!(
            "switchyard_http_requests_total{{outcome=\"{outcome}\",operation_name=\"{name}\"}}"
        ))
    };
    assert_eq!(requests("ok", "Top"), 3.0);
    assert_eq!(requests("rejected", ""), 1.0);
    assert_eq!(requests("graphql_error", "Me"), 1.0);
    assert!(!page.0.contains("operation_name=\"Bad\""), "{}", page.0);
    assert_eq!(
        page.value("switchyard_http_request_duration_seconds_count"),
        5.0
    );
    assert_eq!(
        page.value("switchyard_http_request_duration_seconds_bucket{le=\"+Inf\"}"),
        5.0
    );
    assert_eq!(page.value("switchyard_http_requests_in_flight"), 0.0);

    let subgraph = |name: &str, outcome: &str| {
        page.value(&format!(
            "switchyard_subgraph_requests_total{{subgraph=\"{name}\",outcome=\"{outcome}\"}}"
        ))
    };
    assert_eq!(subgraph("products", "ok"), 3.0);
    assert_eq!(subgraph("accounts", "transport_error"), 1.0);
    assert_eq!(subgraph("accounts", "ok"), 0.0);
    assert_eq!(subgraph("reviews", "ok"), 0.0);
    assert_eq!(
        page.value("switchyard_subgraph_errors_total{subgraph=\"accounts\"}"),
        1.0
    );
    assert_eq!(
        page.value("switchyard_subgraph_errors_total{subgraph=\"products\"}"),
        0.0
    );
    assert_eq!(
        page.value("switchyard_subgraph_request_duration_seconds_count{subgraph=\"products\"}"),
        3.0
    );
    assert_eq!(
        page.value("switchyard_subgraph_deduplicated_requests_total{subgraph=\"products\"}"),
        0.0
    );

    // Top planned once then found twice; Bad and Me looked up once each.
    let stats = router.router.plan_cache_stats();
    assert_eq!((stats.hits, stats.misses), (2, 3));
    assert_eq!(page.value("switchyard_plan_cache_hits_total"), 2.0);
    assert_eq!(page.value("switchyard_plan_cache_misses_total"), 3.0);
    assert_eq!(
        page.value("switchyard_plan_cache_bytes"),
        stats.bytes as f64
    );
    assert!(stats.bytes > 0);
    assert_eq!(
        page.value("switchyard_schema_reloads_total{outcome=\"success\"}"),
        0.0
    );

    // The metrics are not on the public port.
    assert_eq!(router.get("/metrics", &[]).await.status, 404);
    // The scrape itself is no GraphQL request.
    let again = metrics.scrape().await;
    assert_eq!(
        again.value("switchyard_http_request_duration_seconds_count"),
        5.0
    );
}

#[tokio::test]
async fn metrics_count_deduplicated_fetches_and_requests_in_flight() {
    let slow = MockSubgraph::start(|body| {
        Reply::Delayed(Duration::from_millis(400), Box::new(products(body)))
    })
    .await;
    let config = config_with(&[("products", &slow.url)]).await;
    let router = TestRouter::start(config).await;
    let metrics = MetricsListener::start(&router).await;

    let requests: Vec<_> = (0..3)
        .map(|_| {
            let http = router.http.clone();
            let url = router.url("/graphql");
            tokio::spawn(async move {
                http.post(url)
                    .header("content-type", "application/json")
                    .body(json!({"query": TOP}).to_string())
                    .send()
                    .await
                    .unwrap()
                    .status()
            })
        })
        .collect();
    // While the subgraph holds them.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let during = metrics.scrape().await;
    assert_eq!(during.value("switchyard_http_requests_in_flight"), 3.0);
    for request in requests {
        assert_eq!(request.await.unwrap(), 200);
    }

    let page = metrics.scrape().await;
    assert_eq!(page.value("switchyard_http_requests_in_flight"), 0.0);
    assert_eq!(slow.requests().len(), 1);
    assert_eq!(
        page.value("switchyard_subgraph_requests_total{subgraph=\"products\",outcome=\"ok\"}"),
        1.0
    );
    assert_eq!(
        page.value("switchyard_subgraph_deduplicated_requests_total{subgraph=\"products\"}"),
        2.0
    );
    // No operationName sent: no name label.
    assert_eq!(
        page.value("switchyard_http_requests_total{outcome=\"ok\",operation_name=\"\"}"),
        3.0
    );
}

#[tokio::test]
async fn metrics_count_rate_limited_and_refused_requests() {
    let shop = Shop::start().await;
    let mut config: RouterConfig = shop.config().await;
    config.rate_limit.per_client = Some(switchyard::config::PerClientLimit::Text("2/1h".into()));
    let router = TestRouter::start(config).await;
    let metrics = MetricsListener::start(&router).await;

    // Refused before the pipeline: an unsupported media type.
    let answer = router
        .post_raw("{}", &[("content-type", "application/xml")])
        .await;
    assert_eq!(answer.status, 415);
    assert_eq!(post(&router, TOP, "Top").await.status, 200);
    assert_eq!(post(&router, TOP, "Top").await.status, 429);

    let page = metrics.scrape().await;
    assert_eq!(
        page.value("switchyard_http_requests_total{outcome=\"rejected\",operation_name=\"\"}"),
        1.0
    );
    assert_eq!(
        page.value("switchyard_http_requests_total{outcome=\"ok\",operation_name=\"Top\"}"),
        1.0
    );
    assert_eq!(
        page.value("switchyard_http_requests_total{outcome=\"rate_limited\",operation_name=\"\"}"),
        1.0
    );
    assert_eq!(
        page.value("switchyard_http_request_duration_seconds_count"),
        3.0
    );
}
