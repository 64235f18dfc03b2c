//! The mock subgraph driven over HTTP, as the router will drive it.

use federation_corpus::{MockSubgraph, SubgraphData};
use serde_json::{Value as Json, json};

const SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@shareable"])

type Query {
  product(id: ID!): Product
  products(first: Int = 2, filter: Filter): [Product!]!
  node: Node
  broken: Product!
}

type Mutation { setName(id: ID!, name: String!): Product }

input Filter { color: Color, tags: [String!] }
enum Color { RED BLUE }

interface Node { id: ID! }

type Product implements Node @key(fields: "id") @key(fields: "sku { code } brand") {
  id: ID!
  sku: Sku!
  brand: String!
  name: String
  price: Float!
}

type Sku { code: String! }
"#;

fn data() -> SubgraphData {
    SubgraphData::from_json(&json!({
        "Query": {
            "product(id: \"1\")": { "id": "1", "name": "Table", "price": 10.5 },
            "product(id: \"2\")": { "id": "2", "name": { "$error": "name unavailable" }, "price": 3 },
            "product(id: \"3\")": { "id": "3", "name": "Broken", "price": null },
            "products(filter: {color: \"RED\", tags: [\"a\"]}, first: 1)": [ { "id": "1" } ],
            "products": [ { "id": "1" }, { "id": "2" } ],
            "node": { "__typename": "Product", "id": "1", "name": "Table" },
            "broken": null
        },
        "Mutation": { "setName(id: \"1\", name: \"Chair\")": { "id": "1", "name": "Chair" } },
        "entities": {
            "Product": [
                { "id": "1", "sku": { "code": "A1" }, "brand": "acme", "name": "Table", "price": 10.5 },
                { "id": "2", "sku": { "code": "B2" }, "brand": "acme", "name": "Lamp", "price": 3 },
                { "id": "4", "$error": "entity store down" }
            ]
        }
    }))
    .expect("valid data")
}

async fn post(mock: &MockSubgraph, body: Json) -> (u16, Json) {
    let response = reqwest::Client::new()
        .post(mock.url())
        .json(&body)
        .send()
        .await
        .expect("mock answers");
    let status = response.status().as_u16();
    (status, response.json().await.expect("json body"))
}

#[tokio::test]
async fn resolves_aliases_arguments_fragments_and_typename() {
    let mock = MockSubgraph::start("products", SDL, data()).await.unwrap();
    let query = r#"query Q($id: ID!, $skip: Boolean = true) {
        a: product(id: $id) { __typename id ...F name @skip(if: $skip) }
        b: product(id: "2") { id name }
        node { __typename ... on Product { id name } }
        products(first: 1, filter: {tags: ["a"], color: RED}) { id }
        all: products { id }
    }
    fragment F on Node { id t: __typename }"#;
    let (status, body) = post(&mock, json!({ "query": query, "variables": { "id": "1" } })).await;
    assert_eq!(status, 200);
    assert_eq!(
        body,
        json!({
            "data": {
                "a": { "__typename": "Product", "id": "1", "t": "Product" },
                "b": { "id": "2", "name": null },
                "node": { "__typename": "Product", "id": "1", "name": "Table" },
                "products": [ { "id": "1" } ],
                "all": [ { "id": "1" }, { "id": "2" } ]
            },
            "errors": [ { "message": "name unavailable", "path": ["b", "name"] } ]
        })
    );
    let recorded = mock.recorded();
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].variables, Some(json!({ "id": "1" })));
}

#[tokio::test]
async fn propagates_nulls_in_non_null_positions() {
    let mock = MockSubgraph::start("products", SDL, data()).await.unwrap();
    let (_, body) = post(
        &mock,
        json!({ "query": "{ product(id: \"3\") { id price } }" }),
    )
    .await;
    assert_eq!(body["data"], json!({ "product": null }));
    assert_eq!(body["errors"][0]["path"], json!(["product", "price"]));
    let (_, body) = post(&mock, json!({ "query": "{ broken { id } }" })).await;
    assert_eq!(body["data"], Json::Null);
    assert_eq!(body["errors"][0]["path"], json!(["broken"]));
}

#[tokio::test]
async fn resolves_entities_by_any_key() {
    let mock = MockSubgraph::start("products", SDL, data()).await.unwrap();
    let query = "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { __typename id name } } }";
    let representations = json!([
        { "__typename": "Product", "id": "2" },
        { "__typename": "Product", "sku": { "code": "A1" }, "brand": "acme" },
        { "__typename": "Product", "id": "9" },
        { "__typename": "Product", "sku": { "code": "A1" }, "brand": "other" },
        { "__typename": "Product", "id": "4" }
    ]);
    let (_, body) = post(
        &mock,
        json!({ "query": query, "variables": { "representations": representations } }),
    )
    .await;
    assert_eq!(
        body,
        json!({
            "data": { "_entities": [
                { "__typename": "Product", "id": "2", "name": "Lamp" },
                { "__typename": "Product", "id": "1", "name": "Table" },
                null,
                null,
                null
            ] },
            "errors": [ { "message": "entity store down", "path": ["_entities", 4] } ]
        })
    );
}

#[tokio::test]
async fn serves_service_sdl_and_mutations() {
    let mock = MockSubgraph::start("products", SDL, data()).await.unwrap();
    let (_, body) = post(&mock, json!({ "query": "{ _service { sdl } }" })).await;
    assert_eq!(body["data"]["_service"]["sdl"], json!(SDL));
    let (_, body) = post(
        &mock,
        json!({ "query": "mutation { setName(id: \"1\", name: \"Chair\") { name } }" }),
    )
    .await;
    assert_eq!(body, json!({ "data": { "setName": { "name": "Chair" } } }));
}

#[tokio::test]
async fn fails_on_demand() {
    let fail = |mode: &str| {
        SubgraphData::from_json(
            &json!({ "$subgraph": { "fail": mode, "delay_ms": 50 }, "Query": { "node": null } }),
        )
        .unwrap()
    };
    let client = reqwest::Client::new();
    let body = json!({ "query": "{ node { id } }" });

    let down = MockSubgraph::start("a", SDL, fail("down")).await.unwrap();
    assert!(client.post(down.url()).json(&body).send().await.is_err());

    let error = MockSubgraph::start("b", SDL, fail("http500"))
        .await
        .unwrap();
    let response = client.post(error.url()).json(&body).send().await.unwrap();
    assert_eq!(response.status().as_u16(), 500);

    let garbage = MockSubgraph::start("c", SDL, fail("invalid_json"))
        .await
        .unwrap();
    let response = client.post(garbage.url()).json(&body).send().await.unwrap();
    assert!(response.json::<Json>().await.is_err());

    let slow = MockSubgraph::start("d", SDL, fail("slow")).await.unwrap();
    let started = std::time::Instant::now();
    let (_, answer) = post(&slow, body.clone()).await;
    assert!(started.elapsed() >= std::time::Duration::from_millis(50));
    assert_eq!(answer, json!({ "data": { "node": null } }));
    assert_eq!(slow.recorded().len(), 1);
}

#[tokio::test]
async fn federation_1_extensions_are_understood() {
    let sdl = r#"
extend type Query { review(id: ID!): Review }
type Review @key(fields: "id") { id: ID! author: User }
extend type User @key(fields: "id") { id: ID! @external reviews: [Review] }
"#;
    let data = SubgraphData::from_json(&json!({
        "entities": { "User": [ { "id": "u1", "reviews": [ { "id": "r1" } ] } ] }
    }))
    .unwrap();
    let mock = MockSubgraph::start("reviews", sdl, data).await.unwrap();
    let query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { reviews { __typename id } } } }";
    let (_, body) = post(
        &mock,
        json!({ "query": query, "variables": { "r": [{ "__typename": "User", "id": "u1" }] } }),
    )
    .await;
    assert_eq!(
        body,
        json!({ "data": { "_entities": [ { "reviews": [ { "__typename": "Review", "id": "r1" } ] } ] } })
    );
}

#[tokio::test]
async fn rejects_operations_the_subgraph_cannot_validate() {
    let mock = MockSubgraph::start("products", SDL, data()).await.unwrap();
    for query in [
        "{ node { ... on Unknown { id } } }",
        "{ product(id: \"1\") { id nope } }",
        "{ product(id: \"1\") { name: price name } }",
    ] {
        let (_, body) = post(&mock, json!({ "query": query })).await;
        assert!(body.get("data").is_none(), "{query} was accepted: {body}");
        assert!(body["errors"].as_array().is_some_and(|e| !e.is_empty()));
    }
    let entities = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id } } _service { sdl } }";
    let (_, body) = post(
        &mock,
        json!({ "query": entities, "variables": { "r": [] } }),
    )
    .await;
    assert_eq!(body["data"]["_entities"], json!([]));
}

#[tokio::test]
async fn nested_references_resolve_through_entities() {
    let sdl = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { top: [Product!]! }
type Product @key(fields: "upc") { upc: String! name: String! related: [Product!]! }
"#;
    let data = SubgraphData::from_json(&json!({
        "Query": { "top": [ { "upc": "1" } ] },
        "entities": { "Product": [
            { "upc": "1", "name": "Table", "related": [ { "upc": "2" } ] },
            { "upc": "2", "name": "Chair", "related": [] }
        ] }
    }))
    .unwrap();
    let mock = MockSubgraph::start("products", sdl, data).await.unwrap();
    let (_, body) = post(
        &mock,
        json!({ "query": "{ top { name related { name related { upc } } } }" }),
    )
    .await;
    assert_eq!(
        body,
        json!({ "data": { "top": [ { "name": "Table", "related": [ { "name": "Chair", "related": [] } ] } ] } })
    );
}

#[tokio::test]
async fn requires_fields_need_the_required_data() {
    let sdl = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@external", "@requires"])
type Query { widget: Widget }
type Widget @key(fields: "id") { id: ID! doubled: Int @external final: String @requires(fields: "doubled") }
"#;
    let data = SubgraphData::from_json(&json!({
        "Query": { "widget": { "id": "w1" } },
        "entities": { "Widget": [ { "id": "w1", "final": "42" } ] }
    }))
    .unwrap();
    let mock = MockSubgraph::start("a", sdl, data).await.unwrap();
    let (_, body) = post(&mock, json!({ "query": "{ widget { final } }" })).await;
    assert_eq!(body["data"], json!({ "widget": { "final": null } }));
    assert_eq!(body["errors"][0]["path"], json!(["widget", "final"]));
    let query =
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Widget { final } } }";
    let variables = json!({ "r": [{ "__typename": "Widget", "id": "w1", "doubled": 42 }] });
    let (_, body) = post(&mock, json!({ "query": query, "variables": variables })).await;
    assert_eq!(
        body,
        json!({ "data": { "_entities": [ { "final": "42" } ] } })
    );
}
