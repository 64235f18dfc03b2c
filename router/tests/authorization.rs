//! `@authenticated`, `@requiresScopes` and `@policy` enforced by the router,
//! through HTTP: two mock subgraphs composed on the fly, tokens signed here, and
//! every test checks what the subgraphs received, so that a field the request
//! may not see is shown never to have been fetched.

mod common;

use common::jwt::{TestKey, jwks_file, now};
use common::{Answer, MockSubgraph, Reply, TestRouter};
use serde_json::{Value, json};
use switchyard::config::{JwtConfig, RouterConfig, UnauthorizedMode};
use switchyard_composition::{SubgraphDefinition, compose};

const ACCOUNTS: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.6",
    import: ["@key", "@authenticated", "@requiresScopes", "@policy"])

type Query {
  me: User @authenticated
  users: [User!]!
  user(id: ID!): User
  node(id: ID!): Node
  motd: String
}

type Mutation {
  deleteUser(id: ID!): Boolean @requiresScopes(scopes: [["admin"]])
}

interface Node { id: ID! }

type User implements Node @key(fields: "id") {
  id: ID!
  name: String
  email: String @requiresScopes(scopes: [["read:email"], ["admin"]])
  salary: Int! @policy(policies: [["hr"]])
}

type Vault implements Node @authenticated {
  id: ID!
  code: String
}
"#;

const REVIEWS: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.6",
    import: ["@key", "@authenticated"])

type User @key(fields: "id") {
  id: ID!
  reviews: [Review!] @authenticated
}

type Review { body: String }
"#;

/// Answers from the accounts data, whatever subset was asked for.
fn accounts(body: &Value) -> Reply {
    let query = body["query"].as_str().unwrap_or_default();
    let user = |id: &str, name: &str| {
        json!({"__typename": "User", "id": id, "name": name,
               "email": format!("{name}@shop.test"), "salary": 100})
    };
    let mut data = serde_json::Map::new();
    if query.contains("me") {
        data.insert("me".into(), user("1", "ada"));
    }
    if query.contains("users") {
        data.insert("users".into(), json!([user("1", "ada"), user("2", "bob")]));
    }
    if query.contains("user(") {
        data.insert("user".into(), user("1", "ada"));
    }
    if query.contains("node(") {
        let id = body["variables"]["id"].as_str().unwrap_or("u1");
        let node = if query.contains("\"v1\"") || id == "v1" {
            json!({"__typename": "Vault", "id": "v1", "code": "1234"})
        } else {
            user("1", "ada")
        };
        data.insert("node".into(), node);
    }
    if query.contains("motd") {
        data.insert("motd".into(), json!("hello"));
    }
    if query.contains("deleteUser") {
        data.insert("deleteUser".into(), json!(true));
    }
    Reply::Json(json!({ "data": data }))
}

fn reviews(body: &Value) -> Reply {
    let count = body["variables"]["representations"]
        .as_array()
        .map_or(0, Vec::len);
    let entities: Vec<Value> = (0..count)
        .map(|_| json!({"__typename": "User", "reviews": [{"body": "great"}]}))
        .collect();
    Reply::Json(json!({"data": {"_entities": entities}}))
}

struct Setup {
    router: TestRouter,
    accounts: MockSubgraph,
    reviews: MockSubgraph,
    key: TestKey,
    _dir: tempfile::TempDir,
}

impl Setup {
    async fn start(edit: impl FnOnce(&mut RouterConfig)) -> Setup {
        let accounts = MockSubgraph::start(accounts).await;
        let reviews = MockSubgraph::start(reviews).await;
        let composed = compose(&[
            SubgraphDefinition::new("accounts", &accounts.url, ACCOUNTS),
            SubgraphDefinition::new("reviews", &reviews.url, REVIEWS),
        ])
        .expect("the fixture composes");
        let key = TestKey::generate("k");
        let dir = tempfile::tempdir().unwrap();
        let mut config = RouterConfig::default();
        config.authentication.jwt = Some(
            serde_json::from_value::<JwtConfig>(json!({"jwks": []}))
                .map(|mut jwt| {
                    jwt.jwks = vec![jwks_file(dir.path(), &[&key])];
                    jwt
                })
                .unwrap(),
        );
        config.authorization.policies.insert(
            "hr".into(),
            serde_json::from_value(json!({"claim": "department", "equals": "hr"})).unwrap(),
        );
        edit(&mut config);
        let router = TestRouter::start_with_sdl(&composed.supergraph_sdl, config).await;
        Setup {
            router,
            accounts,
            reviews,
            key,
            _dir: dir,
        }
    }

    fn token(&self, extra: Value) -> String {
        let mut claims = json!({"sub": "1", "iat": now(), "exp": now() + 600});
        for (name, value) in extra.as_object().unwrap() {
            claims[name] = value.clone();
        }
        self.key.sign(&claims)
    }

    async fn post(&self, query: &str, token: Option<&str>) -> Answer {
        self.post_body(json!({ "query": query }), token).await
    }

    async fn post_body(&self, body: Value, token: Option<&str>) -> Answer {
        let bearer = token.map(|token| format!("Bearer {token}"));
        let headers: Vec<(&str, &str)> = bearer
            .as_deref()
            .map(|value| ("authorization", value))
            .into_iter()
            .collect();
        self.router.post_with(body, &headers).await
    }

    /// The operations the accounts subgraph received, in order.
    fn accounts_queries(&self) -> Vec<String> {
        queries(&self.accounts)
    }
}

fn queries(subgraph: &MockSubgraph) -> Vec<String> {
    subgraph
        .requests()
        .iter()
        .map(|r| r.body["query"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// `(path, code)` of every error.
fn errors(answer: &Answer) -> Vec<(Value, String)> {
    answer.body["errors"]
        .as_array()
        .map(|errors| {
            errors
                .iter()
                .map(|e| {
                    (
                        e["path"].clone(),
                        e["extensions"]["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[tokio::test]
async fn authenticated_field_is_null_with_an_error_for_anonymous_requests_and_never_fetched() {
    let setup = Setup::start(|_| {}).await;
    let answer = setup.post("{ me { name } motd }", None).await;
    assert_eq!(answer.status, 200, "{answer:?}");
    assert_eq!(answer.body["data"], json!({"me": null, "motd": "hello"}));
    assert_eq!(
        errors(&answer),
        vec![(json!(["me"]), "UNAUTHORIZED".into())]
    );
    assert_eq!(
        answer.body["errors"][0]["message"],
        "Not authorized to access Query.me"
    );
    let received = setup.accounts_queries();
    assert_eq!(received.len(), 1);
    assert!(!received[0].contains("me"), "{received:?}");

    // With a token, the same operation is served whole.
    let answer = setup
        .post("{ me { name } motd }", Some(&setup.token(json!({}))))
        .await;
    assert_eq!(
        answer.body,
        json!({"data": {"me": {"name": "ada"}, "motd": "hello"}})
    );
    assert!(setup.accounts_queries()[1].contains("me"));
}

#[tokio::test]
async fn scopes_decide_a_field_on_every_object_of_a_list() {
    let setup = Setup::start(|_| {}).await;
    let query = "{ users { name email } }";
    for token in [None, Some(setup.token(json!({"scope": "read:profile"})))] {
        let answer = setup.post(query, token.as_deref()).await;
        assert_eq!(
            answer.body["data"],
            json!({"users": [{"name": "ada", "email": null}, {"name": "bob", "email": null}]})
        );
        assert_eq!(
            errors(&answer),
            vec![
                (json!(["users", 0, "email"]), "UNAUTHORIZED".into()),
                (json!(["users", 1, "email"]), "UNAUTHORIZED".into()),
            ]
        );
    }
    // A space-separated string and a list both grant scopes; either alternative
    // of `[["read:email"], ["admin"]]` is enough.
    for scopes in [json!("openid read:email"), json!(["admin"])] {
        let token = setup.token(json!({ "scope": scopes }));
        let answer = setup.post(query, Some(&token)).await;
        assert!(answer.body.get("errors").is_none(), "{answer:?}");
        assert_eq!(answer.body["data"]["users"][1]["email"], "bob@shop.test");
    }
    let received = setup.accounts_queries();
    assert!(
        received[..2].iter().all(|q| !q.contains("email")),
        "{received:?}"
    );
    assert!(
        received[2..].iter().all(|q| q.contains("email")),
        "{received:?}"
    );
}

#[tokio::test]
async fn a_null_for_a_non_null_field_propagates_to_the_nearest_nullable_parent() {
    let setup = Setup::start(|_| {}).await;
    let query = r#"{ user(id: "1") { name salary } motd }"#;
    let answer = setup.post(query, Some(&setup.token(json!({})))).await;
    assert_eq!(answer.body["data"], json!({"user": null, "motd": "hello"}));
    assert_eq!(
        errors(&answer),
        vec![(json!(["user", "salary"]), "UNAUTHORIZED".into())]
    );
    assert!(!setup.accounts_queries()[0].contains("salary"));

    // The `hr` policy's rule holds for this token's claims.
    let token = setup.token(json!({"department": "hr"}));
    let answer = setup.post(query, Some(&token)).await;
    assert_eq!(
        answer.body,
        json!({"data": {"user": {"name": "ada", "salary": 100}, "motd": "hello"}})
    );
}

#[tokio::test]
async fn an_unauthorized_field_of_another_subgraph_causes_no_fetch_there() {
    let setup = Setup::start(|_| {}).await;
    let answer = setup
        .post("{ users { name reviews { body } } }", None)
        .await;
    assert_eq!(
        answer.body["data"],
        json!({"users": [{"name": "ada", "reviews": null}, {"name": "bob", "reviews": null}]})
    );
    assert_eq!(errors(&answer).len(), 2);
    assert!(setup.reviews.requests().is_empty());

    let token = setup.token(json!({}));
    let answer = setup
        .post("{ users { name reviews { body } } }", Some(&token))
        .await;
    assert!(answer.body.get("errors").is_none(), "{answer:?}");
    assert_eq!(setup.reviews.requests().len(), 1);
}

#[tokio::test]
async fn a_type_level_directive_protects_fields_selected_on_the_type() {
    let setup = Setup::start(|_| {}).await;
    // `Vault @authenticated`: fields selected on it are protected; the user's
    // fields in the same selection are not. `Node.id` is protected too, since
    // one of Node's implementations is.
    let query =
        r#"query($id: ID!) { node(id: $id) { ... on User { name } ... on Vault { code } } }"#;
    let answer = setup
        .post_body(json!({"query": query, "variables": {"id": "u1"}}), None)
        .await;
    assert_eq!(answer.body, json!({"data": {"node": {"name": "ada"}}}));
    let answer = setup
        .post_body(json!({"query": query, "variables": {"id": "v1"}}), None)
        .await;
    assert_eq!(answer.body["data"], json!({"node": {"code": null}}));
    assert_eq!(
        errors(&answer),
        vec![(json!(["node", "code"]), "UNAUTHORIZED".into())]
    );
    assert!(
        setup.accounts_queries().iter().all(|q| !q.contains("code")),
        "{:?}",
        setup.accounts_queries()
    );
    let answer = setup
        .post_body(json!({"query": "{ node(id: \"u1\") { id } }"}), None)
        .await;
    assert_eq!(
        errors(&answer),
        vec![(json!(["node", "id"]), "UNAUTHORIZED".into())]
    );
}

#[tokio::test]
async fn an_unauthorized_mutation_is_never_sent() {
    let setup = Setup::start(|_| {}).await;
    let answer = setup
        .post(
            r#"mutation { deleteUser(id: "2") }"#,
            Some(&setup.token(json!({}))),
        )
        .await;
    assert_eq!(answer.status, 200);
    assert_eq!(answer.body["data"], json!({"deleteUser": null}));
    assert_eq!(
        errors(&answer),
        vec![(json!(["deleteUser"]), "UNAUTHORIZED".into())]
    );
    assert!(setup.accounts.requests().is_empty());

    let admin = setup.token(json!({"scope": "admin"}));
    let answer = setup
        .post(r#"mutation { deleteUser(id: "2") }"#, Some(&admin))
        .await;
    assert_eq!(answer.body, json!({"data": {"deleteUser": true}}));
}

#[tokio::test]
async fn fields_excluded_by_skip_or_include_are_not_reported() {
    let setup = Setup::start(|_| {}).await;
    let query = "query($me: Boolean!) { me @include(if: $me) { name } motd }";
    let answer = setup
        .post_body(json!({"query": query, "variables": {"me": false}}), None)
        .await;
    assert_eq!(answer.body, json!({"data": {"motd": "hello"}}));
    let answer = setup
        .post_body(json!({"query": query, "variables": {"me": true}}), None)
        .await;
    assert_eq!(
        errors(&answer),
        vec![(json!(["me"]), "UNAUTHORIZED".into())]
    );
}

#[tokio::test]
async fn reject_mode_refuses_the_whole_operation() {
    let setup = Setup::start(|config| {
        config.authorization.unauthorized = UnauthorizedMode::Reject;
    })
    .await;
    let answer = setup.post("{ me { name } motd }", None).await;
    assert_eq!(answer.status, 401, "{answer:?}");
    assert!(answer.body.get("data").is_none());
    assert_eq!(
        errors(&answer),
        vec![(json!(["me"]), "UNAUTHORIZED".into())]
    );

    // Signed in but without the scope: 403, with the field's path (list
    // positions are not known before running).
    let token = setup.token(json!({}));
    let answer = setup.post("{ users { email } }", Some(&token)).await;
    assert_eq!(answer.status, 403, "{answer:?}");
    assert_eq!(
        errors(&answer),
        vec![(json!(["users", "email"]), "UNAUTHORIZED".into())]
    );
    assert!(setup.accounts.requests().is_empty());

    let answer = setup.post("{ me { name } motd }", Some(&token)).await;
    assert_eq!(answer.status, 200);
    assert_eq!(setup.accounts.requests().len(), 1);
}

#[tokio::test]
async fn each_set_of_unmet_requirements_is_planned_once() {
    let setup = Setup::start(|_| {}).await;
    let query = "{ me { name email } }";
    let token = setup.token(json!({}));
    for _ in 0..3 {
        setup.post(query, None).await;
        setup.post(query, Some(&token)).await;
    }
    // The operation itself, its variant for anonymous requests (`me` unmet) and
    // for this token (`email`'s scopes unmet).
    let stats = setup.router.router.plan_cache_stats();
    assert_eq!(stats.misses, 3, "{stats:?}");
}

#[tokio::test]
async fn disabled_authorization_leaves_the_decision_to_the_subgraphs() {
    let setup = Setup::start(|config| config.authorization.enabled = false).await;
    let answer = setup.post("{ me { name } users { email } }", None).await;
    assert!(answer.body.get("errors").is_none(), "{answer:?}");
    assert_eq!(answer.body["data"]["me"]["name"], "ada");
    assert!(setup.accounts_queries()[0].contains("email"));
}

#[tokio::test]
async fn a_policy_without_a_rule_is_refused_to_everyone() {
    let setup = Setup::start(|config| {
        config.authorization.policies.clear();
    })
    .await;
    let token = setup.token(json!({"department": "hr"}));
    let answer = setup
        .post(r#"{ user(id: "1") { salary } }"#, Some(&token))
        .await;
    assert_eq!(answer.body["data"], json!({"user": null}));
    assert_eq!(errors(&answer)[0].1, "UNAUTHORIZED");
}

#[tokio::test]
async fn malformed_policy_rules_stop_the_router_from_starting() {
    let mut config = RouterConfig::default();
    config.authorization.policies.insert(
        "broken".into(),
        serde_json::from_value(json!({"claim": "a", "equals": 1, "contains": 2})).unwrap(),
    );
    let error = switchyard::Router::from_supergraph_sdl(common::SUPERGRAPH, config)
        .err()
        .expect("a malformed rule is a config error");
    assert!(
        error.to_string().contains("authorization.policies.broken"),
        "{error}"
    );
}
