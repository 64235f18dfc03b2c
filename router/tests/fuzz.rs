//! Hundreds of random and malformed requests (a deterministic PRNG, so failures
//! replay): none may get a 5xx, every answer is a GraphQL response object, and the
//! server still answers `/health` afterwards.

mod common;

use common::{Shop, TestRouter};
use serde_json::{Value, json};

/// xorshift64*: small, deterministic, good enough to pick tokens.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TOKENS: &[&str] = &[
    "{",
    "}",
    "{",
    "}",
    "(",
    ")",
    ":",
    "...",
    "on",
    "query",
    "mutation",
    "subscription",
    "fragment",
    "F",
    "me",
    "user",
    "id",
    "name",
    "username",
    "reviews",
    "body",
    "author",
    "product",
    "products",
    "topProducts",
    "upc",
    "price",
    "__typename",
    "__schema",
    "types",
    "__type",
    "Product",
    "User",
    "Review",
    "first",
    "$first",
    "$v",
    "Int",
    "String!",
    "\"1\"",
    "1",
    "-3",
    "1.5e3",
    "true",
    "null",
    "[",
    "]",
    "@skip",
    "@include",
    "if",
    "=",
    "!",
    "#comment\n",
    ",",
    "a:",
    "\"\"\"block\"\"\"",
    "\u{0}",
    "é",
    "addProduct",
];

fn random_operation(rng: &mut Rng) -> String {
    let length = 1 + rng.below(40);
    let mut text = String::new();
    for _ in 0..length {
        text.push_str(rng.pick(TOKENS));
        text.push(' ');
    }
    text
}

/// Small mutations of a valid operation produce mostly-valid, often-executable
/// operations, which reach deeper into the pipeline than token soup.
fn mutated_valid_operation(rng: &mut Rng) -> String {
    const VALID: &[&str] = &[
        "{ me { id name reviews { body product { name price } } } }",
        "query ($first: Int) { topProducts(first: $first) { upc name reviews { author { username } } } }",
        "{ product(upc: \"2\") { name reviews { id } } user(id: \"1\") { name } }",
        "{ __typename me { __typename } }",
        "{ __schema { queryType { name } types { name } } }",
        "query Q($s: Boolean!) { me { name @skip(if: $s) reviews @include(if: $s) { body } } }",
    ];
    let mut text: Vec<char> = rng.pick(VALID).chars().collect();
    for _ in 0..rng.below(3) {
        if text.is_empty() {
            break;
        }
        let at = rng.below(text.len());
        match rng.below(3) {
            0 => {
                text.remove(at);
            }
            1 => text.insert(
                at,
                rng.pick(&["{", "}", "(", ")", "x", "$", "@", "\""])
                    .chars()
                    .next()
                    .unwrap(),
            ),
            _ => text.truncate(at),
        }
    }
    text.into_iter().collect()
}

fn random_variables(rng: &mut Rng) -> Value {
    match rng.below(6) {
        0 => json!({}),
        1 => json!({ "first": rng.below(5) }),
        2 => json!({ "first": "two", "s": true }),
        3 => json!({ "s": false, "v": [1, {"a": null}] }),
        4 => json!(null),
        _ => json!({ "s": rng.below(2) == 1 }),
    }
}

fn random_bytes(rng: &mut Rng) -> Vec<u8> {
    (0..rng.below(200))
        .map(|_| (rng.next() & 0xff) as u8)
        .collect()
}

fn assert_graphql_shaped(what: &str, answer: &common::Answer) {
    assert!(
        answer.status < 500,
        "{what} → {}: {}",
        answer.status,
        answer.body
    );
    let object = answer
        .body
        .as_object()
        .unwrap_or_else(|| panic!("{what} → not a JSON object: {}", answer.body));
    assert!(
        object.contains_key("data") || object.contains_key("errors"),
        "{what} → {}",
        answer.body
    );
}

#[tokio::test]
async fn random_requests_never_break_the_server() {
    let shop = Shop::start().await;
    let mut config = shop.config().await;
    config.limits.max_body_bytes = 4096;
    let router = TestRouter::start(config).await;
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for round in 0..400 {
        let (query, answer) = match round % 5 {
            0 => {
                let body = random_bytes(&mut rng);
                let what = format!("round {round}: random bytes");
                let answer = router
                    .post_raw(body, &[("content-type", "application/json")])
                    .await;
                assert_graphql_shaped(&what, &answer);
                continue;
            }
            1 => {
                let query = random_operation(&mut rng);
                (
                    query.clone(),
                    router
                        .post(json!({ "query": query, "variables": random_variables(&mut rng) }))
                        .await,
                )
            }
            2 | 3 => {
                let query = mutated_valid_operation(&mut rng);
                let mut body = json!({ "query": query, "variables": random_variables(&mut rng) });
                if rng.below(4) == 0 {
                    body["operationName"] = json!(rng.pick(&["Q", "", "me"]));
                }
                (query, router.post(body).await)
            }
            _ => {
                let query = mutated_valid_operation(&mut rng);
                let encoded: String = query.bytes().map(|b| format!("%{b:02X}")).collect();
                let path = format!("/graphql?query={encoded}");
                (
                    query,
                    router
                        .get(&path, &[("apollo-require-preflight", "1")])
                        .await,
                )
            }
        };
        assert_graphql_shaped(&format!("round {round}: {query:?}"), &answer);
    }
    let health = router.get("/health", &[]).await;
    assert_eq!(health.status, 200);
    let after = router.post(json!({ "query": "{ me { name } }" })).await;
    assert_eq!(after.body["data"]["me"]["name"], "Ada Lovelace");
}
