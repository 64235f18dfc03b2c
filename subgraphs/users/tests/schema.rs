//! Holds `schema/users.graphql` to what the service emits, both from `sdl()` and
//! live from `_service { sdl }`, so schema changes show up in review.

mod common;

use common::App;
use shop_common::testing::{assert_live_sdl, assert_schema_file};

#[tokio::test]
async fn committed_schema_matches_the_service() {
    let sdl = shop_users::sdl();
    let app = App::start().await;
    assert_live_sdl(&app.server.graphql_url, &sdl).await;
    assert_schema_file("users", &sdl);
}
