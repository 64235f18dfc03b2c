//! Persisted documents through HTTP: automatic persisted queries (register with
//! the text and its hash, then the hash alone over POST and GET; the bounded
//! cache; Redis shared by two routers) and trusted documents (a manifest in
//! Apollo's or Relay's format, enforced or logged).

mod common;

use std::path::Path;

use common::{Answer, Shop, TestRouter};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use switchyard::Router;
use switchyard::config::{ManifestConfig, ManifestMode, RouterConfig};

const TOP: &str = "query Top { topProducts { upc name } }";
const ME: &str = "query Me { me { name } }";
/// What the shop answers to `TOP`.
fn top_data() -> Value {
    json!({"topProducts": [
        {"upc": "1", "name": "Table"},
        {"upc": "2", "name": "Couch"},
        {"upc": "3", "name": "Chair"}
    ]})
}

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn persisted(hash: &str) -> Value {
    json!({"persistedQuery": {"version": 1, "sha256Hash": hash}})
}

fn code(answer: &Answer) -> &str {
    answer.body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

fn subgraph_requests(shop: &Shop) -> usize {
    shop.accounts.requests().len() + shop.products.requests().len() + shop.reviews.requests().len()
}

async fn shop_router(edit: impl FnOnce(&mut RouterConfig)) -> (Shop, TestRouter) {
    let shop = Shop::start().await;
    let mut config = shop.config().await;
    edit(&mut config);
    let router = TestRouter::start(config).await;
    (shop, router)
}

/// A GET of `/graphql` with these URL parameters (and a CSRF header).
async fn get(router: &TestRouter, params: &[(&str, String)]) -> Answer {
    let response = router
        .http
        .get(router.url("/graphql"))
        .query(params)
        .header("apollo-require-preflight", "true")
        .send()
        .await
        .unwrap();
    Answer::read(response).await
}

#[tokio::test]
async fn apq_register_then_hash_over_post_and_get() {
    let (shop, router) = shop_router(|_| {}).await;
    let hash = sha256(TOP);

    // The hash alone, before registration: 200 PERSISTED_QUERY_NOT_FOUND, not
    // cacheable, nothing fetched.
    let miss = router.post(json!({"extensions": persisted(&hash)})).await;
    assert_eq!(miss.status, 200, "{:?}", miss.body);
    assert_eq!(code(&miss), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(miss.body["errors"][0]["message"], "PersistedQueryNotFound");
    assert!(miss.body.get("data").is_none());
    assert_eq!(
        miss.headers["cache-control"],
        "private, no-cache, must-revalidate"
    );
    let miss_over_get = get(&router, &[("extensions", persisted(&hash).to_string())]).await;
    assert_eq!(miss_over_get.status, 200);
    assert_eq!(code(&miss_over_get), "PERSISTED_QUERY_NOT_FOUND");
    assert_eq!(subgraph_requests(&shop), 0);

    // The text with its hash registers it and runs it.
    let registered = router
        .post(json!({"query": TOP, "extensions": persisted(&hash)}))
        .await;
    assert_eq!(registered.status, 200, "{:?}", registered.body);
    assert_eq!(registered.body["data"], top_data());

    // Then the hash alone, over POST and over GET.
    let by_hash = router.post(json!({"extensions": persisted(&hash)})).await;
    assert_eq!(by_hash.status, 200, "{:?}", by_hash.body);
    assert_eq!(by_hash.body["data"], top_data());
    let over_get = get(
        &router,
        &[
            ("extensions", persisted(&hash).to_string()),
            ("operationName", "Top".to_owned()),
        ],
    )
    .await;
    assert_eq!(over_get.status, 200, "{:?}", over_get.body);
    assert_eq!(over_get.body["data"], top_data());
    // An uppercase hash names the same operation.
    let upper = router
        .post(json!({"extensions": persisted(&hash.to_uppercase())}))
        .await;
    assert_eq!(upper.body["data"], top_data());

    // Registration over GET works too.
    let me_hash = sha256(ME);
    let registered = get(
        &router,
        &[
            ("query", ME.to_owned()),
            ("extensions", persisted(&me_hash).to_string()),
        ],
    )
    .await;
    assert_eq!(registered.body["data"]["me"]["name"], "Ada Lovelace");
    let by_hash = get(&router, &[("extensions", persisted(&me_hash).to_string())]).await;
    assert_eq!(by_hash.body["data"]["me"]["name"], "Ada Lovelace");
}

#[tokio::test]
async fn apq_wrong_hash_and_version_are_refused() {
    let (shop, router) = shop_router(|_| {}).await;
    let wrong = sha256(ME);
    let answer = router
        .post(json!({"query": TOP, "extensions": persisted(&wrong)}))
        .await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    assert_eq!(code(&answer), "PERSISTED_QUERY_HASH_MISMATCH");
    assert_eq!(
        answer.body["errors"][0]["message"],
        "provided sha does not match query"
    );
    // Not registered under the wrong hash.
    let answer = router.post(json!({"extensions": persisted(&wrong)})).await;
    assert_eq!(code(&answer), "PERSISTED_QUERY_NOT_FOUND");

    let answer = router
        .post(json!({"extensions": {"persistedQuery": {"version": 2, "sha256Hash": sha256(TOP)}}}))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(code(&answer), "PERSISTED_QUERY_VERSION_NOT_SUPPORTED");
    let answer = router
        .post(json!({"extensions": {"persistedQuery": {"version": 1}}}))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(code(&answer), "INVALID_GRAPHQL_REQUEST");
    // Without a query or a persisted reference, the usual refusal.
    let answer = router.post(json!({"extensions": {}})).await;
    assert_eq!(answer.status, 400);
    assert_eq!(code(&answer), "INVALID_GRAPHQL_REQUEST");
    assert_eq!(subgraph_requests(&shop), 0);
}

#[tokio::test]
async fn apq_cache_is_bounded() {
    let (_shop, router) = shop_router(|config| config.persisted_queries.apq.cache_size = 1).await;
    for query in [TOP, ME] {
        let answer = router
            .post(json!({"query": query, "extensions": persisted(&sha256(query))}))
            .await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
    }
    // Registering `ME` evicted `TOP`.
    let evicted = router
        .post(json!({"extensions": persisted(&sha256(TOP))}))
        .await;
    assert_eq!(code(&evicted), "PERSISTED_QUERY_NOT_FOUND");
    let kept = router
        .post(json!({"extensions": persisted(&sha256(ME))}))
        .await;
    assert_eq!(kept.body["data"]["me"]["name"], "Ada Lovelace");
}

#[tokio::test]
async fn apq_can_be_turned_off() {
    let (_shop, router) = shop_router(|config| config.persisted_queries.apq.enabled = false).await;
    let hash = sha256(TOP);
    let answer = router
        .post(json!({"query": TOP, "extensions": persisted(&hash)}))
        .await;
    assert_eq!(answer.body["data"], top_data());
    let answer = router.post(json!({"extensions": persisted(&hash)})).await;
    assert_eq!(answer.status, 200);
    assert_eq!(code(&answer), "PERSISTED_QUERY_NOT_SUPPORTED");
}

fn manifest_config(dir: &Path, file: &str, text: &str, mode: ManifestMode) -> ManifestConfig {
    let path = dir.join(file);
    std::fs::write(&path, text).unwrap();
    ManifestConfig { path, mode }
}

fn apollo_manifest() -> String {
    json!({
        "format": "apollo-persisted-query-manifest",
        "version": 1,
        "operations": [
            {"id": sha256(TOP), "body": TOP, "name": "Top", "type": "query"},
            {"id": "me-v1", "body": ME, "name": "Me", "type": "query"}
        ]
    })
    .to_string()
}

#[tokio::test]
async fn trusted_documents_enforced() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = manifest_config(
        dir.path(),
        "manifest.json",
        &apollo_manifest(),
        ManifestMode::Enforce,
    );
    let (shop, router) =
        shop_router(|config| config.persisted_queries.manifest = Some(manifest)).await;

    // A listed operation by id: as Apollo Client sends it, as `documentId`,
    // as Relay's `doc_id`, and over GET.
    for body in [
        json!({"extensions": persisted(&sha256(TOP))}),
        json!({"documentId": sha256(TOP)}),
        json!({"doc_id": sha256(TOP)}),
    ] {
        let answer = router.post(body.clone()).await;
        assert_eq!(answer.status, 200, "{body}: {:?}", answer.body);
        assert_eq!(answer.body["data"], top_data(), "{body}");
    }
    let answer = router.post(json!({"documentId": "me-v1"})).await;
    assert_eq!(answer.body["data"]["me"]["name"], "Ada Lovelace");
    let answer = get(&router, &[("documentId", "me-v1".to_owned())]).await;
    assert_eq!(answer.body["data"]["me"]["name"], "Ada Lovelace");
    // A listed operation by its full text.
    let answer = router.post(json!({"query": TOP})).await;
    assert_eq!(answer.body["data"], top_data());
    let answer = router
        .post(json!({"query": TOP, "extensions": persisted(&sha256(TOP))}))
        .await;
    assert_eq!(answer.body["data"], top_data());
    let answer = router
        .post(json!({"query": ME, "documentId": "me-v1"}))
        .await;
    assert_eq!(answer.body["data"]["me"]["name"], "Ada Lovelace");

    let before = subgraph_requests(&shop);
    // An unlisted operation: refused, nothing planned or fetched.
    let unlisted = "{ topProducts { upc name price } }";
    let answer = router.post(json!({"query": unlisted})).await;
    assert_eq!(answer.status, 403, "{:?}", answer.body);
    assert_eq!(code(&answer), "QUERY_NOT_IN_SAFELIST");
    assert!(answer.body.get("data").is_none());
    // Reformatting a listed operation makes it another operation.
    let answer = router
        .post(json!({"query": "query Top { topProducts { upc  name } }"}))
        .await;
    assert_eq!(answer.status, 403);
    // APQ registers no new operation.
    let hash = sha256(unlisted);
    let answer = router
        .post(json!({"query": unlisted, "extensions": persisted(&hash)}))
        .await;
    assert_eq!(answer.status, 403);
    assert_eq!(code(&answer), "QUERY_NOT_IN_SAFELIST");
    let answer = router.post(json!({"extensions": persisted(&hash)})).await;
    assert_eq!(answer.status, 404, "{:?}", answer.body);
    assert_eq!(code(&answer), "PERSISTED_QUERY_NOT_IN_LIST");
    let answer = router.post(json!({"documentId": "nope"})).await;
    assert_eq!(answer.status, 404);
    assert_eq!(code(&answer), "PERSISTED_QUERY_NOT_IN_LIST");
    // Text that is not the one listed under the id.
    let answer = router
        .post(json!({"query": unlisted, "documentId": "me-v1"}))
        .await;
    assert_eq!(answer.status, 400);
    assert_eq!(code(&answer), "PERSISTED_QUERY_ID_MISMATCH");
    let answer = get(&router, &[("query", unlisted.to_owned())]).await;
    assert_eq!(answer.status, 403);
    assert_eq!(subgraph_requests(&shop), before);
}

#[tokio::test]
async fn trusted_documents_log_unknown_runs_them() {
    let dir = tempfile::tempdir().unwrap();
    // Relay's format: id to text.
    let relay = json!({ "relay-top": TOP }).to_string();
    let manifest = manifest_config(dir.path(), "relay.json", &relay, ManifestMode::LogUnknown);
    let (_shop, router) =
        shop_router(|config| config.persisted_queries.manifest = Some(manifest)).await;
    let answer = router.post(json!({"doc_id": "relay-top"})).await;
    assert_eq!(answer.body["data"], top_data());
    // Unlisted: run (and logged).
    for _ in 0..2 {
        let answer = router.post(json!({"query": ME})).await;
        assert_eq!(answer.status, 200, "{:?}", answer.body);
        assert_eq!(answer.body["data"]["me"]["name"], "Ada Lovelace");
    }
    // APQ still registers in this mode.
    let hash = sha256(ME);
    let answer = router
        .post(json!({"query": ME, "extensions": persisted(&hash)}))
        .await;
    assert_eq!(answer.status, 200);
    let answer = router.post(json!({"extensions": persisted(&hash)})).await;
    assert_eq!(answer.body["data"]["me"]["name"], "Ada Lovelace");
    let answer = router.post(json!({"documentId": "unknown"})).await;
    assert_eq!(answer.status, 404);
}

#[tokio::test]
async fn a_malformed_manifest_stops_the_router() {
    let dir = tempfile::tempdir().unwrap();
    for (text, expected) in [
        (
            "{\"format\": \"apollo-persisted-query-manifest\"",
            "not JSON",
        ),
        (
            r#"{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"a"}]}"#,
            "missing field `body`",
        ),
        (r#"{"a": {"body": "{ me { id } }"}}"#, "is not a string"),
    ] {
        let manifest = manifest_config(dir.path(), "bad.json", text, ManifestMode::Enforce);
        let mut config = RouterConfig::default();
        config.persisted_queries.manifest = Some(manifest);
        let error = Router::from_supergraph_sdl(common::SUPERGRAPH, config)
            .err()
            .expect("a malformed manifest is refused")
            .to_string();
        assert!(error.contains("persisted_queries.manifest"), "{error}");
        assert!(error.contains("bad.json"), "{error}");
        assert!(error.contains(expected), "{error}");
    }
    let mut config = RouterConfig::default();
    config.persisted_queries.manifest = Some(ManifestConfig {
        path: dir.path().join("missing.json"),
        mode: ManifestMode::Enforce,
    });
    let error = Router::from_supergraph_sdl(common::SUPERGRAPH, config)
        .err()
        .expect("a missing manifest is refused")
        .to_string();
    assert!(error.contains("cannot read manifest"), "{error}");

    // The path is relative to the config file; `mode` defaults to enforce.
    let config = RouterConfig::from_yaml(
        "persisted_queries:\n  manifest:\n    path: ops/manifest.json\n",
        Path::new("/etc/switchyard"),
    )
    .unwrap();
    let manifest = config.persisted_queries.manifest.unwrap();
    assert_eq!(
        manifest.path,
        Path::new("/etc/switchyard/ops/manifest.json")
    );
    assert_eq!(manifest.mode, ManifestMode::Enforce);
}

/// Two routers sharing one Redis: registered on one, run by hash on the
/// other. Needs Redis on 127.0.0.1:6379 (skipped, with a note, without it).
#[tokio::test]
async fn apq_shared_through_redis() {
    if tokio::net::TcpStream::connect("127.0.0.1:6379")
        .await
        .is_err()
    {
        eprintln!("NOTE: no Redis on 127.0.0.1:6379; apq_shared_through_redis skipped");
        return;
    }
    let shop = Shop::start().await;
    let mut config = shop.config().await;
    config.persisted_queries.apq.redis_url = Some("redis://127.0.0.1:6379".into());
    config.persisted_queries.apq.redis_ttl_secs = 60;
    let a = TestRouter::start(config.clone()).await;
    let b = TestRouter::start(config).await;
    // An operation this run alone has registered.
    let unique = format!(
        "query Unique {{ run{}: topProducts {{ upc }} }}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    );
    let hash = sha256(&unique);
    let miss = b.post(json!({"extensions": persisted(&hash)})).await;
    assert_eq!(code(&miss), "PERSISTED_QUERY_NOT_FOUND");
    let registered = a
        .post(json!({"query": unique, "extensions": persisted(&hash)}))
        .await;
    assert_eq!(registered.status, 200, "{:?}", registered.body);
    let on_b = b.post(json!({"extensions": persisted(&hash)})).await;
    assert_eq!(on_b.status, 200, "{:?}", on_b.body);
    assert_eq!(on_b.body["data"], registered.body["data"]);

    // A text in Redis that is not the one of its hash is not run.
    let other = format!("{unique} ");
    let key = format!("switchyard:apq:{}", sha256(&other));
    let mut redis = redis::Client::open("redis://127.0.0.1:6379")
        .unwrap()
        .get_multiplexed_async_connection()
        .await
        .unwrap();
    redis::AsyncCommands::set_ex::<_, _, ()>(&mut redis, &key, ME, 60)
        .await
        .unwrap();
    let swapped = b
        .post(json!({"extensions": persisted(&sha256(&other))}))
        .await;
    assert_eq!(code(&swapped), "PERSISTED_QUERY_NOT_FOUND");
}

/// A Redis that cannot be reached is skipped: requests still succeed, from
/// the in-memory cache.
#[tokio::test]
async fn an_unreachable_redis_does_not_fail_requests() {
    let closed = common::closed_url().await;
    let port = closed
        .trim_start_matches("http://127.0.0.1:")
        .trim_end_matches("/graphql");
    let (_shop, router) = shop_router(|config| {
        config.persisted_queries.apq.redis_url = Some(format!("redis://127.0.0.1:{port}"));
    })
    .await;
    let hash = sha256(TOP);
    let miss = router.post(json!({"extensions": persisted(&hash)})).await;
    assert_eq!(code(&miss), "PERSISTED_QUERY_NOT_FOUND");
    let registered = router
        .post(json!({"query": TOP, "extensions": persisted(&hash)}))
        .await;
    assert_eq!(registered.body["data"], top_data());
    let by_hash = router.post(json!({"extensions": persisted(&hash)})).await;
    assert_eq!(by_hash.body["data"], top_data());
}
