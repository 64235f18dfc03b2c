//! Progressive `@override(label: "percent(N)")`: the router draws the labels per
//! request and plans accordingly; labels it cannot draw stay off.

mod common;

use common::{MockSubgraph, Reply, TestRouter};
use serde_json::json;
use switchyard::RouterConfig;

const SUPERGRAPH: &str = include_str!("fixtures/progressive_override.graphql");

#[tokio::test]
async fn percent_labels_decide_which_subgraph_resolves() {
    let catalog = MockSubgraph::start(|_| {
        Reply::Json(json!({"data": {"product": {
            "__typename": "Product", "id": "p1", "name": "Lamp",
            "rating": 1.0, "stock": 7, "discount": 0.1
        }}}))
    })
    .await;
    // Answers only the fields it is asked for, as a real subgraph does.
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
    let config = RouterConfig {
        override_subgraph_urls: [
            ("catalog".to_owned(), catalog.url.clone()),
            ("stock".to_owned(), stock.url.clone()),
        ]
        .into(),
        ..RouterConfig::default()
    };
    let router = TestRouter::start_with_sdl(SUPERGRAPH, config).await;
    let answer = router
        .post(json!({ "query": "{ product(id: \"p1\") { name rating stock discount } }" }))
        .await;
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
