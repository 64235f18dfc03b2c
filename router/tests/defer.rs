//! `@defer` over real HTTP: a client accepting `multipart/mixed` gets the
//! initial part before the deferred subgraph answers, then the deferred
//! fragment per object; other clients get the whole result as one JSON body.

mod common;

use std::time::{Duration, Instant};

use common::{MockSubgraph, Reply, Shop, TestRouter, config_with};
use serde_json::{Value, json};

const QUERY: &str = r#"{ topProducts { name ... @defer(label: "reviews") { reviews { body } } } }"#;
const MULTIPART: &str = "multipart/mixed;deferSpec=20220824";

/// The parts of a multipart body, each with when it was read whole.
struct Parts {
    content_type: Option<String>,
    status: u16,
    parts: Vec<(Instant, Value)>,
    raw: Vec<u8>,
}

/// POSTs `query` accepting multipart and reads the body as it arrives: a
/// part counts as read once its JSON parses.
async fn post_multipart(router: &TestRouter, query: &str) -> Parts {
    let mut response = router
        .http
        .post(router.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept", MULTIPART)
        .body(json!({ "query": query }).to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned());
    let mut raw = Vec::new();
    let mut parts = Vec::new();
    while let Some(chunk) = response.chunk().await.unwrap() {
        raw.extend_from_slice(&chunk);
        let text = String::from_utf8_lossy(&raw).to_string();
        let bodies: Vec<&str> = text
            .split("\r\n---\r\ncontent-type: application/json; charset=utf-8\r\n\r\n")
            .skip(1)
            .collect();
        for body in bodies.iter().skip(parts.len()) {
            let body = body.strip_suffix("\r\n-----\r\n").unwrap_or(body);
            if let Ok(value) = serde_json::from_str::<Value>(body) {
                parts.push((Instant::now(), value));
            }
        }
    }
    Parts {
        content_type,
        status,
        parts,
        raw,
    }
}

fn bodies(parts: &Parts) -> Vec<Value> {
    parts.parts.iter().map(|(_, value)| value.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deferred_reviews_arrive_in_a_later_part_after_the_initial_one() {
    let shop = Shop::start().await;
    // The deferred subgraph answers slowly: the initial part must not wait.
    let reviews = MockSubgraph::start(|body| {
        Reply::Delayed(Duration::from_millis(700), Box::new(common::reviews(body)))
    })
    .await;
    let config = config_with(&[
        ("accounts", &shop.accounts.url),
        ("products", &shop.products.url),
        ("reviews", &reviews.url),
    ])
    .await;
    let router = TestRouter::start(config).await;
    let sent = Instant::now();
    let answer = post_multipart(&router, QUERY).await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.content_type.as_deref(),
        Some("multipart/mixed;boundary=\"-\";deferSpec=20220824")
    );
    assert!(
        answer.raw.ends_with(b"}\r\n-----\r\n"),
        "{}",
        String::from_utf8_lossy(&answer.raw)
    );
    let parts = bodies(&answer);
    assert_eq!(
        parts[0],
        json!({"data": {"topProducts": [{"name": "Table"}, {"name": "Couch"}, {"name": "Chair"}]}, "hasNext": true})
    );
    assert_eq!(parts.len(), 2, "{parts:?}");
    let incremental = parts[1]["incremental"].as_array().unwrap();
    assert_eq!(parts[1]["hasNext"], json!(false));
    let paths: Vec<&Value> = incremental.iter().map(|r| &r["path"]).collect();
    assert_eq!(
        paths,
        [
            &json!(["topProducts", 0]),
            &json!(["topProducts", 1]),
            &json!(["topProducts", 2])
        ]
    );
    assert!(incremental.iter().all(|r| r["label"] == "reviews"));
    assert_eq!(
        incremental[0]["data"]["reviews"][0]["body"],
        json!("Love it!"),
        "{incremental:?}"
    );
    // The initial part came before the deferred subgraph answered.
    let initial_at = answer.parts[0].0.duration_since(sent);
    assert!(initial_at < Duration::from_millis(600), "{initial_at:?}");
    // One request each: the primary one, then the deferred entity fetch.
    assert_eq!(shop.products.requests().len(), 1);
    let asked = reviews.requests();
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0].body["query"]
            .as_str()
            .unwrap()
            .contains("_entities")
    );
}

#[tokio::test]
async fn an_error_of_the_deferred_subgraph_is_in_its_part() {
    let shop = Shop::start().await;
    let reviews = MockSubgraph::constant(json!({
        "data": {"_entities": [null, null, null]},
        "errors": [{"message": "reviews are down", "path": ["_entities", 1, "reviews"]}]
    }))
    .await;
    let config = config_with(&[
        ("accounts", &shop.accounts.url),
        ("products", &shop.products.url),
        ("reviews", &reviews.url),
    ])
    .await;
    let router = TestRouter::start(config).await;
    let parts = bodies(&post_multipart(&router, QUERY).await);
    assert_eq!(parts.len(), 2, "{parts:?}");
    assert!(parts[0].get("errors").is_none(), "{}", parts[0]);
    let errors: Vec<Value> = parts[1]["incremental"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["errors"].as_array().cloned().unwrap_or_default())
        .collect();
    assert!(!errors.is_empty(), "{}", parts[1]);
    assert!(
        errors.iter().any(
            |e| e["message"].as_str().unwrap().contains("reviews are down")
                && e["path"] == json!(["topProducts", 1, "reviews"])
        ),
        "{errors:?}"
    );
}

#[tokio::test]
async fn without_multipart_accept_the_whole_result_is_one_json_body() {
    let shop = Shop::start().await;
    let router = TestRouter::start(shop.config().await).await;
    let answer = router.post(json!({ "query": QUERY })).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    let products = answer.body["data"]["topProducts"].as_array().unwrap();
    assert_eq!(products.len(), 3);
    assert_eq!(products[0]["name"], json!("Table"));
    assert_eq!(
        products[0]["reviews"][0]["body"],
        json!("Love it!"),
        "{}",
        answer.body
    );
    assert_eq!(shop.products.requests().len(), 1);
    assert_eq!(shop.reviews.requests().len(), 1);
}

#[tokio::test]
async fn defer_if_false_with_multipart_accept_is_one_json_body() {
    let shop = Shop::start().await;
    let router = TestRouter::start(shop.config().await).await;
    let answer = router
        .post_with(
            json!({
                "query": "query($d: Boolean!) { topProducts { name ... @defer(if: $d) { price } } }",
                "variables": {"d": false}
            }),
            &[("accept", MULTIPART)],
        )
        .await;
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
    assert_eq!(
        answer.body["data"]["topProducts"][0],
        json!({"name": "Table", "price": 899})
    );
}

#[tokio::test]
async fn over_websocket_each_part_is_a_next_message() {
    let shop = Shop::start().await;
    let config = config_with(&[
        ("accounts", &shop.accounts.url),
        ("products", &shop.products.url),
        ("reviews", &shop.reviews.url),
    ])
    .await;
    let router = TestRouter::start(config).await;
    let mut client = common::ws::WsClient::ready(&router, json!({})).await;
    client.subscribe("d", QUERY).await;
    let initial = client.recv().await;
    assert_eq!(initial["type"], "next", "{initial}");
    assert_eq!(initial["payload"]["hasNext"], true, "{initial}");
    assert!(
        initial["payload"]["data"]["topProducts"][0]["name"].is_string(),
        "{initial}"
    );
    assert_eq!(
        initial["payload"]["data"]["topProducts"][0].get("reviews"),
        None,
        "{initial}"
    );
    let mut last = initial;
    while last["payload"]["hasNext"] == true {
        last = client.recv().await;
        assert_eq!(last["type"], "next", "{last}");
        let incremental = &last["payload"]["incremental"];
        assert!(incremental.is_array(), "{last}");
        for part in incremental.as_array().unwrap() {
            assert_eq!(part["label"], "reviews", "{last}");
            assert!(part["data"]["reviews"].is_array(), "{last}");
        }
    }
    assert_eq!(
        client.recv().await,
        json!({ "type": "complete", "id": "d" })
    );
}
