//! Basic HTTP metrics of a service, in the Prometheus text format at
//! `/metrics` on the service's own port (services sit on the private network,
//! behind the router): requests by route and outcome, their latency, and the
//! requests in flight. [`crate::server::serve`] adds them to every service.
//!
//! Each served app has its own registry, so services sharing a process (the
//! shop launcher, tests) each count only their own requests.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};

/// Where the metrics are served.
pub const METRICS_PATH: &str = "/metrics";

/// Latency buckets, in seconds: 1 ms to 30 s.
const LATENCY_BUCKETS: [f64; 14] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0,
];

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RequestLabels {
    /// The route as declared (`/graphql`), so the label set stays bounded.
    route: String,
    /// `ok` (2xx, 3xx), `client_error` (4xx) or `server_error` (5xx).
    outcome: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

/// The metrics of one served app.
#[derive(Debug)]
pub struct ServiceMetrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    duration: Family<RouteLabel, Histogram, fn() -> Histogram>,
    in_flight: Gauge,
}

impl Default for ServiceMetrics {
    fn default() -> Self {
        Self::new()
    }
}

impl ServiceMetrics {
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("shop");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "http_requests",
            "HTTP requests answered, by route and outcome (ok: 2xx and 3xx, client_error: 4xx, \
             server_error: 5xx)",
            requests.clone(),
        );
        let duration =
            Family::<RouteLabel, Histogram, fn() -> Histogram>::new_with_constructor(|| {
                Histogram::new(LATENCY_BUCKETS)
            });
        registry.register_with_unit(
            "http_request_duration",
            "Time to answer an HTTP request, by route",
            Unit::Seconds,
            duration.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "http_requests_in_flight",
            "HTTP requests being answered",
            in_flight.clone(),
        );
        ServiceMetrics {
            registry,
            requests,
            duration,
            in_flight,
        }
    }

    /// The metrics in the Prometheus text format.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String does not fail.
        let _ = prometheus_client::encoding::prometheus_text::encode(&mut text, &self.registry);
        text
    }

    /// Adds `/metrics` to `app` and counts the requests of every route it has
    /// (requests that match no route are not counted).
    pub fn instrument(self: Arc<Self>, app: Router) -> Router {
        let page = self.clone();
        app.route(
            METRICS_PATH,
            get(move || {
                let page = page.clone();
                async move {
                    (
                        [(
                            http::header::CONTENT_TYPE,
                            prometheus_client::encoding::prometheus_text::CONTENT_TYPE,
                        )],
                        page.encode(),
                    )
                        .into_response()
                }
            }),
        )
        .route_layer(axum::middleware::from_fn_with_state(self, record))
    }
}

/// Decrements the in-flight gauge when the request ends, cancelled or not.
struct InFlight(Gauge);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.dec();
    }
}

async fn record(
    State(metrics): State<Arc<ServiceMetrics>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or("unmatched", MatchedPath::as_str)
        .to_owned();
    metrics.in_flight.inc();
    let in_flight = InFlight(metrics.in_flight.clone());
    let start = Instant::now();
    let response = next.run(request).await;
    let elapsed = start.elapsed().as_secs_f64();
    drop(in_flight);
    let status = response.status();
    let outcome = if status.is_server_error() {
        "server_error"
    } else if status.is_client_error() {
        "client_error"
    } else {
        "ok"
    };
    let route = RouteLabel { route };
    metrics.duration.get_or_create(&route).observe(elapsed);
    metrics
        .requests
        .get_or_create(&RequestLabels {
            route: route.route,
            outcome,
        })
        .inc();
    response
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::routing::get;

    fn sample(page: &str, series: &str) -> Option<f64> {
        page.lines().find_map(|line| {
            let value = line.strip_prefix(series)?.strip_prefix(' ')?;
            Some(value.parse().unwrap())
        })
    }

    /// Through HTTP, as `server::serve` serves every service.
    #[tokio::test]
    async fn metrics_count_requests_by_route_and_outcome() {
        let app = Router::new()
            .route("/graphql", get(|| async { "{}" }))
            .route(
                "/broken",
                get(|| async { (http::StatusCode::INTERNAL_SERVER_ERROR, "no") }),
            );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(crate::server::serve(listener, app, async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::new();
        let url = |path: &str| format!("{base}{path}");
        for _ in 0..3 {
            let response = client.get(url("/graphql")).send().await.unwrap();
            assert_eq!(response.status(), 200);
        }
        let broken = client.get(url("/broken")).send().await.unwrap();
        assert_eq!(broken.status(), 500);

        let response = client.get(url("/metrics")).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(
            response.headers()["content-type"],
            "text/plain; version=0.0.4; charset=utf-8"
        );
        let page = response.text().await.unwrap();
        let value = |series: &str| {
            sample(&page, series).unwrap_or_else(|| panic!("no series {series} in\n{page}"))
        };
        assert_eq!(
            value("shop_http_requests_total{route=\"/graphql\",outcome=\"ok\"}"),
            3.0
        );
        assert_eq!(
            value("shop_http_requests_total{route=\"/broken\",outcome=\"server_error\"}"),
            1.0
        );
        assert_eq!(
            value("shop_http_request_duration_seconds_count{route=\"/graphql\"}"),
            3.0
        );
        // The scrape itself is in flight while the page is written.
        assert_eq!(value("shop_http_requests_in_flight"), 1.0);
        let _ = stop.send(());
    }
}
