//! Resource bounds: a cancelled shared subgraph request does not outlive its
//! clients.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use common::{MockSubgraph, Reply, TestRouter, config_with};
use serde_json::json;

/// Every client waiting on a shared (deduplicated) subgraph request goes away:
/// the request is dropped with them, and the next identical query is sent anew
/// instead of joining the stale request (whose timeout had passed meanwhile).
#[tokio::test]
async fn cancelled_shared_request_does_not_stay_in_flight() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = calls.clone();
    // The first request is answered long after every timeout; later ones at once.
    let products = MockSubgraph::start(move |body| {
        if seen.fetch_add(1, Ordering::SeqCst) == 0 {
            Reply::Delayed(Duration::from_secs(5), Box::new(common::products(body)))
        } else {
            common::products(body)
        }
    })
    .await;
    let mut config = config_with(&[("products", &products.url)]).await;
    config.timeouts.subgraph_request_ms = 400;
    // The whole-request timeout drops the pipeline, and with it the only client
    // of the shared subgraph request.
    config.timeouts.request_ms = 150;
    let router = TestRouter::start(config).await;
    let query = json!({ "query": "{ topProducts { upc } }" });

    let first = router.post(query.clone()).await;
    assert_eq!(first.status, 504, "{:?}", first.body);

    // Past the subgraph timeout of the dropped request.
    tokio::time::sleep(Duration::from_millis(600)).await;
    let second = router.post(query).await;
    assert_eq!(second.status, 200);
    assert_eq!(
        second.body,
        json!({"data": {"topProducts": [{"upc": "1"}, {"upc": "2"}, {"upc": "3"}]}}),
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);
    assert_eq!(router.router.subgraph_requests_in_flight(), 0);
}
