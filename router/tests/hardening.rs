//! What a client must not be able to do or see: duplicate JSON members, operations
//! past the root-field and introspection-depth limits, and internal details of the
//! subgraphs (error extensions, addresses) in errors; and a subgraph answering no
//! data without an error is an error, not a silent null.

mod common;

use common::{MockSubgraph, TestRouter, config_with};
use serde_json::{Value, json};
use switchyard::config::{RouterConfig, SubgraphExtensions};

const JSON: [(&str, &str); 1] = [("content-type", "application/json")];

fn codes(body: &Value) -> Vec<String> {
    body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| e["extensions"]["code"].as_str().unwrap_or("").to_owned())
                .collect()
        })
        .unwrap_or_default()
}

async fn shop_router(edit: impl FnOnce(&mut RouterConfig)) -> (common::Shop, TestRouter) {
    let shop = common::Shop::start().await;
    let mut config = config_with(&[
        ("accounts", &shop.accounts.url),
        ("products", &shop.products.url),
        ("reviews", &shop.reviews.url),
    ])
    .await;
    edit(&mut config);
    let router = TestRouter::start(config).await;
    (shop, router)
}

#[tokio::test]
async fn duplicate_members_in_the_request_body_are_a_400() {
    let (_shop, router) = shop_router(|_| {}).await;
    let cases = [
        r#"{"query":"{ me { name } }","query":"{ topProducts { upc } }"}"#,
        r#"{"query":"query($upc: String!) { product(upc: $upc) { name } }","variables":{"upc":"1","upc":"2"}}"#,
        r#"{"query":"query($upc: String!) { product(upc: $upc) { name } }","variables":{"upc":"1"},"variables":{"upc":"2"}}"#,
        r#"{"query":"{ me { name } }","extensions":{"a":{"b":1,"b":2}}}"#,
    ];
    for body in cases {
        let answer = router.post_raw(body, &JSON).await;
        assert_eq!(answer.status, 400, "{body}: {:?}", answer.body);
        assert_eq!(codes(&answer.body), ["INVALID_GRAPHQL_REQUEST"], "{body}");
        let message = answer.body["errors"][0]["message"].as_str().unwrap();
        assert!(message.contains("duplicate"), "{message}");
        assert!(answer.body.get("data").is_none());
    }
    // The same keys at different places are fine.
    let answer = router
        .post_raw(
            r#"{"query":"query($upc: String!) { product(upc: $upc) { name } }","variables":{"upc":"2"},"extensions":{"upc":{"upc":1}}}"#,
            &JSON,
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["data"]["product"]["name"], "Couch");
}

#[tokio::test]
async fn too_many_root_fields_is_a_400() {
    let (_shop, router) = shop_router(|config| config.limits.max_root_fields = Some(2)).await;
    let answer = router
        .post(json!({ "query": "{ a: me { name } b: me { name } }" }))
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    for query in [
        "{ a: me { name } b: me { name } c: me { name } }",
        // Fragments at the root count their fields.
        "{ a: me { name } ...F } fragment F on Query { b: me { name } c: me { name } }",
        "{ a: me { name } ... on Query { b: me { name } c: topProducts { upc } } }",
    ] {
        let answer = router.post(json!({ "query": query })).await;
        assert_eq!(answer.status, 400, "{query}: {:?}", answer.body);
        assert_eq!(codes(&answer.body), ["MAX_ROOT_FIELDS_LIMIT"], "{query}");
        assert_eq!(
            answer.body["errors"][0]["message"],
            "The operation has 3 root fields, more than the maximum of 2"
        );
    }
}

#[tokio::test]
async fn too_many_distinct_fields_is_a_400() {
    let (_shop, router) = shop_router(|config| config.limits.max_height = Some(3)).await;
    // `me`, `me.name` and `me.username`, however often fragments repeat them.
    let ok = "{ me { name ...U ...U } } fragment U on User { name username }";
    let answer = router.post(json!({ "query": ok })).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let answer = router
        .post(json!({ "query": "{ me { name username } x: me { name } }" }))
        .await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    assert_eq!(codes(&answer.body), ["MAX_HEIGHT_LIMIT"]);
    assert_eq!(
        answer.body["errors"][0]["message"],
        "The operation selects more than the maximum of 3 distinct fields"
    );
}

/// graphql-js's `getIntrospectionQuery()` type reference: seven `ofType` levels.
const TYPE_REF: &str = "fragment TypeRef on __Type { kind name ofType { kind name ofType { kind name \
     ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name \
     } } } } } } } }";

#[tokio::test]
async fn introspection_nested_too_deep_is_a_400() {
    let (_shop, router) =
        shop_router(|config| config.limits.max_introspection_depth = Some(5)).await;
    let ok = "{ __type(name: \"User\") { fields { type { ofType { name } } } } }";
    let answer = router.post(json!({ "query": ok })).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    for query in [
        "{ __type(name: \"User\") { fields { type { ofType { ofType { name } } } } } }",
        "{ __schema { types { ...T } } } fragment T on __Type { fields { type { ofType { name } } } }",
    ] {
        let answer = router.post(json!({ "query": query })).await;
        assert_eq!(answer.status, 400, "{query}: {:?}", answer.body);
        assert_eq!(codes(&answer.body), ["MAX_INTROSPECTION_DEPTH_LIMIT"]);
        assert_eq!(
            answer.body["errors"][0]["message"],
            "The introspection in the operation is 6 levels deep, more than the maximum of 5"
        );
    }
    // Ordinary fields are not introspection, however deep.
    let answer = router
        .post(json!({ "query": "{ me { reviews { product { reviews { author { name } } } } } }" }))
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);

    // The defaults let a tool's full introspection query through.
    let (_shop, router) = shop_router(|_| {}).await;
    let query = format!(
        "{{ __schema {{ types {{ kind name fields(includeDeprecated: true) {{ name \
         args {{ name type {{ ...TypeRef }} }} type {{ ...TypeRef }} }} }} }} }} {TYPE_REF}"
    );
    let answer = router.post(json!({ "query": query })).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert!(answer.body.get("errors").is_none(), "{:?}", answer.body);
}

const ERROR_WITH_INTERNALS: fn() -> Value = || {
    json!({
        "data": {"product": null},
        "errors": [{
            "message": "product service is degraded",
            "path": ["product"],
            "extensions": {
                "code": "DEGRADED",
                "stack": "Error: at db.js:12",
                "stacktrace": ["at db.js:12"],
                "exception": {"host": "db.internal"},
                "serviceName": "spoofed",
                "retryAfter": 3
            }
        }]
    })
};

async fn products_router(
    products: &MockSubgraph,
    edit: impl FnOnce(&mut RouterConfig),
) -> TestRouter {
    let mut config = config_with(&[("products", &products.url)]).await;
    edit(&mut config);
    TestRouter::start(config).await
}

#[tokio::test]
async fn subgraph_error_extensions_are_reduced_to_the_code_by_default() {
    let products = MockSubgraph::constant(ERROR_WITH_INTERNALS()).await;
    let router = products_router(&products, |_| {}).await;
    let answer = router
        .post(json!({ "query": "{ product(upc: \"1\") { name } }" }))
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(
        answer.body,
        json!({
            "data": {"product": null},
            "errors": [{
                "message": "product service is degraded",
                "path": ["product"],
                "extensions": {"code": "DEGRADED", "serviceName": "products"}
            }]
        })
    );
}

#[tokio::test]
async fn subgraph_error_extensions_can_be_kept() {
    let products = MockSubgraph::constant(ERROR_WITH_INTERNALS()).await;
    let router = products_router(&products, |config| {
        config.errors.subgraph_extensions = SubgraphExtensions::Keep;
    })
    .await;
    let answer = router
        .post(json!({ "query": "{ product(upc: \"1\") { name } }" }))
        .await;
    let extensions = &answer.body["errors"][0]["extensions"];
    assert_eq!(extensions["code"], "DEGRADED");
    assert_eq!(extensions["stack"], "Error: at db.js:12");
    assert_eq!(extensions["exception"]["host"], "db.internal");
    assert_eq!(extensions["retryAfter"], 3);
    assert_eq!(extensions["serviceName"], "products");
}

#[tokio::test]
async fn transport_errors_name_the_subgraph_not_its_address() {
    // Nothing listens at products' URL.
    let config = config_with(&[]).await;
    let url = config.override_subgraph_urls["products"].clone();
    let router = TestRouter::start(config).await;
    let answer = router
        .post(json!({ "query": "{ product(upc: \"1\") { name } }" }))
        .await;
    assert_eq!(answer.status, 200);
    let error = &answer.body["errors"][0];
    let message = error["message"].as_str().unwrap();
    assert!(message.contains("'products'"), "{message}");
    let port = url.rsplit(':').next().unwrap().trim_end_matches("/graphql");
    for internal in ["127.0.0.1", "http://", "/graphql", port] {
        assert!(
            !error.to_string().contains(internal),
            "{internal} in {error}"
        );
    }
    assert_eq!(error["extensions"]["code"], "SUBREQUEST_HTTP_ERROR");
    assert_eq!(error["extensions"]["serviceName"], "products");
}

#[tokio::test]
async fn a_root_fetch_with_null_data_and_no_errors_is_an_error() {
    let products = MockSubgraph::constant(json!({"data": null})).await;
    let router = products_router(&products, |_| {}).await;
    let answer = router
        .post(
            json!({ "query": "{ product(upc: \"1\") { name } p: product(upc: \"2\") { name } }" }),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["data"], json!({"product": null, "p": null}));
    let errors = answer.body["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "{errors:?}");
    for (error, key) in errors.iter().zip(["product", "p"]) {
        assert_eq!(error["path"], json!([key]));
        assert_eq!(error["extensions"]["code"], "SUBREQUEST_MALFORMED_RESPONSE");
        assert_eq!(error["extensions"]["serviceName"], "products");
        assert_eq!(
            error["message"],
            "Subgraph 'products' returned an invalid response: no data and no errors"
        );
    }
}
