//! An HTTP request (POST body bytes with a content type, or a GET query string)
//! → the router's whole HTTP pipeline, in-process through its axum app (no
//! network; the subgraphs point at a closed port, so fetches fail fast): never a
//! 5xx except the documented 500 of an operation the planner cannot plan (code
//! `QUERY_PLANNING_FAILED`; a caught panic answers `INTERNAL_SERVER_ERROR` and
//! fails here), and always a GraphQL-shaped JSON body.
#![no_main]

use std::sync::LazyLock;

use arbitrary::Arbitrary;
use axum::body::Body;
use libfuzzer_sys::fuzz_target;
use switchyard::{Router, RouterConfig};
use switchyard_fuzzing::check::shape_problems;
use switchyard_fuzzing::fixtures::ROUTER_SUPERGRAPH;
use tower::ServiceExt;

struct Harness {
    runtime: tokio::runtime::Runtime,
    app: axum::Router,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let app = runtime.block_on(async {
        let mut config = RouterConfig::default();
        for name in ["accounts", "products", "reviews"] {
            config
                .override_subgraph_urls
                .insert(name.to_owned(), "http://127.0.0.1:1/graphql".to_owned());
        }
        config.limits.max_body_bytes = 4096;
        Router::from_supergraph_sdl(ROUTER_SUPERGRAPH, config)
            .expect("router starts")
            .app()
    });
    Harness { runtime, app }
});

const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/json; charset=utf-8",
    "application/graphql-response+json",
    "text/plain",
    "",
];

#[derive(Debug, Arbitrary)]
enum Input {
    Post { content_type: u8, body: Vec<u8> },
    Get { query_string: String },
}

fuzz_target!(|input: Input| {
    let request = match &input {
        Input::Post { content_type, body } => {
            let content_type = CONTENT_TYPES[usize::from(*content_type) % CONTENT_TYPES.len()];
            let mut builder = http::Request::post("/graphql");
            if !content_type.is_empty() {
                builder = builder.header("content-type", content_type);
            }
            builder.body(Body::from(body.clone()))
        }
        Input::Get { query_string } => {
            let encoded: String = query_string
                .bytes()
                .map(|b| match b {
                    b'=' | b'&' | b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect();
            http::Request::get(format!("/graphql?{encoded}"))
                .header("apollo-require-preflight", "1")
                .body(Body::empty())
        }
    };
    let Ok(request) = request else {
        return;
    };
    let harness = &*HARNESS;
    let (status, body) = harness.runtime.block_on(async {
        let response = harness
            .app
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .expect("body reads");
        (status, body)
    });
    let json: serde_json::Value = serde_json::from_slice(&body)
        .unwrap_or_else(|e| panic!("{input:?} → {status}, not JSON ({e}): {body:?}"));
    let planning_failed = status == 500
        && json["errors"].as_array().is_some_and(|errors| {
            errors.iter().all(|e| {
                e["extensions"]["code"] == "QUERY_PLANNING_FAILED"
                    && !e["message"]
                        .as_str()
                        .unwrap_or("")
                        .contains("internal error")
            })
        });
    assert!(
        status.as_u16() < 500 || planning_failed,
        "{input:?} → {status}: {json}"
    );
    let problems = shape_problems(&json);
    assert!(problems.is_empty(), "{input:?} → {json}: {problems:?}");
});
