//! Demand control through HTTP: the static cost of operations on a supergraph
//! composed from inline subgraphs with `@cost` and `@listSize` on fields, types,
//! arguments and input fields; `enforce` refusing an operation over `max` (400,
//! `COST_ESTIMATED_TOO_EXPENSIVE`) before any subgraph is called; `measure`
//! letting it through; the estimated and actual cost in `extensions.cost` only
//! when enabled, exposed and asked for.

mod common;

use common::{Answer, MockSubgraph, Reply, TestRouter};
use serde_json::{Value, json};
use switchyard::config::{DemandControlMode, RouterConfig};
use switchyard_composition::{SubgraphDefinition, compose};

const FED2: &str = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.9", import: ["@key", "@cost", "@listSize"])"#;

const CATALOG: &str = r#"
type Query {
  product(id: ID!): Product
  products(first: Int, after: String): [Product!]! @listSize(slicingArguments: ["first"], requireOneSlicingArgument: false, assumedSize: 50)
  recent(first: Int, last: Int): [Product!]! @listSize(slicingArguments: ["first", "last"])
  featured: [Product!]! @listSize(assumedSize: 5)
  everything: [Product!]!
  productConnection(first: Int!): ProductConnection @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  search(filter: SearchFilter, limit: Int @cost(weight: 3)): [Product!]! @listSize(assumedSize: 2)
  report: String @cost(weight: 20)
}

type Mutation {
  addProduct(name: String!): Product
}

type Product @key(fields: "id") {
  id: ID!
  name: String
  price: Money
}

type Money @cost(weight: 2) {
  amount: Int
  currency: String
}

type ProductConnection {
  edges: [ProductEdge!]!
  pageInfo: PageInfo
}

type ProductEdge {
  node: Product!
  cursor: String
}

type PageInfo {
  hasNextPage: Boolean
}

input SearchFilter {
  text: String @cost(weight: 4)
}
"#;

const REVIEWS: &str = r#"
type Product @key(fields: "id") {
  id: ID!
  reviews: [Review!]! @listSize(assumedSize: 3)
}

type Review {
  id: ID!
  body: String
}
"#;

/// The two mock subgraphs and a router over their composed supergraph.
struct Setup {
    catalog: MockSubgraph,
    reviews: MockSubgraph,
    router: TestRouter,
}

impl Setup {
    async fn start(configure: impl FnOnce(&mut RouterConfig)) -> Setup {
        let catalog = MockSubgraph::start(catalog).await;
        let reviews = MockSubgraph::start(reviews).await;
        let composed = compose(&[
            SubgraphDefinition::new("catalog", &catalog.url, format!("{FED2}\n{CATALOG}")),
            SubgraphDefinition::new("reviews", &reviews.url, format!("{FED2}\n{REVIEWS}")),
        ])
        .expect("the subgraphs compose");
        let mut config = RouterConfig::default();
        configure(&mut config);
        let router = TestRouter::start_with_sdl(&composed.supergraph_sdl, config).await;
        Setup {
            catalog,
            reviews,
            router,
        }
    }

    /// POSTs `query` with `variables`, asking for the cost.
    async fn post(&self, query: &str, variables: Value) -> Answer {
        self.router
            .post_with(
                json!({"query": query, "variables": variables}),
                &[("x-switchyard-cost", "true")],
            )
            .await
    }

    fn subgraph_requests(&self) -> usize {
        self.catalog.requests().len() + self.reviews.requests().len()
    }
}

fn product(id: &str) -> Value {
    json!({"__typename": "Product", "id": id, "name": format!("P{id}"),
           "price": {"amount": 1, "currency": "EUR"}})
}

/// Two products for every list, one for `product` and `addProduct`.
fn catalog(body: &Value) -> Reply {
    let query = body["query"].as_str().unwrap_or("");
    let two = json!([product("1"), product("2")]);
    let mut data = serde_json::Map::new();
    for list in ["products", "recent", "featured", "everything", "search"] {
        if query.contains(list) {
            data.insert(list.into(), two.clone());
        }
    }
    if query.contains("product(") {
        data.insert("product".into(), product("1"));
    }
    if query.contains("addProduct") {
        data.insert("addProduct".into(), product("9"));
    }
    if query.contains("report") {
        data.insert("report".into(), json!("ok"));
    }
    Reply::Json(json!({"data": data}))
}

/// Product 1 has two reviews, the others none.
fn reviews(body: &Value) -> Reply {
    let entities: Vec<Value> = body
        .pointer("/variables/representations")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|representation| {
            let id = representation["id"].as_str().unwrap_or("");
            let reviews = if id == "1" {
                json!([{"id": "r1", "body": "good"}, {"id": "r2", "body": "bad"}])
            } else {
                json!([])
            };
            json!({"__typename": "Product", "id": id, "reviews": reviews})
        })
        .collect();
    Reply::Json(json!({"data": {"_entities": entities}}))
}

fn measure(config: &mut RouterConfig) {
    config.demand_control.enabled = true;
    config.demand_control.mode = DemandControlMode::Measure;
    config.demand_control.list_size = 10;
    config.demand_control.expose_cost = true;
}

fn enforce(max: u64) -> impl FnOnce(&mut RouterConfig) {
    move |config| {
        measure(config);
        config.demand_control.mode = DemandControlMode::Enforce;
        config.demand_control.max = max;
    }
}

#[tokio::test]
async fn estimates_follow_cost_and_list_size() {
    let setup = Setup::start(measure).await;
    let cases: &[(&str, &str, Value, u64)] = &[
        // An object costs 1, its scalars nothing.
        (
            "plain object",
            r#"{ product(id: "1") { id name } }"#,
            json!({}),
            1,
        ),
        // `@cost` on a type (Money: 2).
        (
            "type weight",
            r#"{ product(id: "1") { price { amount } } }"#,
            json!({}),
            3,
        ),
        // `@cost` on a field.
        ("field weight", "{ report }", json!({}), 20),
        // Nested lists with assumedSize: 5 products * (1 + 3 reviews).
        (
            "nested lists",
            "{ featured { id reviews { id body } } }",
            json!({}),
            20,
        ),
        // A slicing argument given literally, by variable, or not at all.
        (
            "slicing literal",
            "{ products(first: 7) { id } }",
            json!({}),
            7,
        ),
        (
            "slicing variable",
            "query($n: Int) { products(first: $n) { id } }",
            json!({"n": 25}),
            25,
        ),
        ("no slicing argument", "{ products { id } }", json!({}), 50),
        // No @listSize: the configured list_size (10).
        ("default list size", "{ everything { id } }", json!({}), 10),
        // sizedFields: connection 1 + 4 edges * (edge 1 + node 1) + pageInfo 1.
        (
            "sized fields",
            "{ productConnection(first: 4) { edges { node { id } } pageInfo { hasNextPage } } }",
            json!({}),
            10,
        ),
        // Arguments: 2 products + filter (input object 1 + text 4) + limit 3.
        (
            "arguments",
            r#"{ search(filter: {text: "x"}, limit: 5) { id } }"#,
            json!({}),
            10,
        ),
        // Fragments are expanded, every selection counted.
        (
            "fragments",
            r#"{ product(id: "1") { ...P } p: product(id: "2") { price { amount } } } fragment P on Product { price { currency } }"#,
            json!({}),
            6,
        ),
        // Mutations cost 10 more.
        (
            "mutation",
            r#"mutation { addProduct(name: "x") { id } }"#,
            json!({}),
            11,
        ),
    ];
    for (case, query, variables, expected) in cases {
        let answer = setup.post(query, variables.clone()).await;
        assert_eq!(answer.status, 200, "{case}: {:?}", answer.body);
        let cost = &answer.body["extensions"]["cost"];
        assert_eq!(cost["estimated"], json!(expected), "{case}: {cost}");
        assert_eq!(cost["result"], "COST_OK", "{case}");
        assert_eq!(cost["strategy"], "static_estimated", "{case}");
    }
}

#[tokio::test]
async fn extensions_show_the_estimated_and_the_actual_cost() {
    let setup = Setup::start(measure).await;
    let answer = setup
        .post("{ products(first: 5) { id reviews { id } } }", json!({}))
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(
        answer.body["data"],
        json!({"products": [
            {"id": "1", "reviews": [{"id": "r1"}, {"id": "r2"}]},
            {"id": "2", "reviews": []}
        ]})
    );
    // Estimated: 5 * (1 + 3); actual: 2 products + 2 reviews.
    assert_eq!(
        answer.body["extensions"]["cost"],
        json!({"estimated": 20, "actual": 4, "result": "COST_OK", "strategy": "static_estimated"})
    );
}

const EXPENSIVE: &str = "{ products(first: 500) { id reviews { id } } }";

#[tokio::test]
async fn enforce_refuses_an_expensive_operation_before_any_subgraph_is_called() {
    let setup = Setup::start(enforce(100)).await;
    let answer = setup.post(EXPENSIVE, json!({})).await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    assert!(answer.body.get("data").is_none(), "{:?}", answer.body);
    let error = &answer.body["errors"][0];
    assert_eq!(error["extensions"]["code"], "COST_ESTIMATED_TOO_EXPENSIVE");
    assert_eq!(error["extensions"]["cost.estimated"], 2000);
    assert_eq!(error["extensions"]["cost.max"], 100);
    let message = error["message"].as_str().unwrap();
    assert!(
        message.contains("2000") && message.contains("100"),
        "{message}"
    );
    assert_eq!(setup.subgraph_requests(), 0);

    // Under the maximum: served.
    let answer = setup
        .post("{ products(first: 2) { id reviews { id } } }", json!({}))
        .await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert_eq!(answer.body["extensions"]["cost"]["estimated"], 8);
    assert!(setup.catalog.requests().len() == 1);

    // The variable decides: the same operation, refused with a larger `first`.
    let query = "query($n: Int) { products(first: $n) { id } }";
    assert_eq!(setup.post(query, json!({"n": 100})).await.status, 200);
    let answer = setup.post(query, json!({"n": 101})).await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    assert_eq!(setup.catalog.requests().len(), 2);
}

#[tokio::test]
async fn measure_lets_an_expensive_operation_through() {
    let setup = Setup::start(|config| {
        measure(config);
        config.demand_control.max = 100;
    })
    .await;
    let answer = setup.post(EXPENSIVE, json!({})).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert!(answer.body.get("errors").is_none(), "{:?}", answer.body);
    assert_eq!(
        answer.body["extensions"]["cost"],
        json!({
            "estimated": 2000,
            "actual": 4,
            "result": "COST_ESTIMATED_TOO_EXPENSIVE",
            "strategy": "static_estimated"
        })
    );
    assert_eq!(setup.catalog.requests().len(), 1);
    assert_eq!(setup.reviews.requests().len(), 1);
}

#[tokio::test]
async fn exactly_one_slicing_argument_is_required() {
    let query = "{ recent(first: 2, last: 3) { id } }";
    let setup = Setup::start(enforce(1_000)).await;
    let answer = setup.post(query, json!({})).await;
    assert_eq!(answer.status, 400, "{:?}", answer.body);
    let error = &answer.body["errors"][0];
    assert_eq!(error["extensions"]["code"], "COST_QUERY_PARSE_FAILURE");
    assert!(
        error["message"].as_str().unwrap().contains("Query.recent"),
        "{error}"
    );
    assert_eq!(setup.subgraph_requests(), 0);
    assert_eq!(
        setup
            .post("{ recent(last: 3) { id } }", json!({}))
            .await
            .body["extensions"]["cost"]["estimated"],
        3
    );

    // Measured, not refused: no estimate, the result says why.
    let setup = Setup::start(measure).await;
    let answer = setup.post(query, json!({})).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    let cost = &answer.body["extensions"]["cost"];
    assert_eq!(cost["result"], "COST_QUERY_PARSE_FAILURE");
    assert!(cost.get("estimated").is_none(), "{cost}");
    assert_eq!(cost["actual"], 2);
}

#[tokio::test]
async fn no_cost_extension_unless_enabled_exposed_and_asked_for() {
    let query = "{ products(first: 2) { id } }";
    // Disabled (the default): nothing computed, nothing shown, nothing refused.
    let setup = Setup::start(|config| {
        config.demand_control.expose_cost = true;
        config.demand_control.max = 0;
    })
    .await;
    let answer = setup.post(EXPENSIVE, json!({})).await;
    assert_eq!(answer.status, 200, "{:?}", answer.body);
    assert!(answer.body.get("extensions").is_none(), "{:?}", answer.body);

    // Enabled, not exposed.
    let setup = Setup::start(|config| {
        measure(config);
        config.demand_control.expose_cost = false;
    })
    .await;
    let answer = setup.post(query, json!({})).await;
    assert!(answer.body.get("extensions").is_none(), "{:?}", answer.body);

    // Exposed, not asked for.
    let setup = Setup::start(measure).await;
    let answer = setup.router.post(json!({"query": query})).await;
    assert_eq!(answer.status, 200);
    assert!(answer.body.get("extensions").is_none(), "{:?}", answer.body);
}
