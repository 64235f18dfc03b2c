//! Progressive `@override(label: "percent(N)")`: the router draws the labels per
//! request and plans accordingly; other labels are on only when the config enables
//! them, or lists a header through which a request may enable them.

mod common;

use common::{MockSubgraph, Reply, TestRouter};
use serde_json::json;
use switchyard::RouterConfig;

const SUPERGRAPH: &str = include_str!("fixtures/progressive_override.graphql");

#[tokio::test]
async fn percent_labels_decide_which_subgraph_resolves() {
    let (_catalog, stock, router) = start(|_| {}).await;
    let answer = router.post(json!({ "query": QUERY })).await;
    // rating (percent(100)) comes from stock; stock (percent(0)) and discount (a
    // label the router never enables) stay with catalog.
    assert_eq!(
        answer.body,
        json!({"data": {"product": {"name": "Lamp", "rating": 4.5, "stock": 7, "discount": 0.1}}})
    );
    let stock_requests = stock.requests();
    assert_eq!(stock_requests.len(), 1);
    let query = stock_requests[0].body["query"].as_str().unwrap();
    assert!(query.contains("rating"), "{query}");
    assert!(
        !query.contains("stock") && !query.contains("discount"),
        "{query}"
    );
}

/// The two subgraphs of the fixture and a router over them; `configure` adjusts the
/// router's config.
async fn start(
    configure: impl FnOnce(&mut RouterConfig),
) -> (MockSubgraph, MockSubgraph, TestRouter) {
    let catalog = MockSubgraph::start(|_| {
        Reply::Json(json!({"data": {"product": {
            "__typename": "Product", "id": "p1", "name": "Lamp",
            "rating": 1.0, "stock": 7, "discount": 0.1
        }}}))
    })
    .await;
    let stock = MockSubgraph::start(|body| {
        let query = body["query"].as_str().unwrap_or("");
        let mut entity = json!({"__typename": "Product"});
        for (field, value) in [
            ("rating", json!(4.5)),
            ("stock", json!(99)),
            ("discount", json!(0.5)),
        ] {
            if query.contains(field) {
                entity[field] = value;
            }
        }
        Reply::Json(json!({"data": {"_entities": [entity]}}))
    })
    .await;
    let mut config = RouterConfig {
        override_subgraph_urls: [
            ("catalog".to_owned(), catalog.url.clone()),
            ("stock".to_owned(), stock.url.clone()),
        ]
        .into(),
        ..RouterConfig::default()
    };
    configure(&mut config);
    let router = TestRouter::start_with_sdl(SUPERGRAPH, config).await;
    (catalog, stock, router)
}

const QUERY: &str = "{ product(id: \"p1\") { name rating stock discount } }";

#[tokio::test]
async fn a_label_enabled_in_the_config_moves_its_fields_for_every_request() {
    let (_catalog, stock, router) = start(|config| {
        config.override_labels.enabled = vec!["discounts-v2".to_owned(), "percent(0)".to_owned()];
    })
    .await;
    for _ in 0..3 {
        let answer = router.post(json!({ "query": QUERY })).await;
        // discount (configured) and stock (its percent(0) label forced on) come
        // from stock, as rating (percent(100)) does.
        assert_eq!(
            answer.body,
            json!({"data": {"product": {"name": "Lamp", "rating": 4.5, "stock": 99, "discount": 0.5}}})
        );
    }
    assert_eq!(stock.requests().len(), 3);
}

#[tokio::test]
async fn a_header_label_is_ignored_unless_the_config_names_the_header() {
    let (_catalog, stock, router) = start(|_| {}).await;
    let answer = router
        .post_with(
            json!({ "query": QUERY }),
            &[("x-switchyard-override-labels", "discounts-v2")],
        )
        .await;
    assert_eq!(answer.body["data"]["product"]["discount"], json!(0.1));
    let query = stock.requests()[0].body["query"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(!query.contains("discount"), "{query}");
}

#[tokio::test]
async fn a_header_label_moves_its_fields_for_that_request_when_enabled() {
    let (_catalog, stock, router) = start(|config| {
        config.override_labels.header = Some("x-switchyard-override-labels".to_owned());
    })
    .await;
    let with_header = router
        .post_with(
            json!({ "query": QUERY }),
            &[("x-switchyard-override-labels", "made-up, discounts-v2")],
        )
        .await;
    assert_eq!(
        with_header.body,
        json!({"data": {"product": {"name": "Lamp", "rating": 4.5, "stock": 7, "discount": 0.5}}})
    );
    let without_header = router.post(json!({ "query": QUERY })).await;
    assert_eq!(
        without_header.body["data"]["product"]["discount"],
        json!(0.1)
    );
    let requests = stock.requests();
    assert_eq!(requests.len(), 2);
    assert!(
        requests[0].body["query"]
            .as_str()
            .unwrap()
            .contains("discount")
    );
    assert!(
        !requests[1].body["query"]
            .as_str()
            .unwrap()
            .contains("discount")
    );
}
