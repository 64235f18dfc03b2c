//! One checkout is one trace: the whole shop in this process (as
//! `cargo run -- --otlp-endpoint` runs it) exports to an OTLP receiver; the
//! router's fetch spans are the parents of the services' server spans, orders'
//! calls to inventory and payments carry the trace on, resolvers and SQL
//! statements have spans, and no password, card number or token is in any span.

mod shopfront;

use shop_common::telemetry::{LogFormat, OtlpProtocol, TraceSettings};
use shopfront::{PASSWORD, Shopfront, VISA};
use switchyard_telemetry::testing::{ExportedSpan, OtlpReceiver};

/// The span of `trace` named `name`, whose chain of parents reaches `ancestor`.
fn under<'s>(
    spans: &'s [ExportedSpan],
    name: &str,
    ancestor: &ExportedSpan,
) -> Option<&'s ExportedSpan> {
    spans.iter().find(|span| {
        span.name == name && {
            let mut current = Some(*span);
            let mut found = false;
            while let Some(span) = current {
                if span.span_id == ancestor.span_id {
                    found = true;
                    break;
                }
                current = spans.iter().find(|s| s.span_id == span.parent_span_id);
            }
            found
        }
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_checkout_is_one_trace_across_the_router_and_the_services() {
    let receiver = OtlpReceiver::start().await;
    let settings = TraceSettings {
        endpoint: receiver.endpoint.clone(),
        protocol: OtlpProtocol::Http,
        sampling: 1.0,
        service_name: "shop".to_owned(),
    };
    let telemetry = shop_common::telemetry::install(LogFormat::Text, Some(&settings))
        .expect("the only subscriber of this test binary");
    let front = Shopfront::start().await;
    let customer = front.sign_up("tracy").await;
    front
        .confirmed_order(&customer, "prod-01", "traced-1")
        .await;
    let token = customer.token.clone();
    front.stop().await;
    let telemetry = tokio::task::spawn_blocking(move || {
        telemetry.flush();
        telemetry
    })
    .await
    .unwrap();

    // The checkout's trace: the one where orders calls payments.
    let all = receiver.spans();
    let payments_server = all
        .iter()
        .find(|span| {
            span.name == "payments /graphql" && {
                all.iter()
                    .any(|parent| parent.span_id == span.parent_span_id && parent.service == "shop")
            }
        })
        .unwrap_or_else(|| panic!("no payments server span: {all:#?}"));
    let spans = receiver
        .trace(&payments_server.trace_id, |spans| !spans.is_empty())
        .await;
    let request = spans
        .iter()
        .find(|span| span.name == "POST /graphql")
        .expect("the router's request span");
    assert!(
        request.parent_span_id.is_empty(),
        "the client sent no trace"
    );
    let fetch = under(&spans, "fetch orders", request).expect("the router fetches orders");
    assert_eq!(fetch.attribute("subgraph.name"), Some("orders"));
    let orders = spans
        .iter()
        .find(|span| span.name == "orders /graphql")
        .expect("orders' server span");
    assert_eq!(orders.parent_span_id, fetch.span_id);
    assert_eq!(orders.attribute("shop.service"), Some("orders"));
    let resolver = under(&spans, "resolve Mutation.placeOrder", orders).expect("a resolver span");
    for callee in ["inventory /graphql", "payments /graphql"] {
        assert!(
            under(&spans, callee, resolver).is_some(),
            "{callee} continues orders' trace: {spans:#?}"
        );
    }
    assert!(
        ["query_one_raw", "query_all_raw", "execute_raw"]
            .iter()
            .any(|statement| under(&spans, statement, orders).is_some()),
        "orders' SQL statements have spans: {spans:#?}"
    );
    assert!(spans.iter().all(|span| span.service == "shop"));

    let digits: String = VISA.chars().filter(char::is_ascii_digit).collect();
    for span in &all {
        let text = format!("{span:?}");
        for secret in [PASSWORD, VISA, digits.as_str(), token.as_str()] {
            assert!(!text.contains(secret), "a secret in {span:#?}");
        }
    }
    telemetry.shutdown().await;
}
