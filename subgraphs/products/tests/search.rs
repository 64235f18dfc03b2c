//! `searchProducts`: ranked full-text search, safe for any input.

mod support;

use serde_json::{Value, json};
use shop_common::testing::first_error_code;

const SEARCH: &str =
    "query($q: String!, $first: Int) { searchProducts(query: $q, first: $first) { id name } }";

fn ids(body: &Value) -> Vec<String> {
    body["data"]["searchProducts"]
        .as_array()
        .unwrap_or_else(|| panic!("no results in {body}"))
        .iter()
        .map(|p| p["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_name_match_ranks_above_a_description_match() {
    let service = support::Service::seeded().await;
    // "kettle" is the name of prod-07 and appears in the descriptions of prod-11
    // (the dripper) and prod-14 (the stove).
    let body = service.query(SEARCH, json!({ "q": "kettle" })).await;
    let found = ids(&body);
    assert_eq!(found.first().map(String::as_str), Some("prod-07"), "{body}");
    assert!(found.contains(&"prod-11".to_owned()), "{body}");
    assert!(found.contains(&"prod-14".to_owned()), "{body}");

    // Case does not matter, and a word in both name and description still
    // matches once per product.
    let body = service.query(SEARCH, json!({ "q": "ROBOT" })).await;
    let mut found = ids(&body);
    found.sort();
    assert_eq!(found, ["prod-05", "prod-26"], "{body}");
}

#[tokio::test]
async fn every_word_must_match_and_first_limits() {
    let service = support::Service::seeded().await;
    let body = service.query(SEARCH, json!({ "q": "cast iron" })).await;
    let mut found = ids(&body);
    found.sort();
    assert_eq!(found, ["prod-03", "prod-08", "prod-12"], "{body}");

    let body = service
        .query(SEARCH, json!({ "q": "cast iron", "first": 1 }))
        .await;
    assert_eq!(
        ids(&body),
        ["prod-08"],
        "the skillet names cast iron: {body}"
    );

    let body = service
        .query(SEARCH, json!({ "q": "kettle", "first": 101 }))
        .await;
    assert_eq!(first_error_code(&body), Some("BAD_USER_INPUT"));
    let long = "a".repeat(300);
    let body = service.query(SEARCH, json!({ "q": long })).await;
    assert_eq!(first_error_code(&body), Some("BAD_USER_INPUT"));
}

/// The last word is still being typed: it matches as a prefix, ranked as a
/// whole word would be; the words before it match whole.
#[tokio::test]
async fn the_last_word_matches_as_a_prefix() {
    let service = support::Service::seeded().await;
    let body = service.query(SEARCH, json!({ "q": "kett" })).await;
    let found = ids(&body);
    assert_eq!(found.first().map(String::as_str), Some("prod-07"), "{body}");
    assert!(found.contains(&"prod-14".to_owned()), "{body}");

    let body = service.query(SEARCH, json!({ "q": "keyb" })).await;
    assert_eq!(ids(&body), ["prod-20"], "{body}");

    let body = service.query(SEARCH, json!({ "q": "cast ir" })).await;
    let mut found = ids(&body);
    found.sort();
    assert_eq!(found, ["prod-03", "prod-08", "prod-12"], "{body}");

    // Only the last word: a prefix earlier in the input matches nothing.
    let body = service.query(SEARCH, json!({ "q": "ca iron" })).await;
    assert_eq!(ids(&body), Vec::<String>::new(), "{body}");
}

#[tokio::test]
async fn query_syntax_in_input_is_never_an_error() {
    let service = support::Service::seeded().await;
    for q in [
        r#""cast iron"#,
        r#""cast iron""#,
        "kettle*",
        "(kettle OR",
        "AND",
        "kettle AND NOT",
        "NEAR(kettle stove)",
        "name:kettle",
        "-kettle ^ + ' ; -- DROP TABLE products",
        "***",
        "",
        "   ",
        "ü ñ 中文",
    ] {
        let body = service.query(SEARCH, json!({ "q": q })).await;
        assert!(body["errors"].is_null(), "{q:?} gave {body}");
        assert!(
            body["data"]["searchProducts"].is_array(),
            "{q:?} gave {body}"
        );
    }
    let body = service.query(SEARCH, json!({ "q": "\"kettle*\"" })).await;
    assert_eq!(
        ids(&body).first().map(String::as_str),
        Some("prod-07"),
        "{body}"
    );
}
