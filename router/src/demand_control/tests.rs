//! The arithmetic on a plain (non-federated) schema.

use apollo_compiler::{ExecutableDocument, Schema};
use serde_json::{Map, Value, json};

use super::*;

const SCHEMA: &str = r#"
directive @cost(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION

type Query {
  me: User
  name: String
  expensive: Int @cost(weight: 7)
  users: [User]
  top(first: Int = 3): [User] @listSize(slicingArguments: ["first"])
  page(first: Int, last: Int): [User] @listSize(slicingArguments: ["first", "last"], requireOneSlicingArgument: false, assumedSize: 4)
  strict(first: Int, last: Int): [User] @listSize(slicingArguments: ["first", "last"])
  assumed: [User] @listSize(assumedSize: 5)
  connection(first: Int!): UserConnection @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  search(filter: Filter, tags: [String] @cost(weight: 2), limit: Int @cost(weight: 3)): [User] @listSize(assumedSize: 2)
  tags: [String]
  account: Account
}

type Mutation { rename(name: String!): User }

type User { id: ID! name: String friends: [User] @listSize(assumedSize: 3) }
type Account @cost(weight: 4) { id: ID! }
type UserConnection { edges: [UserEdge] count: Int }
type UserEdge { node: User }
input Filter { name: String @cost(weight: 5) age: Int }
"#;

fn schema() -> apollo_compiler::validation::Valid<Schema> {
    Schema::parse_and_validate(SCHEMA, "schema.graphql").unwrap()
}

fn estimated(query: &str, variables: Value) -> Result<f64, CostError> {
    let schema = schema();
    let directives = CostDirectives::read(&schema);
    let document = ExecutableDocument::parse_and_validate(&schema, query, "q.graphql").unwrap();
    let variables: Map<String, Value> = variables.as_object().cloned().unwrap_or_default();
    let scorer = Scorer {
        schema: &schema,
        directives: &directives,
        list_size: 10.0,
        variables: &variables,
    };
    let operation = document.operations.get(None).unwrap();
    estimate::operation(&scorer, &document, operation)
}

fn actual(query: &str, data: Value) -> f64 {
    let schema = schema();
    let directives = CostDirectives::read(&schema);
    let document = ExecutableDocument::parse_and_validate(&schema, query, "q.graphql").unwrap();
    let variables = Map::new();
    let scorer = Scorer {
        schema: &schema,
        directives: &directives,
        list_size: 10.0,
        variables: &variables,
    };
    let operation = document.operations.get(None).unwrap();
    actual::operation(&scorer, &document, operation, &data)
}

#[test]
fn objects_cost_one_and_scalars_nothing() {
    assert_eq!(estimated("{ name }", json!({})), Ok(0.0));
    assert_eq!(estimated("{ me { id name } }", json!({})), Ok(1.0));
    assert_eq!(
        estimated("{ __typename me { __typename } }", json!({})),
        Ok(1.0)
    );
}

#[test]
fn field_and_type_weights() {
    assert_eq!(estimated("{ expensive }", json!({})), Ok(7.0));
    assert_eq!(estimated("{ account { id } }", json!({})), Ok(4.0));
}

#[test]
fn lists_multiply_their_children() {
    // Default list size 10: 10 * (1 user + 3 friends * 1).
    assert_eq!(
        estimated("{ users { friends { id } } }", json!({})),
        Ok(40.0)
    );
    assert_eq!(estimated("{ assumed { id } }", json!({})), Ok(5.0));
    // Scalar lists cost nothing.
    assert_eq!(estimated("{ tags }", json!({})), Ok(0.0));
}

#[test]
fn slicing_arguments_literal_variable_and_default() {
    assert_eq!(estimated("{ top(first: 7) { id } }", json!({})), Ok(7.0));
    assert_eq!(
        estimated("query($n: Int) { top(first: $n) { id } }", json!({"n": 20})),
        Ok(20.0)
    );
    // The argument's default.
    assert_eq!(estimated("{ top { id } }", json!({})), Ok(3.0));
    // Several: the largest; none: assumedSize.
    assert_eq!(
        estimated("{ page(first: 2, last: 6) { id } }", json!({})),
        Ok(6.0)
    );
    assert_eq!(estimated("{ page { id } }", json!({})), Ok(4.0));
}

#[test]
fn exactly_one_slicing_argument_is_required_by_default() {
    let error = estimated("{ strict(first: 2, last: 6) { id } }", json!({})).unwrap_err();
    assert_eq!(error.code(), "COST_QUERY_PARSE_FAILURE");
    assert!(error.to_string().contains("Query.strict"), "{error}");
    assert!(estimated("{ strict { id } }", json!({})).is_err());
    assert_eq!(estimated("{ strict(last: 5) { id } }", json!({})), Ok(5.0));
}

#[test]
fn sized_fields_take_the_parent_size() {
    // connection 1 + edges 8 * (edge 1 + node 1).
    assert_eq!(
        estimated(
            "{ connection(first: 8) { count edges { node { id } } } }",
            json!({})
        ),
        Ok(17.0)
    );
}

#[test]
fn arguments_count_once_per_field() {
    // 2 users * 1 + filter (input object 1 + name 5) + tags (2 + 2 items * 2) + limit 3.
    assert_eq!(
        estimated(
            r#"{ search(filter: {name: "a", age: 3}, tags: ["x", "y"], limit: 1) { id } }"#,
            json!({})
        ),
        Ok(2.0 + 6.0 + 6.0 + 3.0)
    );
    assert_eq!(
        estimated(
            "query($f: Filter) { search(filter: $f) { id } }",
            json!({"f": {"name": "a"}})
        ),
        Ok(2.0 + 6.0)
    );
}

#[test]
fn fragments_are_expanded_and_every_selection_counts() {
    assert_eq!(
        estimated(
            "{ me { ...F ... on User { friends { id } } } me { id } } fragment F on User { friends { id } }",
            json!({})
        ),
        Ok(1.0 + 3.0 + 3.0 + 1.0)
    );
}

#[test]
fn skipped_selections_cost_nothing() {
    assert_eq!(
        estimated(
            "query($s: Boolean!) { me @skip(if: $s) { id } account @include(if: false) { id } }",
            json!({"s": true})
        ),
        Ok(0.0)
    );
}

#[test]
fn mutations_cost_ten_more() {
    assert_eq!(
        estimated(r#"mutation { rename(name: "x") { id } }"#, json!({})),
        Ok(11.0)
    );
}

#[test]
fn huge_sizes_saturate() {
    let query = "query($n: Int) { top(first: $n) { friends { friends { friends { friends { friends { id } } } } } } }";
    let cost = estimated(query, json!({"n": 2_000_000_000})).unwrap();
    assert!(cost.is_finite() && cost > 1e9);
    assert_eq!(mul(f64::MAX, 10.0), f64::MAX);
    assert_eq!(mul(f64::INFINITY, 0.0), 0.0);
    assert_eq!(add(f64::MAX, f64::MAX), f64::MAX);
    assert_eq!(reported(f64::MAX), u64::MAX);
    assert_eq!(reported(-3.0), 0);
    assert_eq!(reported(f64::NAN), 0);
}

#[test]
fn actual_cost_counts_real_lengths() {
    let query = "{ users { id friends { id } } }";
    let data = json!({"users": [
        {"id": "1", "friends": [{"id": "2"}]},
        {"id": "2", "friends": []},
        null
    ]});
    // users: 2 objects (1 each) + 1 friend; null items cost nothing.
    assert_eq!(actual(query, data), 3.0);
    assert_eq!(actual("{ me { id } }", json!({"me": null})), 0.0);
    assert_eq!(
        actual(
            r#"mutation { rename(name: "x") { id } }"#,
            json!({"rename": {"id": "1"}})
        ),
        11.0
    );
    assert_eq!(
        actual("{ a: account { id } }", json!({"a": {"id": "1"}})),
        4.0
    );
}

#[test]
fn renamed_imports_are_followed() {
    let sdl = r#"
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/cost/v0.1", import: [{name: "@cost", as: "@weight"}])
{ query: Query }
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA
scalar link__Import
enum link__Purpose { SECURITY EXECUTION }
directive @weight(weight: Int!) on ARGUMENT_DEFINITION | ENUM | FIELD_DEFINITION | INPUT_FIELD_DEFINITION | OBJECT | SCALAR
directive @cost__listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!], requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION
directive @cost(weight: Int!) on FIELD_DEFINITION
type Query {
  a: Int @weight(weight: 3)
  b: Int @cost(weight: 100)
  c: [Int] @cost__listSize(assumedSize: 4)
}
"#;
    let schema = Schema::parse_and_validate(sdl, "schema.graphql").unwrap();
    let directives = CostDirectives::read(&schema);
    assert_eq!(directives.field_weight("Query", "a", "Int"), Some(3.0));
    // `@cost` is not the cost spec's directive in this schema.
    assert_eq!(directives.field_weight("Query", "b", "Int"), None);
    assert_eq!(
        directives
            .list_size("Query", "c")
            .map(|size| size.assumed_size),
        Some(Some(4.0))
    );
}

#[test]
fn nested_fragment_spreads_are_walked_once() {
    // F0 spreads F1 twice, F1 spreads F2 twice, ...: 2^30 selections expanded.
    let mut query = String::from("{ me { ...F0 } }\n");
    for level in 0..30 {
        query.push_str(&format!(
            "fragment F{level} on User {{ friends {{ ...F{next} }} ...F{next} }}\n",
            next = level + 1
        ));
    }
    query.push_str("fragment F30 on User { id }\n");
    let cost = estimated(&query, json!({})).unwrap();
    assert!(cost.is_finite() && cost > 1e15, "{cost}");
}

#[test]
fn nested_fragment_spreads_are_measured_once_per_object() {
    let mut query = String::from("{ me { ...F0 } }\n");
    for level in 0..30 {
        query.push_str(&format!(
            "fragment F{level} on User {{ ...F{next} ...F{next} }}\n",
            next = level + 1
        ));
    }
    query.push_str("fragment F30 on User { friends { id } }\n");
    // `friends` counted once per selection, as the estimate counts it: 2^30.
    let cost = actual(&query, json!({"me": {"friends": [{"id": "1"}]}}));
    assert_eq!(cost, 1.0 + f64::from(1u32 << 30));
}
