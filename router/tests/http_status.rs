//! GraphQL over HTTP through the real server: every kind of request gets the
//! status, content type and GraphQL-shaped body the spec and our config call for.

mod common;

use common::{Answer, Shop, TestRouter};
use serde::Serialize;
use serde_json::json;

/// One row of a status matrix snapshot.
#[derive(Serialize)]
struct Case {
    case: String,
    #[serde(flatten)]
    answer: Answer,
}

const QUERY: &str = "{ topProducts { upc name } }";
const JSON_ACCEPT: (&str, &str) = ("accept", "application/json");
const GRAPHQL_ACCEPT: (&str, &str) = ("accept", "application/graphql-response+json");
const PREFLIGHT: (&str, &str) = ("apollo-require-preflight", "true");

async fn matrix_router(shop: &Shop) -> TestRouter {
    let mut config = shop.config().await;
    config.limits.max_depth = Some(6);
    config.limits.max_aliases = Some(3);
    config.limits.max_tokens = Some(1000);
    config.limits.max_body_bytes = 64 * 1024;
    TestRouter::start(config).await
}

#[tokio::test]
async fn request_shape_errors() {
    let shop = Shop::start().await;
    let router = matrix_router(&shop).await;
    let json = [("content-type", "application/json")];
    let cases = vec![
        Case {
            case: "valid query, no accept header".into(),
            answer: router.post(json!({ "query": QUERY })).await,
        },
        Case {
            case: "malformed JSON".into(),
            answer: router.post_raw("{\"query\": ", &json).await,
        },
        Case {
            case: "JSON that is not an object".into(),
            answer: router.post_raw("[1, 2]", &json).await,
        },
        Case {
            case: "missing query".into(),
            answer: router.post(json!({ "variables": {} })).await,
        },
        Case {
            case: "query is not a string".into(),
            answer: router.post(json!({ "query": 42 })).await,
        },
        Case {
            case: "variables are not an object".into(),
            answer: router
                .post(json!({ "query": QUERY, "variables": "x" }))
                .await,
        },
        Case {
            case: "empty body".into(),
            answer: router.post_raw("", &json).await,
        },
        Case {
            case: "body over the limit".into(),
            answer: router
                .post_raw(format!("{{\"query\": \"{}\"}}", " ".repeat(100_000)), &json)
                .await,
        },
        Case {
            case: "PUT is not allowed".into(),
            answer: {
                let response = router
                    .http
                    .put(router.url("/graphql"))
                    .header("content-type", "application/json")
                    .body("{}")
                    .send()
                    .await
                    .unwrap();
                Answer::read(response).await
            },
        },
    ];
    insta::assert_json_snapshot!(cases);
}

#[tokio::test]
async fn graphql_errors_follow_the_accept_header() {
    let shop = Shop::start().await;
    let router = matrix_router(&shop).await;
    let mut cases = Vec::new();
    for (accept_case, accept) in [
        ("application/json", JSON_ACCEPT),
        ("application/graphql-response+json", GRAPHQL_ACCEPT),
    ] {
        let requests: [(&'static str, serde_json::Value); 5] = [
            ("syntax error", json!({ "query": "{ topProducts { upc " })),
            (
                "unknown field",
                json!({ "query": "{ topProducts { upc weight } }" }),
            ),
            (
                "unknown operation name",
                json!({ "query": "query A { me { id } }", "operationName": "B" }),
            ),
            (
                "variable of the wrong type",
                json!({ "query": "query ($upc: String!) { product(upc: $upc) { name } }",
                        "variables": { "upc": 12 } }),
            ),
            (
                "missing required variable",
                json!({
                "query": "query ($upc: String!) { product(upc: $upc) { name } }" }),
            ),
        ];
        for (case, body) in requests {
            let answer = router.post_with(body, &[accept]).await;
            cases.push(Case {
                case: format!("{case} ({accept_case})"),
                answer,
            });
        }
    }
    insta::assert_json_snapshot!(cases);
}

#[tokio::test]
async fn accept_header_variants() {
    let shop = Shop::start().await;
    let router = matrix_router(&shop).await;
    let mut cases = Vec::new();
    for accept in [
        "*/*",
        "application/json",
        "application/graphql-response+json",
        "application/graphql-response+json, application/json;q=0.9",
        "application/json;q=0.9, application/graphql-response+json",
        "text/html",
    ] {
        let answer = router
            .post_with(json!({ "query": "{ __typename }" }), &[("accept", accept)])
            .await;
        cases.push(json!({ "accept": accept, "status": answer.status,
                           "content_type": answer.content_type }));
    }
    insta::assert_json_snapshot!(cases);
}

#[tokio::test]
async fn limits() {
    let shop = Shop::start().await;
    let router = matrix_router(&shop).await;
    let deep = "{ me { reviews { product { reviews { author { reviews { body } } } } } } }";
    let aliases = "{ a: me { id } b: me { id } c: me { id } d: me { id } }";
    let many_tokens = format!("{{ {} }}", "__typename ".repeat(1000));
    // Each fragment spreads the next twice: 2^30 fields once expanded, in 31 lines.
    let mut fragment_bomb = String::from("{ me { ...F0 } }");
    for i in 0..30 {
        fragment_bomb.push_str(&format!(
            " fragment F{i} on User {{ ...F{} ...F{} }}",
            i + 1,
            i + 1
        ));
    }
    fragment_bomb.push_str(" fragment F30 on User { id }");
    let cases = vec![
        Case {
            case: "depth 7 over a limit of 6".into(),
            answer: router.post(json!({ "query": deep })).await,
        },
        Case {
            case: "4 aliases over a limit of 3".into(),
            answer: router.post(json!({ "query": aliases })).await,
        },
        Case {
            case: "too many tokens".into(),
            answer: router.post(json!({ "query": many_tokens })).await,
        },
        Case {
            case: "fragments expanding to 2^30 fields".into(),
            answer: router.post(json!({ "query": fragment_bomb })).await,
        },
    ];
    insta::assert_json_snapshot!(cases);
    assert!(shop.requests()["accounts"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn get_requests_and_csrf() {
    let shop = Shop::start().await;
    let router = matrix_router(&shop).await;
    let cases = vec![
        Case {
            case: "GET query with a preflight header".into(),
            answer: router
                .get("/graphql?query=%7B%20me%20%7B%20name%20%7D%20%7D", &[PREFLIGHT])
                .await,
        },
        Case {
            case: "GET query with variables".into(),
            answer: router
                .get(
                    "/graphql?query=query(%24upc%3AString!)%7Bproduct(upc%3A%24upc)%7Bname%7D%7D\
                     &variables=%7B%22upc%22%3A%222%22%7D",
                    &[PREFLIGHT],
                )
                .await,
        },
        Case {
            case: "GET mutation".into(),
            answer: router
                .get(
                    "/graphql?query=mutation%7BaddProduct(upc%3A%229%22%2Cname%3A%22x%22)%7Bupc%7D%7D",
                    &[PREFLIGHT],
                )
                .await,
        },
        Case {
            case: "GET without a preflight header (CSRF)".into(),
            answer: router.get("/graphql?query=%7B%20me%20%7B%20name%20%7D%20%7D", &[]).await,
        },
        Case {
            case: "GET with a JSON content type (preflighted by browsers)".into(),
            answer: router
                .get(
                    "/graphql?query=%7B%20me%20%7B%20name%20%7D%20%7D",
                    &[("content-type", "application/json")],
                )
                .await,
        },
        Case {
            case: "GET with no query".into(),
            answer: router.get("/graphql", &[PREFLIGHT]).await,
        },
        Case {
            case: "GET with variables that are not JSON".into(),
            answer: router
                .get("/graphql?query=%7Bme%7Bid%7D%7D&variables=%7Bnope", &[PREFLIGHT])
                .await,
        },
        Case {
            case: "POST text/plain (CSRF)".into(),
            answer: router
                .post_raw(json!({ "query": QUERY }).to_string(), &[("content-type", "text/plain")])
                .await,
        },
        Case {
            case: "POST form (CSRF)".into(),
            answer: router
                .post_raw(
                    "query=%7Bme%7Bid%7D%7D",
                    &[("content-type", "application/x-www-form-urlencoded")],
                )
                .await,
        },
        Case {
            case: "POST without content type (CSRF)".into(),
            answer: router.post_raw(json!({ "query": QUERY }).to_string(), &[]).await,
        },
        Case {
            case: "POST text/plain with a preflight header".into(),
            answer: router
                .post_raw(
                    json!({ "query": QUERY }).to_string(),
                    &[("content-type", "text/plain"), PREFLIGHT],
                )
                .await,
        },
        Case {
            case: "POST application/graphql-response+json".into(),
            answer: router
                .post_raw(
                    json!({ "query": "{ me { name } }" }).to_string(),
                    &[("content-type", "application/graphql-response+json")],
                )
                .await,
        },
    ];
    insta::assert_json_snapshot!(cases);
    // The refused and invalid requests reached no subgraph; the mutation over GET
    // in particular was never run.
    insta::assert_json_snapshot!("get_requests_and_csrf_subgraph_requests", shop.requests());
}

#[tokio::test]
async fn health() {
    let router = TestRouter::start(common::config_with(&[]).await).await;
    let answer = router.get("/health", &[]).await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["status"], "UP");
    // Which schema and config are served: their SHA-256.
    assert_eq!(
        answer.body["schemaHash"],
        switchyard::persisted::sha256_hex(common::SUPERGRAPH).as_str()
    );
    let config_hash = answer.body["configHash"].as_str().unwrap();
    assert_eq!(config_hash.len(), 64, "{config_hash}");
    assert_eq!(answer.body.as_object().unwrap().len(), 3, "{}", answer.body);
    assert_eq!(answer.content_type.as_deref(), Some("application/json"));
}

#[tokio::test]
async fn cors_preflight() {
    let mut config = common::config_with(&[]).await;
    config.cors.allow_origins = vec!["https://shop.example".into()];
    config.cors.allow_credentials = true;
    let router = TestRouter::start(config).await;
    let preflight = |origin: &'static str| {
        router
            .http
            .request(reqwest::Method::OPTIONS, router.url("/graphql"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "content-type, authorization",
            )
            .send()
    };
    let allowed = preflight("https://shop.example").await.unwrap();
    assert_eq!(allowed.status(), 200);
    let headers = allowed.headers();
    assert_eq!(
        headers["access-control-allow-origin"],
        "https://shop.example"
    );
    assert_eq!(headers["access-control-allow-credentials"], "true");
    assert_eq!(
        headers["access-control-allow-headers"],
        "content-type, authorization"
    );
    assert!(
        headers["access-control-allow-methods"]
            .to_str()
            .unwrap()
            .contains("POST")
    );

    let denied = preflight("https://evil.example").await.unwrap();
    assert!(
        denied
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );

    // A simple cross-origin request from an allowed origin can read the answer.
    let answer = router
        .http
        .post(router.url("/graphql"))
        .header("origin", "https://shop.example")
        .header("content-type", "application/json")
        .body(json!({ "query": "{ __typename }" }).to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(
        answer.headers()["access-control-allow-origin"],
        "https://shop.example"
    );
}

#[tokio::test]
async fn cors_defaults_to_same_origin_only() {
    let router = TestRouter::start(common::config_with(&[]).await).await;
    let response = router
        .http
        .request(reqwest::Method::OPTIONS, router.url("/graphql"))
        .header("origin", "https://shop.example")
        .header("access-control-request-method", "POST")
        .send()
        .await
        .unwrap();
    assert!(
        response
            .headers()
            .get("access-control-allow-origin")
            .is_none()
    );
}

#[tokio::test]
async fn playground_only_when_enabled() {
    let router = TestRouter::start(common::config_with(&[]).await).await;
    let answer = router.get("/", &[("accept", "text/html")]).await;
    assert_eq!(answer.status, 404);

    let mut config = common::config_with(&[]).await;
    config.playground.enabled = true;
    let router = TestRouter::start(config).await;
    let page = router.get("/", &[("accept", "text/html")]).await;
    assert_eq!(page.status, 200);
    assert!(page.content_type.unwrap().starts_with("text/html"));
    assert!(
        page.body
            .as_str()
            .unwrap()
            .contains("Switchyard playground")
    );
    let page = router.get("/graphql", &[("accept", "text/html")]).await;
    assert_eq!(page.status, 200);
}

/// A chunked body (no content-length) is cut off as soon as it passes the limit.
#[tokio::test]
async fn chunked_body_over_the_limit() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let shop = Shop::start().await;
    let router = matrix_router(&shop).await;
    let address = router.base.strip_prefix("http://").unwrap();
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let head = format!(
        "POST /graphql HTTP/1.1\r\nhost: {address}\r\ncontent-type: application/json\r\n\
         transfer-encoding: chunked\r\nconnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let chunk = format!("{:x}\r\n{}\r\n", 8192, " ".repeat(8192));
    for _ in 0..16 {
        // The server may answer and close before the body ends.
        if stream.write_all(chunk.as_bytes()).await.is_err() {
            break;
        }
    }
    let _ = stream.write_all(b"0\r\n\r\n").await;
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response).await;
    let response = String::from_utf8_lossy(&response);
    assert!(response.starts_with("HTTP/1.1 413"), "{response}");
    assert!(response.contains("PAYLOAD_TOO_LARGE"), "{response}");
}

#[tokio::test]
async fn unknown_subgraph_in_url_overrides_is_refused_at_start() {
    let mut config = common::config_with(&[]).await;
    config
        .override_subgraph_urls
        .insert("prodcuts".into(), "http://127.0.0.1:1/graphql".into());
    let error = switchyard::Router::from_supergraph_sdl(common::SUPERGRAPH, config)
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        error,
        "invalid config: override_subgraph_urls names 'prodcuts', which is not a subgraph of \
         the supergraph (its subgraphs: accounts, products, reviews)"
    );
}
