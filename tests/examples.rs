//! The configurations under `examples/` stay true: each loads and passes the
//! router's checks, and starts a router on the shop's supergraph; every
//! operation of the trusted documents manifest is listed under its SHA-256 and
//! plans against that supergraph (an app's manifest that no longer validates
//! would lock its own users out).

use std::path::{Path, PathBuf};

use switchyard::config::RouterConfig;
use switchyard::persisted::sha256_hex;

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("examples")
}

fn shop_supergraph() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/supergraph.graphql"))
        .expect("the committed supergraph")
}

#[tokio::test]
async fn every_example_config_starts_a_router_on_the_shop_supergraph() {
    let mut configs: Vec<PathBuf> = std::fs::read_dir(examples_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .filter(|path| {
            !path
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("otel-")
        })
        .collect();
    configs.sort();
    assert!(configs.len() >= 4, "examples: {configs:?}");
    let sdl = shop_supergraph();
    for path in configs {
        let mut config =
            RouterConfig::load(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        // The examples name where the supergraph comes from; this test gives it.
        config.subgraphs.clear();
        config.supergraph = None;
        switchyard::Router::from_supergraph_sdl(&sdl, config)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn the_trusted_documents_example_lists_valid_operations_by_their_hash() {
    let text = std::fs::read_to_string(examples_dir().join("trusted-documents.json")).unwrap();
    let manifest: serde_json::Value = serde_json::from_str(&text).unwrap();
    let operations = manifest["operations"].as_array().unwrap();
    assert!(!operations.is_empty());
    let sdl = shop_supergraph();
    for operation in operations {
        let body = operation["body"].as_str().unwrap();
        assert_eq!(
            operation["id"].as_str().unwrap(),
            sha256_hex(body),
            "{body}"
        );
        switchyard::plan_command::plan(&sdl, body, None, &[])
            .unwrap_or_else(|e| panic!("{body}: {e}"));
    }
}
