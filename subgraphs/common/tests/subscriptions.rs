//! The subscription transports over real sockets, with a small schema of their
//! own: the `graphql-transport-ws` protocol's rules and close codes, who the
//! caller is, the limits, and the end of every stream when the service stops.

use std::time::Duration;

use async_graphql::{Context, EmptyMutation, Object, Schema, Subscription};
use futures::Stream;
use serde_json::{Value, json};
use shop_common::Caller;
use shop_common::server::{Identity, graphql_app_with};
use shop_common::subscriptions::SubscriptionLimits;
use shop_common::testing::live::{SseClient, WsClient};
use shop_common::testing::{TestIssuer, TestServer, spawn};

struct Query;

#[Object]
impl Query {
    async fn hello(&self) -> &str {
        "hello"
    }
}

struct Subscription;

#[Subscription]
impl Subscription {
    /// 1, 2, …, n, then the end.
    async fn ticks(&self, n: i32) -> impl Stream<Item = i32> {
        futures::stream::iter(1..=n)
    }

    /// 0, then nothing, ever.
    async fn forever(&self) -> impl Stream<Item = i32> {
        futures::StreamExt::chain(futures::stream::iter([0]), futures::stream::pending())
    }

    /// Who the transport says is calling, once.
    async fn caller(&self, ctx: &Context<'_>) -> impl Stream<Item = String> {
        let who = match Caller::from_ctx(ctx) {
            Caller::Anonymous => "anonymous".to_owned(),
            Caller::User(claims) => format!("user {}", claims.sub),
            Caller::Service(claims) => format!("service {}", claims.sub),
            Caller::Rejected(_) => "rejected".to_owned(),
        };
        futures::stream::iter([who])
    }
}

struct Service {
    server: TestServer,
    issuer: TestIssuer,
}

async fn start(limits: SubscriptionLimits) -> Service {
    let issuer = TestIssuer::start(&[]).await;
    let authenticator = shop_common::auth::authenticator("test", &issuer.users_jwks_url(), &[]);
    let schema = Schema::build(Query, EmptyMutation, Subscription).finish();
    let server = spawn(graphql_app_with(
        "toy",
        schema,
        Identity::new(authenticator),
        limits,
    ))
    .await;
    Service { server, issuer }
}

fn url(service: &Service) -> &str {
    &service.server.graphql_url
}

fn close_code(message: &Value) -> u64 {
    message["close"]["code"]
        .as_u64()
        .unwrap_or_else(|| panic!("expected a close frame, got {message}"))
}

#[tokio::test]
async fn a_subscription_streams_its_results_then_completes() {
    let service = start(SubscriptionLimits::default()).await;
    let mut ws = WsClient::connect_and_init(url(&service), json!({})).await;
    ws.subscribe("1", "subscription { ticks(n: 3) }", json!({}))
        .await;
    for n in 1..=3 {
        assert_eq!(
            ws.next_payload("1").await,
            json!({ "data": { "ticks": n } })
        );
    }
    assert_eq!(ws.next().await, json!({ "type": "complete", "id": "1" }));

    let mut sse = SseClient::subscribe(
        url(&service),
        "subscription { ticks(n: 2) }",
        json!({}),
        None,
    )
    .await;
    for n in 1..=2 {
        assert_eq!(sse.next_payload().await, json!({ "data": { "ticks": n } }));
    }
    let complete = sse.next_event().await.expect("complete");
    assert_eq!(complete.event, "complete");
    assert_eq!(sse.next_event().await, None, "the response ends");
}

#[tokio::test]
async fn the_caller_comes_from_the_init_payload_or_the_upgrade_header() {
    let service = start(SubscriptionLimits::default()).await;
    let token = service.issuer.customer("ada");
    let mut cases: Vec<(WsClient, &str)> = Vec::new();
    cases.push((
        WsClient::connect_and_init(
            url(&service),
            json!({ "authorization": format!("Bearer {token}") }),
        )
        .await,
        "user ada",
    ));
    cases.push((
        WsClient::connect_and_init(url(&service), json!({ "token": token })).await,
        "user ada",
    ));
    let mut by_header = WsClient::connect(url(&service), Some(&format!("Bearer {token}"))).await;
    by_header.init(json!({})).await;
    cases.push((by_header, "user ada"));
    cases.push((
        WsClient::connect_and_init(url(&service), json!({ "token": "not-a-jwt" })).await,
        "rejected",
    ));
    cases.push((
        WsClient::connect_and_init(url(&service), json!({ "token": 7 })).await,
        "rejected",
    ));
    cases.push((
        WsClient::connect_and_init(url(&service), json!(null)).await,
        "anonymous",
    ));
    for (mut ws, expected) in cases {
        ws.subscribe("who", "subscription { caller }", json!({}))
            .await;
        assert_eq!(
            ws.next_payload("who").await,
            json!({ "data": { "caller": expected } })
        );
    }

    let mut sse = SseClient::subscribe(
        url(&service),
        "subscription { caller }",
        json!({}),
        Some(&token),
    )
    .await;
    assert_eq!(
        sse.next_payload().await,
        json!({ "data": { "caller": "user ada" } })
    );
}

#[tokio::test]
async fn protocol_violations_close_the_connection_with_the_protocols_codes() {
    let service = start(SubscriptionLimits::default()).await;

    let mut early = WsClient::connect(url(&service), None).await;
    early
        .subscribe("1", "subscription { forever }", json!({}))
        .await;
    assert_eq!(
        close_code(&early.next().await),
        4401,
        "subscribe before the ack"
    );

    let mut twice = WsClient::connect_and_init(url(&service), json!({})).await;
    twice.send(json!({ "type": "connection_init" })).await;
    assert_eq!(close_code(&twice.next().await), 4429, "a second init");

    let mut same_id = WsClient::connect_and_init(url(&service), json!({})).await;
    same_id
        .subscribe("a", "subscription { forever }", json!({}))
        .await;
    assert_eq!(
        same_id.next_payload("a").await,
        json!({ "data": { "forever": 0 } })
    );
    same_id
        .subscribe("a", "subscription { forever }", json!({}))
        .await;
    let closed = same_id.next().await;
    assert_eq!(close_code(&closed), 4409, "{closed}");
    assert_eq!(closed["close"]["reason"], "Subscriber for a already exists");

    for garbage in [
        "not json".to_owned(),
        json!({ "type": "start", "id": "1" }).to_string(),
        json!({ "type": "subscribe", "id": "1", "payload": "subscription { forever }" })
            .to_string(),
    ] {
        let mut ws = WsClient::connect_and_init(url(&service), json!({})).await;
        ws.send_text(garbage.clone()).await;
        assert_eq!(close_code(&ws.next().await), 4400, "{garbage}");
    }

    // A refused handshake: no subprotocol.
    let plain = reqwest::Client::new()
        .get(url(&service).replace("/graphql", "/graphql/ws"))
        .header("connection", "upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .send()
        .await
        .unwrap();
    assert_eq!(plain.status(), 400);
}

#[tokio::test]
async fn a_client_that_never_initialises_is_closed_with_4408() {
    let service = start(SubscriptionLimits {
        init_timeout: Duration::from_millis(200),
        ..SubscriptionLimits::default()
    })
    .await;
    let mut ws = WsClient::connect(url(&service), None).await;
    assert_eq!(close_code(&ws.next().await), 4408);
}

#[tokio::test]
async fn pings_are_answered_and_sent_and_a_silent_client_is_let_go() {
    let service = start(SubscriptionLimits {
        keep_alive: Duration::from_millis(200),
        ..SubscriptionLimits::default()
    })
    .await;
    let mut ws = WsClient::connect_and_init(url(&service), json!({})).await;
    ws.send(json!({ "type": "ping", "payload": { "n": 1 } }))
        .await;
    assert_eq!(
        ws.next().await,
        json!({ "type": "pong", "payload": { "n": 1 } })
    );

    ws.answer_pings = false;
    assert_eq!(
        ws.next().await,
        json!({ "type": "ping" }),
        "the server pings"
    );
    let closed = ws.next().await;
    assert_eq!(close_code(&closed), 1001, "no pong: {closed}");
}

#[tokio::test]
async fn operations_per_connection_and_per_service_are_limited() {
    let service = start(SubscriptionLimits {
        per_connection: 2,
        total: 3,
        ..SubscriptionLimits::default()
    })
    .await;
    let mut ws = WsClient::connect_and_init(url(&service), json!({})).await;
    for id in ["1", "2"] {
        ws.subscribe(id, "subscription { forever }", json!({}))
            .await;
        ws.next_payload(id).await;
    }
    ws.subscribe("3", "subscription { forever }", json!({}))
        .await;
    let refused = ws.next_of("3").await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "TOO_MANY_SUBSCRIPTIONS"
    );

    // Completing one makes room on the connection; the service holds 3 in all.
    ws.send(json!({ "type": "complete", "id": "1" })).await;
    ws.subscribe("4", "subscription { forever }", json!({}))
        .await;
    assert_eq!(
        ws.next_payload("4").await,
        json!({ "data": { "forever": 0 } })
    );

    let mut other = WsClient::connect_and_init(url(&service), json!({})).await;
    other
        .subscribe("a", "subscription { forever }", json!({}))
        .await;
    other.next_payload("a").await;
    other
        .subscribe("b", "subscription { forever }", json!({}))
        .await;
    let refused = other.next_of("b").await;
    assert_eq!(refused["type"], "error", "the service is full: {refused}");
    assert_eq!(
        refused["payload"][0]["extensions"]["code"],
        "TOO_MANY_SUBSCRIPTIONS"
    );

    let mut sse =
        SseClient::subscribe(url(&service), "subscription { forever }", json!({}), None).await;
    let refused = sse.next_payload().await;
    assert_eq!(
        refused["errors"][0]["extensions"]["code"], "TOO_MANY_SUBSCRIPTIONS",
        "{refused}"
    );
    assert_eq!(sse.next_event().await.expect("complete").event, "complete");
}

#[tokio::test]
async fn new_subscriptions_are_rate_limited_per_client() {
    let service = start(SubscriptionLimits {
        starts_per_client: "2/1h".parse().unwrap(),
        ..SubscriptionLimits::default()
    })
    .await;
    let mut ws = WsClient::connect_and_init(url(&service), json!({})).await;
    for id in ["1", "2"] {
        ws.subscribe(id, "subscription { ticks(n: 1) }", json!({}))
            .await;
        ws.next_payload(id).await;
        assert_eq!(ws.next_of(id).await["type"], "complete");
    }
    ws.subscribe("3", "subscription { ticks(n: 1) }", json!({}))
        .await;
    let refused = ws.next_of("3").await;
    assert_eq!(
        refused["payload"][0]["extensions"]["code"], "RATE_LIMITED",
        "{refused}"
    );
}

#[tokio::test]
async fn sse_refuses_what_is_not_a_graphql_request() {
    let service = start(SubscriptionLimits::default()).await;
    let endpoint = url(&service).replace("/graphql", "/graphql/stream");
    let client = reqwest::Client::new();
    let bad = client
        .post(&endpoint)
        .header("accept", "text/event-stream")
        .header("content-type", "application/json")
        .body("{ not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let body: Value = bad.json().await.unwrap();
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not a GraphQL request")
    );

    let json_only = client
        .post(&endpoint)
        .header("accept", "application/json")
        .json(&json!({ "query": "subscription { forever }" }))
        .send()
        .await
        .unwrap();
    assert_eq!(json_only.status(), 406);

    // GET with the request in the query string works too.
    let mut get = client
        .get(format!(
            "{endpoint}?query=subscription%20%7B%20ticks(n%3A%201)%20%7D"
        ))
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(get.status(), 200);
    let mut body = String::new();
    while let Some(chunk) = tokio::time::timeout(Duration::from_secs(20), get.chunk())
        .await
        .unwrap()
        .unwrap()
    {
        body.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert_eq!(
        body,
        "event: next\ndata: {\"data\":{\"ticks\":1}}\n\nevent: complete\n\n"
    );
}

#[tokio::test]
async fn stopping_the_service_ends_every_subscription_with_an_error() {
    let service = start(SubscriptionLimits::default()).await;
    let mut ws = WsClient::connect_and_init(url(&service), json!({})).await;
    for id in ["1", "2"] {
        ws.subscribe(id, "subscription { forever }", json!({}))
            .await;
        ws.next_payload(id).await;
    }
    let mut sse =
        SseClient::subscribe(url(&service), "subscription { forever }", json!({}), None).await;
    sse.next_payload().await;

    drop(service.server);

    let mut ended = Vec::new();
    for _ in 0..2 {
        let error = ws.next().await;
        assert_eq!(error["type"], "error", "{error}");
        assert_eq!(error["payload"][0]["extensions"]["code"], "SHUTTING_DOWN");
        ended.push(error["id"].as_str().unwrap().to_owned());
    }
    ended.sort();
    assert_eq!(ended, ["1", "2"]);
    assert_eq!(close_code(&ws.next().await), 1001);

    let error = sse.next_payload().await;
    assert_eq!(
        error["errors"][0]["extensions"]["code"], "SHUTTING_DOWN",
        "{error}"
    );
    assert_eq!(sse.next_event().await.expect("complete").event, "complete");
    assert_eq!(sse.next_event().await, None);
}
