//! Secrets never reach the logs: the real `shop` binary (five services and the
//! router in one process, as `cargo run --release` runs them) logs at `debug`
//! while a customer signs up, signs in (once with a wrong password), checks out
//! with a card (once declined), lists orders and cancels (a refund), and an
//! attacker sends forged and malformed tokens. Then every line the process wrote
//! is searched for the password, the tokens and the card numbers.

mod shop_process;

use serde_json::{Value, json};
use shop_common::testing::graphql;
use shop_process::RunningShop;

const PASSWORD: &str = "Sup3r-s3cret-horse-battery";
const WRONG_PASSWORD: &str = "Wr0ng-guess-zebra-42";
const CARD: &str = "4242 4242 4242 4242";
const DECLINED_CARD: &str = "4000 0000 0000 0002";

const PLACE_ORDER: &str = "mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status total { amountCents } } }";

fn order_input(card: &str, key: &str) -> Value {
    json!({ "input": {
        "items": [{ "productId": "prod-01", "quantity": 1 }],
        "card": { "number": card, "expiryMonth": 12, "expiryYear": 2035, "cvc": "737" },
        "idempotencyKey": key,
    }})
}

/// A whole checkout, its failure paths and an attacker's probes, through the
/// router; returns the customer's token (a secret the logs must not hold).
async fn checkout(router: &str) -> String {
    let http = reqwest::Client::new();
    let email = format!("logs-{}@example.com", std::process::id());
    let signed_up = graphql(
        &http,
        router,
        "mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }",
        json!({ "input": { "email": email, "name": "Logan", "password": PASSWORD } }),
        None,
    )
    .await;
    assert!(signed_up["errors"].is_null(), "{signed_up}");
    let wrong = graphql(
        &http,
        router,
        "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
        json!({ "e": email, "p": WRONG_PASSWORD }),
        None,
    )
    .await;
    assert!(wrong["errors"].is_array(), "{wrong}");
    let signed_in = graphql(
        &http,
        router,
        "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
        json!({ "e": email, "p": PASSWORD }),
        None,
    )
    .await;
    let token = signed_in["data"]["signIn"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("sign-in failed: {signed_in}"))
        .to_owned();

    let placed = graphql(
        &http,
        router,
        PLACE_ORDER,
        order_input(CARD, "logs-1"),
        Some(&token),
    )
    .await;
    let order_id = placed["data"]["placeOrder"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("checkout failed: {placed}"))
        .to_owned();
    let declined = graphql(
        &http,
        router,
        PLACE_ORDER,
        order_input(DECLINED_CARD, "logs-2"),
        Some(&token),
    )
    .await;
    assert!(
        declined["data"]["placeOrder"]["id"].is_string(),
        "{declined}"
    );
    // Inline literals, not variables: the card number is in the query text.
    let inline = format!(
        "mutation {{ placeOrder(input: {{ items: [{{ productId: \"prod-01\", quantity: 1 }}], \
         card: {{ number: \"{CARD}\", expiryMonth: 12, expiryYear: 2035, cvc: \"737\" }}, \
         idempotencyKey: \"logs-3\" }}) {{ id }} }}"
    );
    let placed_inline = graphql(&http, router, &inline, json!({}), Some(&token)).await;
    assert!(placed_inline["errors"].is_null(), "{placed_inline}");
    let orders = graphql(
        &http,
        router,
        "{ me { orders { id status payment { status } } } }",
        json!({}),
        Some(&token),
    )
    .await;
    assert!(orders["errors"].is_null(), "{orders}");
    let cancelled = graphql(
        &http,
        router,
        "mutation($id: ID!) { cancelOrder(id: $id) { status } }",
        json!({ "id": order_id }),
        Some(&token),
    )
    .await;
    assert!(cancelled["errors"].is_null(), "{cancelled}");

    // An attacker: a token with its signature cut, and garbage.
    let forged = format!("{}.AAAA", token.rsplit_once('.').unwrap().0);
    for bad in [forged.as_str(), "not-a-token"] {
        let answer = graphql(&http, router, "{ me { id } }", json!({}), Some(bad)).await;
        assert!(answer["errors"].is_array(), "{answer}");
    }
    token
}

fn assert_no_secrets(logs: &str, token: &str) {
    // The test must be able to fail: the process did log, at debug level.
    assert!(logs.lines().count() > 50, "too few log lines:\n{logs}");
    assert!(
        logs.contains("DEBUG") || logs.contains("\"DEBUG\""),
        "no debug lines"
    );
    // The router's one line per request is there, for every request sent.
    let request_lines = logs
        .lines()
        .filter(|line| line.contains("switchyard::request"))
        .count();
    assert!(
        request_lines >= 10,
        "{request_lines} request lines:\n{logs}"
    );
    let signature = token.rsplit_once('.').unwrap().1;
    let digits_only = CARD.replace(' ', "");
    for (what, secret) in [
        ("the password", PASSWORD),
        ("the wrong password", WRONG_PASSWORD),
        ("the card number", CARD),
        ("the card number", digits_only.as_str()),
        ("the declined card number", DECLINED_CARD),
        ("the customer's token", token),
        ("the customer's token signature", signature),
        // Any JWT at all: customers' and services' tokens start so.
        ("a JWT", "eyJ"),
    ] {
        if let Some(line) = logs.lines().find(|line| line.contains(secret)) {
            panic!("the logs hold {what}: {line}");
        }
    }
}

#[tokio::test]
async fn a_full_checkout_leaves_no_secret_in_the_logs() {
    for format in ["text", "json"] {
        let dir = tempfile::tempdir().unwrap();
        // Everything the project's own crates log, and the HTTP and database
        // layers below them.
        let shop = RunningShop::start(dir.path(), &["--log-format", format], "debug").await;
        let router = shop.router.clone();
        let token = checkout(&router).await;
        let logs = shop.stop();
        assert_no_secrets(&logs, &token);
        if format == "json" {
            // One JSON object per line, and one request line per GraphQL request.
            for line in logs.lines().filter(|line| line.starts_with('{')) {
                serde_json::from_str::<Value>(line)
                    .unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
            }
        }
    }
}
