//! The federation surface the router relies on: `_service { sdl }` and `_entities`
//! resolving `User` references by id.

mod common;

use common::App;
use serde_json::json;

#[tokio::test]
async fn service_sdl_declares_the_user_entity() {
    let app = App::start().await;
    let body = app.graphql("{ _service { sdl } }", json!({}), None).await;
    let sdl = body["data"]["_service"]["sdl"].as_str().expect("sdl");
    assert_eq!(sdl, shop_users::sdl());
    assert!(
        sdl.contains("url: \"https://specs.apollo.dev/federation/v2"),
        "{sdl}"
    );
    assert!(sdl.contains("type User @key(fields: \"id\")"), "{sdl}");
    assert!(sdl.contains("createdAt: DateTime!"), "{sdl}");
    assert!(!sdl.contains("passwordHash"), "{sdl}");
}

#[tokio::test]
async fn entities_resolve_users_by_id() {
    let app = App::start().await;
    let (_, first) = app.new_account("first@example.com").await;
    let (_, second) = app.new_account("second@example.com").await;
    let query = "query($representations: [_Any!]!) {
        _entities(representations: $representations) {
            __typename
            ... on User { id name createdAt }
        }
    }";
    let representations = json!([
        { "__typename": "User", "id": second },
        { "__typename": "User", "id": "no-such-user" },
        { "__typename": "User", "id": first },
    ]);
    let body = app
        .graphql(query, json!({ "representations": representations }), None)
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let entities = body["data"]["_entities"].as_array().expect("list");
    assert_eq!(entities.len(), 3);
    assert_eq!(entities[0]["__typename"], "User");
    assert_eq!(entities[0]["id"], second.as_str());
    assert_eq!(entities[0]["name"], "Test User");
    assert!(entities[1].is_null(), "unknown id resolves to null: {body}");
    assert_eq!(entities[2]["id"], first.as_str());
    assert!(entities[2]["createdAt"].as_str().is_some());
}
