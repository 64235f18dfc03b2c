//! Property: random and malformed requests through the real HTTP router
//! (in-process, mock subgraphs): arbitrary bytes and arbitrary JSON as POST
//! bodies, GraphQL requests whose query is token soup, a generated valid
//! operation or a mutation of one, and arbitrary GET query strings. None gets a
//! 5xx (except the documented 500 of an operation the planner cannot plan, code
//! `QUERY_PLANNING_FAILED`), every answer is a GraphQL-shaped JSON object, and the
//! server still serves afterwards.
//!
//! Generators from `switchyard_fuzzing`, shared with the `request_body` fuzz
//! target (`fuzz/`). More cases:
//! `PROPTEST_CASES=5000 cargo test -p switchyard --test http_request_properties`.

mod common;

use std::sync::LazyLock;

use common::{Answer, Shop, TestRouter};
use proptest::prelude::*;
use serde_json::{Value, json};
use switchyard_fuzzing::Entropy;
use switchyard_fuzzing::check::shape_problems;
use switchyard_fuzzing::operation::{Shape, mutate, token_soup, valid_operation};

/// One runtime, mock shop and router for every case (starting them per case
/// would dominate the run).
struct Harness {
    runtime: tokio::runtime::Runtime,
    router: TestRouter,
    _shop: Shop,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (shop, router) = runtime.block_on(async {
        let shop = Shop::start().await;
        let mut config = shop.config().await;
        config.limits.max_body_bytes = 4096;
        let router = TestRouter::start(config).await;
        (shop, router)
    });
    Harness {
        runtime,
        router,
        _shop: shop,
    }
});

fn config(default_cases: u32) -> ProptestConfig {
    ProptestConfig::with_cases(switchyard_fuzzing::property_cases(default_cases))
}

fn assert_graphql_shaped(what: &str, answer: &Answer) -> Result<(), TestCaseError> {
    let planning_failed = answer.status == 500
        && answer.body["errors"].as_array().is_some_and(|errors| {
            errors.iter().all(|e| {
                e["extensions"]["code"] == "QUERY_PLANNING_FAILED"
                    && !e["message"]
                        .as_str()
                        .unwrap_or("")
                        .contains("internal error")
            })
        });
    prop_assert!(
        answer.status < 500 || planning_failed,
        "{what} → {}: {}",
        answer.status,
        answer.body
    );
    let problems = shape_problems(&answer.body);
    prop_assert!(
        problems.is_empty(),
        "{what} → {}: {problems:?}",
        answer.body
    );
    Ok(())
}

/// Arbitrary JSON, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::from),
        Just(json!("{ me { name } }")),
    ];
    leaf.prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    Just("query".to_owned()),
                    Just("variables".to_owned()),
                    Just("operationName".to_owned()),
                    Just("extensions".to_owned()),
                    "[a-z]{1,6}",
                ],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// The query of a GraphQL request: token soup, a generated valid operation, or
/// a mutation of one.
fn query(bytes: &[u8], kind: u8) -> String {
    let mut entropy = Entropy::new(bytes);
    let supergraph = HARNESS.router.router.supergraph();
    let schema = supergraph.api_schema();
    match kind % 3 {
        0 => token_soup(&mut entropy),
        1 => valid_operation(schema, &mut entropy, Shape::default()).query,
        _ => {
            let valid = valid_operation(schema, &mut entropy, Shape::default()).query;
            mutate(&valid, &mut entropy)
        }
    }
}

fn percent_encoded(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// Runs one property with proptest's runner, panicking with the minimal failing
/// input.
fn check_property<S: Strategy>(
    name: &str,
    strategy: S,
    test: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let mut runner = proptest::test_runner::TestRunner::new(config(64));
    if let Err(failure) = runner.run(&strategy, test) {
        panic!("{name}: {failure}");
    }
}

fn post_raw(body: Vec<u8>, content_type: &'static str) -> Result<(), TestCaseError> {
    let harness = &*HARNESS;
    let answer = harness.runtime.block_on(
        harness
            .router
            .post_raw(body.clone(), &[("content-type", content_type)]),
    );
    assert_graphql_shaped(&format!("{body:?} as {content_type}"), &answer)
}

fn post(body: Value) -> Result<(), TestCaseError> {
    let harness = &*HARNESS;
    let answer = harness.runtime.block_on(harness.router.post(body.clone()));
    assert_graphql_shaped(&body.to_string(), &answer)
}

fn get(path: String) -> Result<(), TestCaseError> {
    let harness = &*HARNESS;
    let answer = harness.runtime.block_on(
        harness
            .router
            .get(&path, &[("apollo-require-preflight", "1")]),
    );
    assert_graphql_shaped(&path, &answer)
}

/// One test, so the closing check runs after every random request.
#[test]
fn random_requests_never_break_the_server() {
    let bytes = || proptest::collection::vec(any::<u8>(), 0..300);
    check_property(
        "random bytes as POST bodies",
        (
            bytes(),
            prop_oneof![
                Just("application/json"),
                Just("application/graphql-response+json"),
                Just("text/plain"),
                Just("application/x-www-form-urlencoded"),
            ],
        ),
        |(body, content_type)| post_raw(body, content_type),
    );
    check_property("random JSON as POST bodies", json_value(), post);
    check_property(
        "random GraphQL requests",
        (
            bytes(),
            any::<u8>(),
            json_value(),
            proptest::option::of(prop_oneof![
                Just("Fuzzed".to_owned()),
                Just(String::new()),
                "[A-Za-z]{1,4}",
            ]),
        ),
        |(bytes, kind, variables, operation_name)| {
            let mut body = json!({ "query": query(&bytes, kind), "variables": variables });
            if let Some(name) = operation_name {
                body["operationName"] = json!(name);
            }
            post(body)
        },
    );
    check_property(
        "random GET query strings",
        (bytes(), any::<u8>(), ".{0,40}", 0..3u8),
        |(bytes, kind, raw, shape)| {
            get(match shape {
                0 => format!("/graphql?query={}", percent_encoded(&query(&bytes, kind))),
                1 => format!(
                    "/graphql?{}",
                    percent_encoded(&raw)
                        .replace("%3D", "=")
                        .replace("%26", "&")
                ),
                _ => format!(
                    "/graphql?query={}&variables={}",
                    percent_encoded(&query(&bytes, kind)),
                    percent_encoded(&raw)
                ),
            })
        },
    );
    let harness = &*HARNESS;
    harness.runtime.block_on(async {
        let health = harness.router.get("/health", &[]).await;
        assert_eq!(health.status, 200);
        let after = harness
            .router
            .post(json!({ "query": "{ me { name } }" }))
            .await;
        assert_eq!(after.body["data"]["me"]["name"], "Ada Lovelace");
    });
}
