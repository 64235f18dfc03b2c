//! `x-switchyard-plan: true` returns the plan in `extensions.queryPlan` when the
//! config allows it, and shows whether the plan came from the cache.

mod common;

use common::{Shop, TestRouter};
use serde_json::json;

const QUERY: &str = "{ topProducts { name reviews { body } } }";

#[tokio::test]
async fn plan_is_returned_only_when_exposed_and_asked_for() {
    let shop = Shop::start().await;
    let mut config = shop.config().await;
    config.expose_query_plan = true;
    let router = TestRouter::start(config).await;

    let without_header = router.post(json!({ "query": QUERY })).await;
    assert!(without_header.body.get("extensions").is_none());

    let with_header = router
        .post_with(json!({ "query": QUERY }), &[("x-switchyard-plan", "true")])
        .await;
    let plan = &with_header.body["extensions"]["queryPlan"];
    assert!(plan["json"].is_object(), "{}", with_header.body);
    assert_eq!(
        with_header.body["data"], without_header.body["data"],
        "asking for the plan does not change the data"
    );
    insta::assert_snapshot!(plan["text"].as_str().unwrap());

    let hidden = {
        let mut config = shop.config().await;
        config.expose_query_plan = false;
        TestRouter::start(config).await
    };
    let refused = hidden
        .post_with(json!({ "query": QUERY }), &[("x-switchyard-plan", "true")])
        .await;
    assert!(refused.body.get("extensions").is_none());
}

#[tokio::test]
async fn plan_cache_hits_on_the_same_operation() {
    let shop = Shop::start().await;
    let mut config = shop.config().await;
    config.expose_query_plan = true;
    let router = TestRouter::start(config).await;
    let ask = |query: &'static str, name: Option<&'static str>| {
        router.post_with(
            json!({ "query": query, "operationName": name }),
            &[("x-switchyard-plan", "true")],
        )
    };
    let cache = |answer: &common::Answer| answer.body["extensions"]["queryPlan"]["cache"].clone();
    assert_eq!(cache(&ask(QUERY, None).await), "miss");
    assert_eq!(cache(&ask(QUERY, None).await), "hit");
    // Another operation of the same text is another plan.
    let two = "query A { me { name } } query B { topProducts { upc } }";
    assert_eq!(cache(&ask(two, Some("A")).await), "miss");
    assert_eq!(cache(&ask(two, Some("B")).await), "miss");
    assert_eq!(cache(&ask(two, Some("A")).await), "hit");
    let stats = router.router.plan_cache_stats();
    assert_eq!((stats.hits, stats.misses, stats.entries), (2, 3, 3));
}
