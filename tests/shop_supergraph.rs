//! `schema/supergraph.graphql`: the shop's supergraph, composed by Switchyard's own
//! composer from the committed subgraph SDLs in `schema/`, and again from the live
//! services' `_service { sdl }`. Both must equal the committed file, so a schema
//! change in any service shows up here, in review.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use shop::{SERVICES, ShopOptions, start_shop};
use switchyard_composition::{SubgraphDefinition, compose};

fn schema_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("schema")
}

/// The routing URL every service has in the default run.
fn default_url(service: &str) -> String {
    let port = 4001 + SERVICES.iter().position(|s| *s == service).unwrap();
    format!("http://127.0.0.1:{port}/graphql")
}

fn compose_shop(subgraphs: &[SubgraphDefinition]) -> String {
    match compose(subgraphs) {
        Ok(composed) => composed.supergraph_sdl,
        Err(errors) => panic!("the shop's subgraphs do not compose:\n{errors}"),
    }
}

fn check_against_file(supergraph: &str) {
    let path = schema_dir().join("supergraph.graphql");
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, supergraph).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == supergraph,
        "schema/supergraph.graphql differs from the composed supergraph; \
         run `UPDATE_SCHEMA=1 cargo test -p shop --test shop_supergraph` to update it and review the diff"
    );
}

#[test]
fn the_committed_subgraph_schemas_compose_into_the_committed_supergraph() {
    let subgraphs: Vec<SubgraphDefinition> = SERVICES
        .iter()
        .map(|service| SubgraphDefinition {
            name: service.to_string(),
            url: default_url(service),
            sdl: std::fs::read_to_string(schema_dir().join(format!("{service}.graphql"))).unwrap(),
        })
        .collect();
    let supergraph = compose_shop(&subgraphs);
    switchyard_planner_check(&supergraph);
    check_against_file(&supergraph);
}

/// The router must load what the composer produced.
fn switchyard_planner_check(supergraph: &str) {
    switchyard::Router::from_supergraph_sdl(supergraph, switchyard::RouterConfig::default())
        .expect("the router loads the shop supergraph");
}

#[tokio::test]
async fn the_live_services_compose_into_the_same_supergraph() {
    let dir = tempfile::tempdir().unwrap();
    let shop = start_shop(ShopOptions {
        data_dir: dir.path().to_path_buf(),
        subgraph_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        seed: false,
        router_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        development: false,
        metrics_addr: None,
    })
    .await
    .unwrap();
    let configs: Vec<switchyard::config::SubgraphConfig> = shop
        .urls()
        .map(|(name, url)| switchyard::config::SubgraphConfig {
            name: name.to_owned(),
            routing_url: url.to_owned(),
            schema: None,
        })
        .collect();
    let mut subgraphs = switchyard::compose_cli::load_subgraphs(&configs, &reqwest::Client::new())
        .await
        .expect("every service answers _service { sdl }");
    // Same routing URLs as the committed file, so the two can be compared whole.
    for subgraph in &mut subgraphs {
        subgraph.url = default_url(&subgraph.name);
    }
    check_against_file(&compose_shop(&subgraphs));
    shop.stop().await;
}
