//! The router's logs through `switchyard serve`: with
//! `telemetry.logging.format: json`, every stderr line is a JSON object, each
//! GraphQL request is logged exactly once, and no secret a request carries
//! (tokens, cookies, variables, literals in the operation) reaches the log.

mod common;

use common::MockSubgraph;
use common::binary::ServedBinary;
use serde_json::{Value, json};

const TOKEN: &str = "eyJhbGciOiJFZERTQSJ9.s3cr3t-t0ken";
const COOKIE: &str = "session=c00kie-s3cret";
const PASSWORD: &str = "hunter2-Pa55word";
const LITERAL: &str = "inline-l1teral-s3cret";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_logs_have_one_line_per_request_and_no_secrets() {
    let products = MockSubgraph::start(common::products).await;
    let config = format!(
        "override_subgraph_urls: {{products: '{}'}}\n\
         telemetry:\n  metrics: {{enabled: false}}\n  logging: {{format: json}}",
        products.url
    );
    let router = tokio::task::spawn_blocking(move || ServedBinary::start(&config, &[]))
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let client_trace = "0af7651916cd43dd8448eb211c80319c";
    let send = |body: Value, traceparent: Option<String>| {
        let mut request = http
            .post(router.url("/graphql"))
            .bearer_auth(TOKEN)
            .header("cookie", COOKIE)
            .json(&body);
        if let Some(traceparent) = traceparent {
            request = request.header("traceparent", traceparent);
        }
        async move { request.send().await.unwrap().status().as_u16() }
    };
    // A variable, a literal, and a document that does not parse.
    let statuses = [
        send(
            json!({
                "query": "query Find($upc: String!) { product(upc: $upc) { name } }",
                "operationName": "Find",
                "variables": { "upc": PASSWORD },
            }),
            Some(format!("00-{client_trace}-b7ad6b7169203331-01")),
        )
        .await,
        send(
            json!({
                "query": format!("query Lit {{ product(upc: \"{LITERAL}\") {{ name }} }}"),
                "operationName": "Lit",
            }),
            None,
        )
        .await,
        send(
            json!({ "query": format!("{{ product(upc: \"{LITERAL}\" ") }),
            None,
        )
        .await,
    ];
    // The unparsable one too: `application/json` answers request errors with 200.
    assert_eq!(statuses, [200, 200, 200]);
    // Tracing is off: no trace header reaches the subgraph.
    for request in products.requests() {
        assert!(
            !request
                .all_headers
                .iter()
                .any(|(name, _)| name == "traceparent"),
            "{request:?}"
        );
    }
    let lines = tokio::task::spawn_blocking(move || router.stop())
        .await
        .unwrap();

    let objects: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}")))
        .collect();
    let requests: Vec<&Value> = objects
        .iter()
        .filter(|line| line["target"] == "switchyard::request")
        .collect();
    assert_eq!(requests.len(), 3, "one line per request: {requests:#?}");
    for line in &requests {
        assert_eq!(line["level"], "INFO");
        assert_eq!(line["message"], "graphql request");
        assert!(
            line["duration_ms"].as_f64().is_some_and(|ms| ms >= 0.0),
            "{line}"
        );
    }
    let find = requests[0];
    assert_eq!(find["operation"], "Find");
    assert_eq!(find["status"], 200);
    assert_eq!(find["outcome"], "ok");
    // The client's trace id, though the router makes no spans.
    assert_eq!(find["trace_id"], client_trace);
    assert_eq!(requests[1]["operation"], "Lit");
    assert!(requests[1].get("trace_id").is_none(), "{}", requests[1]);
    assert_eq!(requests[2]["status"], 200);
    assert_eq!(requests[2]["outcome"], "rejected");
    assert_eq!(requests[2]["operation"], "");

    let log = lines.join("\n");
    for secret in [TOKEN, "s3cr3t-t0ken", COOKIE, "c00kie", PASSWORD, LITERAL] {
        assert!(!log.contains(secret), "{secret} is in the log:\n{log}");
    }
}
