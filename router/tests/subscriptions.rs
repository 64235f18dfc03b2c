//! Subscriptions through the router, end to end over real sockets: clients
//! over WebSocket (`graphql-transport-ws`), Server-Sent Events and multipart
//! HTTP; the subgraph owning the root field over WebSocket or SSE (a
//! streaming mock); each event's fields of another subgraph fetched per
//! event; the stream's end when the subgraph goes away or the schema
//! reloads; limits, heartbeats and authentication on the connection.

mod common;

use std::time::Duration;

use common::jwt::{TestKey, jwks_file, now};
use common::streaming::{Control, StreamingSubgraph};
use common::ws::{WsClient, upgrade_request, upgrade_status};
use common::{MockSubgraph, Reply, TestRouter};
use serde_json::{Value, json};
use switchyard::Router;
use switchyard::config::{RouterConfig, SubgraphProtocol, SubgraphSubscriptionConfig};

const ACCOUNTS_SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { me: User }
type Subscription { userUpdated(id: ID!): User! }
type User @key(fields: "id") { id: ID! name: String! }
"#;

const REVIEWS_SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { reviewsVersion: String }
type User @key(fields: "id") { id: ID! reviewCount: Int! }
"#;

/// `name` from accounts' event, `reviewCount` from reviews after it.
const WATCH: &str = "subscription { userUpdated(id: \"1\") { name reviewCount } }";

const DEADLINE: Duration = Duration::from_secs(5);

/// An event as accounts sends it for [`WATCH`]'s primary.
fn user_event(name: &str) -> Control {
    Control::Next(
        json!({ "data": { "userUpdated": { "name": name, "__typename": "User", "id": "1" } } }),
    )
}

fn reviews_subgraph() -> impl Fn(&Value) -> Reply + Send + Sync + 'static {
    |body: &Value| {
        let count = body["variables"]["representations"]
            .as_array()
            .map_or(0, Vec::len);
        let entities: Vec<Value> = (0..count).map(|_| json!({ "reviewCount": 3 })).collect();
        Reply::Json(json!({ "data": { "_entities": entities } }))
    }
}

struct Setup {
    accounts: StreamingSubgraph,
    reviews: MockSubgraph,
    router: TestRouter,
    config: RouterConfig,
    _dir: tempfile::TempDir,
}

/// The router over a streaming accounts (over `protocol`) and reviews, with
/// `extra` YAML added to its config.
async fn setup(protocol: SubgraphProtocol, extra: &str) -> Setup {
    let accounts = StreamingSubgraph::start().await;
    let reviews = MockSubgraph::start(reviews_subgraph()).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("accounts.graphql"), ACCOUNTS_SDL).unwrap();
    std::fs::write(dir.path().join("reviews.graphql"), REVIEWS_SDL).unwrap();
    let yaml = format!(
        "subgraphs:\n  - name: accounts\n    routing_url: {}/graphql\n    schema: accounts.graphql\n  \
         - name: reviews\n    routing_url: {}\n    schema: reviews.graphql\n{extra}",
        accounts.base, reviews.url
    );
    let mut config = RouterConfig::from_yaml(&yaml, dir.path()).unwrap();
    let url = match protocol {
        SubgraphProtocol::Websocket => accounts.ws_url(),
        SubgraphProtocol::Sse => accounts.sse_url(),
    };
    config.subscriptions.subgraphs.insert(
        "accounts".to_owned(),
        SubgraphSubscriptionConfig {
            protocol,
            url: Some(url),
        },
    );
    let router = TestRouter::from_router(Router::from_config(config.clone()).await.unwrap()).await;
    Setup {
        accounts,
        reviews,
        router,
        config,
        _dir: dir,
    }
}

/// POSTs `query` accepting `accept`; the response is the stream.
async fn stream_request(router: &TestRouter, query: &str, accept: &str) -> reqwest::Response {
    reqwest::Client::new()
        .post(router.url("/graphql"))
        .header("content-type", "application/json")
        .header("accept", accept)
        .body(json!({ "query": query }).to_string())
        .send()
        .await
        .unwrap()
}

/// Reads SSE events (name, data) from `response` until it ends.
struct SseReader {
    response: reqwest::Response,
    buffer: String,
}

impl SseReader {
    fn new(response: reqwest::Response) -> SseReader {
        assert_eq!(response.status(), 200);
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/event-stream")
        );
        SseReader {
            response,
            buffer: String::new(),
        }
    }

    /// The next event, comments included as `(":", "")`; `None` at the end.
    async fn next(&mut self) -> Option<(String, String)> {
        loop {
            if let Some(end) = self.buffer.find("\n\n") {
                let block: String = self.buffer.drain(..end + 2).collect();
                let mut event = (String::new(), String::new());
                for line in block.lines() {
                    if let Some(name) = line.strip_prefix("event:") {
                        event.0 = name.trim().to_owned();
                    } else if let Some(data) = line.strip_prefix("data:") {
                        event.1.push_str(data.trim());
                    } else if line.starts_with(':') {
                        event.0 = ":".to_owned();
                    }
                }
                return Some(event);
            }
            let chunk = tokio::time::timeout(DEADLINE, self.response.chunk())
                .await
                .expect("an event within the deadline")
                .unwrap();
            self.buffer.push_str(&String::from_utf8_lossy(&chunk?));
        }
    }

    /// The next event that is not a heartbeat.
    async fn event(&mut self) -> Option<(String, Value)> {
        loop {
            let (name, data) = self.next().await?;
            if name != ":" {
                let data = serde_json::from_str(&data).unwrap_or(Value::Null);
                return Some((name, data));
            }
        }
    }
}

#[tokio::test]
async fn a_subscription_without_a_streaming_transport_is_refused_before_any_subgraph_is_asked() {
    let setup = setup(SubgraphProtocol::Websocket, "expose_query_plan: true\n").await;
    let answer = setup.router.post(json!({ "query": WATCH })).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(
        answer.body["errors"][0]["extensions"]["code"], "SUBSCRIPTION_NOT_SUPPORTED",
        "{}",
        answer.body
    );
    assert!(setup.accounts.subscribed().is_empty());

    // Its plan can still be inspected: nothing is sent.
    let plan = setup
        .router
        .post_with(json!({ "query": WATCH }), &[("x-switchyard-plan", "only")])
        .await;
    assert_eq!(
        plan.body["extensions"]["queryPlan"]["json"]["node"]["kind"], "Subscription",
        "{}",
        plan.body
    );
    assert!(setup.accounts.subscribed().is_empty());
    assert!(setup.reviews.requests().is_empty());
}

#[tokio::test]
async fn over_websocket_every_event_gets_its_fields_from_the_other_subgraph() {
    let setup = setup(SubgraphProtocol::Websocket, "").await;
    let mut client = WsClient::ready(&setup.router, json!({ "authorization": "Bearer abc" })).await;
    client.subscribe("1", WATCH).await;
    setup.accounts.wait_for_subscriptions(1).await;

    for name in ["Ada", "Ada Lovelace"] {
        setup.accounts.publish(user_event(name));
        assert_eq!(
            client.recv().await,
            json!({ "type": "next", "id": "1", "payload": {
                "data": { "userUpdated": { "name": name, "reviewCount": 3 } } } })
        );
    }
    setup.accounts.publish(Control::Complete);
    assert_eq!(
        client.recv().await,
        json!({ "type": "complete", "id": "1" })
    );

    // The subgraph was asked once, for the primary only, with the client's
    // token (from connection_init) forwarded as the header rules say.
    let subscribed = setup.accounts.subscribed();
    assert_eq!(subscribed.len(), 1);
    insta::assert_snapshot!(
        subscribed[0].request["query"].as_str().unwrap(),
        @r#"subscription{userUpdated(id:"1"){name __typename id}}"#
    );
    assert_eq!(subscribed[0].headers["authorization"], "Bearer abc");
    // One entity fetch per event.
    let fetched = setup.reviews.requests();
    assert_eq!(fetched.len(), 2, "{fetched:?}");
    assert_eq!(
        fetched[0].body["variables"]["representations"],
        json!([{ "__typename": "User", "id": "1" }])
    );
}

#[tokio::test]
async fn over_sse_and_multipart_clients_get_the_same_events_from_an_sse_subgraph() {
    let setup = setup(SubgraphProtocol::Sse, "").await;
    let mut sse = SseReader::new(stream_request(&setup.router, WATCH, "text/event-stream").await);
    let multipart = stream_request(
        &setup.router,
        WATCH,
        "multipart/mixed;subscriptionSpec=\"1.0\", application/json",
    )
    .await;
    assert_eq!(multipart.status(), 200);
    assert_eq!(
        multipart.headers()["content-type"],
        "multipart/mixed;boundary=\"-\";subscriptionSpec=\"1.0\""
    );
    setup.accounts.wait_for_subscriptions(2).await;

    setup.accounts.publish(user_event("Ada"));
    setup.accounts.publish(Control::Complete);
    let expected = json!({ "data": { "userUpdated": { "name": "Ada", "reviewCount": 3 } } });
    assert_eq!(
        sse.event().await,
        Some(("next".to_owned(), expected.clone()))
    );
    assert_eq!(
        sse.event().await,
        Some(("complete".to_owned(), Value::Null))
    );
    assert_eq!(sse.event().await, None);

    let (body, parts) = multipart_answer(multipart).await;
    assert_eq!(parts, [json!({ "payload": expected })], "{body}");
    assert!(body.ends_with("\r\n-----\r\n"), "{body:?}");
    // The SSE subgraph got a POST with the primary.
    assert!(
        setup.accounts.subscribed()[0].request["query"]
            .as_str()
            .unwrap()
            .starts_with("subscription")
    );
}

/// The whole multipart body once it ends, and its JSON parts, heartbeats
/// (`{}`) left out.
async fn multipart_answer(response: reqwest::Response) -> (String, Vec<Value>) {
    let body = tokio::time::timeout(DEADLINE, response.text())
        .await
        .unwrap()
        .unwrap();
    let parts = body
        .strip_suffix("\r\n-----\r\n")
        .unwrap_or(&body)
        .split("\r\n---\r\n")
        .filter_map(|part| part.split_once("\r\n\r\n"))
        .map(|(_, json)| serde_json::from_str::<Value>(json).unwrap())
        .filter(|part| part != &json!({}))
        .collect();
    (body, parts)
}

#[tokio::test]
async fn a_subgraph_gone_mid_stream_ends_every_stream_with_an_error() {
    let setup = setup(SubgraphProtocol::Websocket, "").await;
    let mut client = WsClient::ready(&setup.router, json!({})).await;
    client.subscribe("1", WATCH).await;
    let mut sse = SseReader::new(stream_request(&setup.router, WATCH, "text/event-stream").await);
    let multipart = stream_request(&setup.router, WATCH, "multipart/mixed").await;
    setup.accounts.wait_for_subscriptions(3).await;

    setup.accounts.publish(user_event("Ada"));
    assert_eq!(client.recv().await["type"], "next");
    assert_eq!(sse.event().await.unwrap().0, "next");
    setup.accounts.publish(Control::Drop);

    let error = client.recv().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(error["id"], "1");
    let message = error["payload"][0]["message"].as_str().unwrap();
    assert!(message.contains("accounts"), "{error}");
    assert_eq!(
        error["payload"][0]["extensions"]["code"], "SUBREQUEST_HTTP_ERROR",
        "{error}"
    );

    let (name, data) = sse.event().await.unwrap();
    assert_eq!(name, "next");
    assert_eq!(
        data["errors"][0]["extensions"]["code"], "SUBREQUEST_HTTP_ERROR",
        "{data}"
    );
    assert_eq!(sse.event().await.unwrap().0, "complete");
    assert_eq!(sse.event().await, None);

    let (body, parts) = multipart_answer(multipart).await;
    assert_eq!(parts.len(), 2, "{body}");
    assert_eq!(parts[1]["payload"], Value::Null, "{body}");
    assert_eq!(
        parts[1]["errors"][0]["extensions"]["code"],
        "SUBREQUEST_HTTP_ERROR"
    );
    assert!(body.ends_with("\r\n-----\r\n"));

    // The connection stays up for other operations.
    client
        .send(json!({ "type": "subscribe", "id": "2", "payload": { "query": "{ __typename }" } }))
        .await;
    assert_eq!(
        client.recv().await,
        json!({ "type": "next", "id": "2", "payload": { "data": { "__typename": "Query" } } })
    );
    assert_eq!(
        client.recv().await,
        json!({ "type": "complete", "id": "2" })
    );
}

#[tokio::test]
async fn a_reload_ends_streams_with_an_error_and_closes_websockets() {
    let setup = setup(SubgraphProtocol::Websocket, "").await;
    let mut client = WsClient::ready(&setup.router, json!({})).await;
    client.subscribe("1", WATCH).await;
    let mut sse = SseReader::new(stream_request(&setup.router, WATCH, "text/event-stream").await);
    setup.accounts.wait_for_subscriptions(2).await;

    let mut config = setup.config.clone();
    config.expose_query_plan = !config.expose_query_plan;
    setup.router.router.reload(config).await.unwrap();

    let error = client.recv().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(
        error["payload"][0]["extensions"]["code"],
        "SUBSCRIPTION_SCHEMA_RELOAD"
    );
    assert_eq!(client.closed().await.0, 1012);
    let (_, data) = sse.event().await.unwrap();
    assert_eq!(
        data["errors"][0]["extensions"]["code"],
        "SUBSCRIPTION_SCHEMA_RELOAD"
    );
    assert_eq!(sse.event().await.unwrap().0, "complete");

    // The subgraph subscriptions were closed with them.
    for _ in 0..100 {
        if setup.accounts.open() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(setup.accounts.open(), 0);
}

#[tokio::test]
async fn streams_and_operations_per_connection_are_limited() {
    let extra = "subscriptions:\n  max_connections: 1\n  max_subscriptions_per_connection: 1\n";
    let setup = setup(SubgraphProtocol::Websocket, extra).await;
    let mut client = WsClient::ready(&setup.router, json!({})).await;
    client.subscribe("1", WATCH).await;
    setup.accounts.wait_for_subscriptions(1).await;
    client.subscribe("2", WATCH).await;
    let refused = client.recv().await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "2");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "TOO_MANY_SUBSCRIPTIONS"
    );

    // The one stream slot is the WebSocket's.
    let response = stream_request(&setup.router, WATCH, "text/event-stream").await;
    assert_eq!(response.status(), 503);
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "TOO_MANY_SUBSCRIPTIONS"
    );

    // A subscribe with an id already running breaks the protocol (4409).
    client.subscribe("1", WATCH).await;
    assert_eq!(client.closed().await.0, 4409);
    // Its slot is free again once it is gone.
    for _ in 0..100 {
        let response = stream_request(&setup.router, WATCH, "text/event-stream").await;
        if response.status() == 200 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("the slot was never freed");
}

#[tokio::test]
async fn heartbeats_keep_streams_alive_and_silent_clients_are_dropped() {
    let extra = "subscriptions:\n  heartbeat_interval_ms: 100\n  connection_init_timeout_ms: 300\n";
    let setup = setup(SubgraphProtocol::Websocket, extra).await;
    let mut sse = SseReader::new(stream_request(&setup.router, WATCH, "text/event-stream").await);
    assert_eq!(
        sse.next().await.unwrap().0,
        ":",
        "a heartbeat comment before any event"
    );

    // A WebSocket client that never answers pings.
    let mut silent = WsClient::connect(&setup.router).await;
    silent.send(json!({ "type": "connection_init" })).await;
    let started = std::time::Instant::now();
    assert_eq!(silent.closed().await.0, 1001);
    assert!(started.elapsed() < DEADLINE);

    // One that never initialises.
    let mut idle = WsClient::connect(&setup.router).await;
    assert_eq!(idle.closed().await.0, 4408);
}

#[tokio::test]
async fn the_token_of_connection_init_is_verified_as_for_queries() {
    let key = TestKey::generate("k1");
    let dir = tempfile::tempdir().unwrap();
    let jwks = jwks_file(dir.path(), &[&key]);
    let setup = setup(SubgraphProtocol::Websocket, "").await;
    let mut config = setup.config.clone();
    config.authentication.jwt = Some(switchyard::config::JwtConfig::new(vec![jwks]));
    let router = TestRouter::from_router(Router::from_config(config).await.unwrap()).await;

    // A forged token closes the connection with 4403, before any subscription.
    let mut forged = WsClient::connect(&router).await;
    forged
        .send(json!({ "type": "connection_init", "payload": { "authorization": "Bearer not.a.token" } }))
        .await;
    let (code, reason) = forged.closed().await;
    assert_eq!(code, 4403, "{reason}");
    assert!(!reason.contains("not.a.token"), "{reason}");

    // A valid one is accepted and forwarded to the subgraph.
    let token = key.sign(&json!({ "sub": "ada", "exp": now() + 600 }));
    let mut client = WsClient::ready(
        &router,
        json!({ "Authorization": format!("Bearer {token}") }),
    )
    .await;
    client.subscribe("1", WATCH).await;
    setup.accounts.wait_for_subscriptions(1).await;
    assert_eq!(
        setup.accounts.subscribed()[0].headers["authorization"],
        format!("Bearer {token}").as_str()
    );
    assert!(setup.accounts.subscribed()[0].init.is_some());
}

#[tokio::test]
async fn websockets_from_other_origins_or_without_the_subprotocol_are_refused() {
    let setup = setup(SubgraphProtocol::Websocket, "").await;
    let router = &setup.router;
    let evil = upgrade_request(router, Some("https://evil.example"), true);
    assert_eq!(upgrade_status(evil).await, 403);
    assert_eq!(
        upgrade_status(upgrade_request(router, None, false)).await,
        400
    );
    // The router's own page (same host) may connect.
    let own = upgrade_request(router, Some(&router.base), true);
    assert_eq!(upgrade_status(own).await, 101);
}

#[tokio::test]
async fn with_subscriptions_off_every_transport_refuses_them() {
    let setup = setup(
        SubgraphProtocol::Websocket,
        "subscriptions:\n  enabled: false\n",
    )
    .await;
    let response = stream_request(&setup.router, WATCH, "text/event-stream").await;
    let body: Value = response.json().await.unwrap();
    assert_eq!(
        body["errors"][0]["extensions"]["code"],
        "SUBSCRIPTION_NOT_SUPPORTED"
    );
    let upgrade = upgrade_request(&setup.router, None, true);
    assert_eq!(upgrade_status(upgrade).await, 400);
    assert!(setup.accounts.subscribed().is_empty());
}

#[tokio::test]
async fn a_subgraph_that_stops_answering_pings_ends_the_stream_with_an_error() {
    let extra = "subscriptions:\n  heartbeat_interval_ms: 250\n";
    let setup = setup(SubgraphProtocol::Websocket, extra).await;
    let mut client = WsClient::ready(&setup.router, json!({})).await;
    client.subscribe("1", WATCH).await;
    setup.accounts.wait_for_subscriptions(1).await;
    setup.accounts.publish(user_event("Ada"));
    assert_eq!(client.recv().await["type"], "next");

    // The connection stays open, but nothing answers at the other end.
    setup.accounts.publish(Control::Mute);
    let error = client.recv().await;
    assert_eq!(error["type"], "error", "{error}");
    assert_eq!(
        error["payload"][0]["extensions"]["code"], "SUBREQUEST_HTTP_ERROR",
        "{error}"
    );
    let metrics = setup.router.router.metrics_text();
    assert!(
        metrics.contains("switchyard_subscriptions_ended_total{reason=\"failed\"} 1"),
        "{metrics}"
    );
}

#[tokio::test]
async fn subscriptions_are_counted_while_held_and_by_how_they_end() {
    let setup = setup(SubgraphProtocol::Websocket, "").await;
    let mut client = WsClient::ready(&setup.router, json!({})).await;
    client.subscribe("1", WATCH).await;
    setup.accounts.wait_for_subscriptions(1).await;
    setup.accounts.publish(user_event("Ada"));
    assert_eq!(client.recv().await["type"], "next");
    let held = setup.router.router.metrics_text();
    for line in [
        "switchyard_subscriptions_open 1",
        "switchyard_subscription_streams_open 1",
        "switchyard_subscription_events_total 1",
    ] {
        assert!(held.lines().any(|l| l == line), "no {line} in\n{held}");
    }
    setup.accounts.publish(Control::Complete);
    assert_eq!(client.recv().await["type"], "complete");
    drop(client);
    let mut ended = String::new();
    for _ in 0..100 {
        ended = setup.router.router.metrics_text();
        if ended
            .lines()
            .any(|l| l == "switchyard_subscription_streams_open 0")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for line in [
        "switchyard_subscriptions_open 0",
        "switchyard_subscription_streams_open 0",
        "switchyard_subscriptions_ended_total{reason=\"completed\"} 1",
        "switchyard_subscriptions_ended_total{reason=\"client_gone\"} 0",
    ] {
        assert!(ended.lines().any(|l| l == line), "no {line} in\n{ended}");
    }
}
