//! What the playground relies on: its page and embedded assets, plans without
//! execution (`x-switchyard-plan: only`) and subgraph traces
//! (`x-switchyard-trace: true`), each only when the config allows it.

mod common;

use common::{Shop, TestRouter};
use serde_json::json;

const QUERY: &str = "{ topProducts { name reviews { body } } }";
const MUTATION: &str = "mutation { __typename }";

#[tokio::test]
async fn page_and_assets_are_served_from_the_binary_when_enabled() {
    let shop = Shop::start().await;
    let mut config = shop.config().await;
    config.playground.enabled = true;
    let router = TestRouter::start(config).await;
    for path in ["/", "/playground"] {
        let page = router.get(path, &[("accept", "text/html")]).await;
        assert_eq!(page.status, 200, "{path}");
        let html = page.body.as_str().unwrap();
        assert!(
            html.contains("<title>Switchyard playground</title>"),
            "{html}"
        );
        assert!(
            !html.contains("https://"),
            "the page loads nothing from other hosts"
        );
        let script = html
            .split("src=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .expect("the page loads a script");
        let asset = router.get(script, &[]).await;
        assert_eq!(asset.status, 200, "{script}");
        assert_eq!(
            asset.content_type.as_deref(),
            Some("text/javascript; charset=utf-8")
        );
    }
    let missing = router.get("/playground/assets/nope.js", &[]).await;
    assert_eq!(missing.status, 404);

    let disabled = TestRouter::start(shop.config().await).await;
    assert_eq!(disabled.get("/playground", &[]).await.status, 404);
}

#[tokio::test]
async fn plan_only_plans_without_calling_any_subgraph() {
    let shop = Shop::start().await;
    let mut config = shop.config().await;
    config.expose_query_plan = true;
    let router = TestRouter::start(config).await;
    let answer = router
        .post_with(json!({ "query": QUERY }), &[("x-switchyard-plan", "only")])
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert!(answer.body.get("data").is_none(), "{}", answer.body);
    assert_eq!(
        answer.body["extensions"]["queryPlan"]["json"]["node"]["kind"],
        "Sequence"
    );
    assert_eq!(
        shop.requests(),
        json!({ "accounts": [], "products": [], "reviews": [] })
    );

    let hidden = TestRouter::start(shop.config().await).await;
    let refused = hidden
        .post_with(
            json!({ "query": MUTATION }),
            &[("x-switchyard-plan", "only")],
        )
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(
        refused.body["errors"][0]["extensions"]["code"],
        "QUERY_PLAN_NOT_EXPOSED"
    );
    assert!(
        refused.body.get("data").is_none(),
        "the mutation did not run"
    );
}

#[tokio::test]
async fn trace_lists_every_subgraph_request_when_exposed_and_asked_for() {
    let shop = Shop::start().await;
    let mut config = shop.config().await;
    config.expose_trace = true;
    let router = TestRouter::start(config).await;
    let without_header = router.post(json!({ "query": QUERY })).await;
    assert!(without_header.body.get("extensions").is_none());

    let traced = router
        .post_with(json!({ "query": QUERY }), &[("x-switchyard-trace", "true")])
        .await;
    assert_eq!(traced.body["data"], without_header.body["data"]);
    let trace = &traced.body["extensions"]["trace"];
    let fetches = trace["fetches"].as_array().expect("fetches");
    let subgraphs: Vec<&str> = fetches
        .iter()
        .map(|f| f["subgraph"].as_str().unwrap())
        .collect();
    assert_eq!(subgraphs, ["products", "reviews"], "{trace}");
    let (root, entities) = (&fetches[0], &fetches[1]);
    assert_eq!(root["representations"], 0);
    assert!(entities["representations"].as_u64().unwrap() > 0, "{trace}");
    assert!(
        entities["startMs"].as_f64().unwrap()
            >= root["startMs"].as_f64().unwrap() + root["durationMs"].as_f64().unwrap(),
        "the entity fetch waits for the root fetch: {trace}"
    );
    for fetch in fetches {
        assert!(fetch["responseBytes"].as_u64().unwrap() > 0, "{trace}");
        assert_eq!(fetch["errors"], 0);
    }
    assert!(trace["totalMs"].as_f64().unwrap() >= entities["startMs"].as_f64().unwrap());

    let hidden = TestRouter::start(shop.config().await).await;
    let refused = hidden
        .post_with(json!({ "query": QUERY }), &[("x-switchyard-trace", "true")])
        .await;
    assert!(refused.body.get("extensions").is_none());
}

#[tokio::test]
async fn settings_carry_the_configured_sign_in_form_and_are_never_cached() {
    let shop = Shop::start().await;
    let mut config = shop.config().await;
    config.playground.enabled = true;
    let plain = TestRouter::start(config.clone()).await;
    let settings = plain.get("/playground/settings.json", &[]).await;
    assert_eq!(settings.status, 200);
    assert_eq!(settings.body, json!({ "auth": { "sign_in": null } }));

    config.playground.auth.sign_in = Some(switchyard::config::SignInConfig {
        operation: "query Token($name: String) { token: topProducts(first: $name) { name } }"
            .to_owned(),
        token_path: "token.name".to_owned(),
        hint: None,
        variables: Default::default(),
    });
    let configured = TestRouter::start(config).await;
    let settings = configured.get("/playground/settings.json", &[]).await;
    assert_eq!(settings.content_type.as_deref(), Some("application/json"));
    assert_eq!(settings.headers["cache-control"], "no-store");
    let form = &settings.body["auth"]["sign_in"];
    assert_eq!(form["operation_name"], "Token");
    assert_eq!(form["token_path"], json!(["token", "name"]));
    assert_eq!(
        form["variables"],
        json!([{ "name": "name", "type": "String", "required": false, "default": null, "secret": false }])
    );

    let disabled = TestRouter::start(shop.config().await).await;
    assert_eq!(
        disabled.get("/playground/settings.json", &[]).await.status,
        404
    );
}
