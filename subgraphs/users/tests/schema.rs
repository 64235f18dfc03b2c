//! Holds `schema/users.graphql` to what the service emits, both from `sdl()` and
//! live from `_service { sdl }`, so schema changes show up in review.

mod common;

use std::path::PathBuf;

use common::App;
use serde_json::json;

const UPDATE_HINT: &str = "run UPDATE_SCHEMA=1 cargo test -p shop-users --test schema to update";

fn schema_file() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schema/users.graphql")
}

#[tokio::test]
async fn committed_schema_matches_the_service() {
    let sdl = shop_users::sdl();
    let app = App::start().await;
    let body = app.graphql("{ _service { sdl } }", json!({}), None).await;
    let live = body["data"]["_service"]["sdl"].as_str().expect("sdl");
    assert_eq!(live, sdl, "sdl() differs from the live _service {{ sdl }}");

    let path = schema_file();
    if std::env::var_os("UPDATE_SCHEMA").is_some_and(|v| v == "1") {
        std::fs::write(&path, &sdl).expect("write schema file");
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == sdl,
        "{} is out of date: {UPDATE_HINT}\n--- committed\n{committed}\n--- emitted\n{sdl}",
        path.display()
    );
}
