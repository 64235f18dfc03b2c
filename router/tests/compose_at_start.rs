//! `subgraphs:` in the config: the router composes the supergraph at start, from
//! SDL files or from each running subgraph's `_service { sdl }`.

mod common;

use common::{MockSubgraph, Reply, TestRouter};
use serde_json::{Value, json};
use switchyard::config::{RouterConfig, SubgraphConfig};
use switchyard::{Router, RouterError};

const ACCOUNTS_SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { me: User }
type User @key(fields: "id") { id: ID! name: String! }
"#;

const REVIEWS_SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type User @key(fields: "id") { id: ID! reviews: [Review!]! }
type Review { id: ID! body: String! }
"#;

/// Answers `_service { sdl }` with `sdl`, everything else with `handler`.
fn with_sdl(sdl: &'static str, handler: fn(&Value) -> Reply) -> impl Fn(&Value) -> Reply {
    move |body| {
        if body["query"].as_str().unwrap_or("").contains("_service") {
            Reply::Json(json!({"data": {"_service": {"sdl": sdl}}}))
        } else {
            handler(body)
        }
    }
}

#[tokio::test]
async fn composes_from_files_and_running_subgraphs() {
    let accounts = MockSubgraph::start(with_sdl(ACCOUNTS_SDL, common::accounts)).await;
    let reviews = MockSubgraph::start(with_sdl(REVIEWS_SDL, common::reviews)).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("accounts.graphql"), ACCOUNTS_SDL).unwrap();
    let yaml = format!(
        "subgraphs:\n  - name: accounts\n    routing_url: {}\n    schema: accounts.graphql\n  \
         - name: reviews\n    routing_url: {}\n",
        accounts.url, reviews.url
    );
    let config = RouterConfig::from_yaml(&yaml, dir.path()).unwrap();
    let router = Router::from_config(config).await.unwrap();
    let router = TestRouter::from_router(router).await;
    let answer = router
        .post(json!({ "query": "{ me { name reviews { body } } }" }))
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body,
        json!({"data": {"me": {"name": "Ada Lovelace", "reviews": [
            {"body": "Love it!"}, {"body": "Prefer something else."}]}}})
    );
    // Only reviews was asked for its SDL: accounts' came from the file.
    let asked = |mock: &MockSubgraph| {
        mock.requests()
            .iter()
            .filter(|r| r.body["query"].as_str().unwrap().contains("_service"))
            .count()
    };
    assert_eq!((asked(&accounts), asked(&reviews)), (0, 1));
}

#[tokio::test]
async fn composition_errors_stop_the_start() {
    let dir = tempfile::tempdir().unwrap();
    let broken = dir.path().join("broken.graphql");
    std::fs::write(&broken, "type Query { me: Nope }").unwrap();
    let config = RouterConfig {
        subgraphs: vec![SubgraphConfig {
            name: "broken".into(),
            routing_url: "http://127.0.0.1:1/graphql".into(),
            schema: Some(broken),
        }],
        ..RouterConfig::default()
    };
    let error = Router::from_config(config).await.err().unwrap();
    assert!(matches!(error, RouterError::Source(_)), "{error}");
    assert!(error.to_string().contains("do not compose"), "{error}");
}

#[tokio::test]
async fn unreachable_subgraph_sdl_stops_the_start() {
    let config = RouterConfig {
        subgraphs: vec![SubgraphConfig {
            name: "gone".into(),
            routing_url: common::closed_url().await,
            schema: None,
        }],
        ..RouterConfig::default()
    };
    let error = Router::from_config(config).await.err().unwrap().to_string();
    assert!(
        error.contains("subgraph 'gone': cannot fetch its SDL"),
        "{error}"
    );
}
