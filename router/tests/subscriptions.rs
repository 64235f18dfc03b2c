//! Subscription operations through the router: not executed (yet), refused with
//! one clear error before any subgraph request, never forwarded as a one-off
//! HTTP request the subgraph cannot stream over. Their plan can still be shown.

mod common;

use common::{MockSubgraph, Reply, TestRouter};
use serde_json::json;
use switchyard::Router;
use switchyard::config::RouterConfig;

const ACCOUNTS_SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { me: User }
type Subscription { userUpdated: User }
type User @key(fields: "id") { id: ID! name: String! }
"#;

async fn router_over(accounts: &MockSubgraph) -> TestRouter {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("accounts.graphql"), ACCOUNTS_SDL).unwrap();
    let yaml = format!(
        "expose_query_plan: true\nsubgraphs:\n  - name: accounts\n    routing_url: {}\n    \
         schema: accounts.graphql\n",
        accounts.url
    );
    let config = RouterConfig::from_yaml(&yaml, dir.path()).unwrap();
    TestRouter::from_router(Router::from_config(config).await.unwrap()).await
}

#[tokio::test]
async fn a_subscription_is_refused_before_any_subgraph_is_asked() {
    let accounts =
        MockSubgraph::start(|_| Reply::Json(json!({"data": {"userUpdated": null}}))).await;
    let router = router_over(&accounts).await;

    let answer = router
        .post(json!({ "query": "subscription { userUpdated { id name } }" }))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["data"], json!(null), "{}", answer.body);
    assert_eq!(
        answer.body["errors"][0]["extensions"]["code"], "SUBSCRIPTION_NOT_SUPPORTED",
        "{}",
        answer.body
    );
    assert!(accounts.requests().is_empty(), "{:?}", accounts.requests());

    // Its plan can still be inspected: planned like a query, nothing sent.
    let plan = router
        .post_with(
            json!({ "query": "subscription { userUpdated { id name } }" }),
            &[("x-switchyard-plan", "only")],
        )
        .await;
    assert_eq!(plan.status, 200, "{}", plan.body);
    assert!(
        plan.body["extensions"]["queryPlan"].is_object(),
        "{}",
        plan.body
    );
    assert!(accounts.requests().is_empty());

    // Queries on the same schema are served as ever.
    let query = router.post(json!({ "query": "{ me { id } }" })).await;
    assert_eq!(query.status, 200, "{}", query.body);
    assert_eq!(accounts.requests().len(), 1);
}
