//! `switchyard compose` through its real entry points (`run`, `load_subgraphs`):
//! subgraphs served by a tiny axum server answering `{ _service { sdl } }`, others
//! read from SDL files named in a YAML config.

use std::process::ExitCode;

use axum::routing::post;
use axum::{Json, Router};
use serde_json::{Value, json};
use switchyard::compose_cli::{ComposeArgs, ComposeConfig, run};
use switchyard::config::SubgraphConfig;
use switchyard::supergraph_source::load_subgraphs;
use switchyard_composition::SubgraphDefinition;

const USERS: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { me: User }
type User @key(fields: "id") { id: ID! name: String }
"#;

const REVIEWS: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type User @key(fields: "id") { id: ID! reviews: [String!]! }
"#;

/// Serves `sdl` as `_service { sdl }` at `/graphql` on an ephemeral port; returns its URL.
async fn subgraph(sdl: &'static str) -> String {
    let app = Router::new().route(
        "/graphql",
        post(move |Json(body): Json<Value>| async move {
            let query = body["query"].as_str().unwrap_or_default();
            if query.contains("_service") {
                Json(json!({ "data": { "_service": { "sdl": sdl } } }))
            } else {
                Json(json!({ "errors": [{ "message": "unexpected query" }] }))
            }
        }),
    );
    serve(app).await
}

/// A server answering something that is not GraphQL.
async fn garbage() -> String {
    serve(Router::new().route("/graphql", post(|| async { "not json" }))).await
}

/// A GraphQL server that is not a federation subgraph: it has no `_service`.
async fn not_a_subgraph() -> String {
    serve(Router::new().route(
        "/graphql",
        post(|| async {
            Json(json!({ "errors": [{ "message": "Cannot query field \"_service\" on type \"Query\"." }] }))
        }),
    ))
    .await
}

async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}/graphql")
}

/// A subgraph whose SDL is fetched from `url`.
fn fetched(name: &str, url: impl Into<String>) -> SubgraphConfig {
    SubgraphConfig {
        name: name.into(),
        routing_url: url.into(),
        schema: None,
    }
}

fn args(config: Option<std::path::PathBuf>, out: Option<std::path::PathBuf>) -> ComposeArgs {
    ComposeArgs {
        subgraphs: Vec::new(),
        config,
        out,
    }
}

#[tokio::test]
async fn load_subgraphs_fetches_service_sdl_and_reads_files() {
    let url = subgraph(USERS).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("reviews.graphql");
    std::fs::write(&file, REVIEWS).expect("write");
    let configs = [
        fetched("users", url.clone()),
        SubgraphConfig {
            name: "reviews".into(),
            routing_url: "http://reviews:4002".into(),
            schema: Some(file),
        },
    ];
    let loaded = load_subgraphs(&configs, &reqwest::Client::new())
        .await
        .expect("load");
    assert_eq!(
        loaded,
        [
            SubgraphDefinition::new("users", &url, USERS),
            SubgraphDefinition::new("reviews", "http://reviews:4002", REVIEWS),
        ]
    );
}

#[tokio::test]
async fn load_subgraphs_names_every_subgraph_it_cannot_load() {
    let bad = garbage().await;
    let configs = [
        fetched("garbage", bad),
        fetched("down", "http://127.0.0.1:1/graphql"),
        fetched("plain", not_a_subgraph().await),
        SubgraphConfig {
            name: "nofile".into(),
            routing_url: "http://x".into(),
            schema: Some("/nonexistent/x.graphql".into()),
        },
    ];
    let error = load_subgraphs(&configs, &reqwest::Client::new())
        .await
        .expect_err("must fail")
        .to_string();
    for name in ["'garbage'", "'down'", "'plain'", "'nofile'"] {
        assert!(error.contains(name), "{name} missing from: {error}");
    }
    assert!(error.contains("not JSON"), "{error}");
    // The reason a subgraph could not be reached, not only "error sending request".
    assert!(error.contains("Connection refused"), "{error}");
    // A GraphQL server that is not a subgraph: its own error says why.
    assert!(
        error.contains(
            r#"no data._service.sdl in the answer (its errors: Cannot query field "_service""#
        ),
        "{error}"
    );
}

#[tokio::test]
async fn run_composes_a_yaml_config_into_the_out_file() {
    let url = subgraph(USERS).await;
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("reviews.graphql"), REVIEWS).expect("write");
    let config = dir.path().join("compose.yaml");
    std::fs::write(
        &config,
        format!("subgraphs:\n  - name: users\n    routing_url: {url}\n  - name: reviews\n    routing_url: http://reviews:4002/graphql\n    schema: reviews.graphql\n"),
    )
    .expect("write");
    let out = dir.path().join("supergraph.graphql");
    let code = run(args(Some(config), Some(out.clone())))
        .await
        .expect("run");
    assert_eq!(code, ExitCode::SUCCESS);
    let supergraph = std::fs::read_to_string(&out).expect("out file");
    assert!(
        supergraph.contains(&format!(
            "USERS @join__graph(name: \"users\", url: \"{url}\")"
        )),
        "{supergraph}"
    );
    assert!(
        supergraph.contains(
            "REVIEWS @join__graph(name: \"reviews\", url: \"http://reviews:4002/graphql\")"
        )
    );
    assert!(
        supergraph.contains("reviews: [String!]! @join__field(graph: REVIEWS)"),
        "{supergraph}"
    );
    apollo_compiler::Schema::parse_and_validate(&supergraph, "supergraph.graphql")
        .expect("valid supergraph");
}

#[tokio::test]
async fn run_with_subgraph_arguments_fails_when_the_subgraphs_do_not_compose() {
    let users = subgraph(USERS).await;
    let clash = subgraph(
        r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { me: User }
type User @key(fields: "id") { id: ID! name: Int }
"#,
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("supergraph.graphql");
    let mut compose_args = args(None, Some(out.clone()));
    compose_args.subgraphs = vec![fetched("users", users), fetched("clash", clash)];
    let code = run(compose_args).await.expect("run");
    assert_eq!(code, ExitCode::FAILURE);
    assert!(
        !out.exists(),
        "no supergraph is written when composition fails"
    );
}

#[tokio::test]
async fn run_without_subgraphs_is_an_error() {
    let error = run(args(None, None)).await.expect_err("nothing to compose");
    assert!(error.to_string().contains("--subgraph"), "{error}");
}

#[test]
fn config_rejects_unknown_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("compose.yaml");
    std::fs::write(&config, "subgraphs:\n  - name: a\n    url: http://a\n").expect("write");
    let error = format!(
        "{:#}",
        ComposeConfig::from_file(&config).expect_err("unknown field")
    );
    assert!(error.contains("unknown field `url`"), "{error}");
}

#[test]
fn subgraph_argument_is_name_equals_url() {
    use clap::Parser;
    #[derive(clap::Parser)]
    struct Cli {
        #[command(flatten)]
        compose: ComposeArgs,
    }
    let cli = Cli::try_parse_from([
        "compose",
        "--subgraph",
        "users=http://u/graphql",
        "--subgraph",
        "b=http://b",
    ])
    .expect("parse");
    assert_eq!(cli.compose.subgraphs.len(), 2);
    assert_eq!(cli.compose.subgraphs[0].name, "users");
    assert_eq!(cli.compose.subgraphs[0].routing_url, "http://u/graphql");
    assert!(Cli::try_parse_from(["compose", "--subgraph", "nourl"]).is_err());
}

#[test]
fn config_json_schema() {
    insta::assert_snapshot!(ComposeConfig::json_schema());
}
