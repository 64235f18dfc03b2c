//! Test harness: a hand-written API schema, an in-memory fetcher that answers per
//! subgraph and records every request, and builders for hand-made query plans.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use apollo_compiler::validation::Valid;
use apollo_compiler::{ExecutableDocument, Schema};
use futures::future::BoxFuture;
use serde_json::{Map, Value, json};
use switchyard_executor::{
    ExecutionOptions, ExecutionOutcome, Executor, FetchError, RequestError, SubgraphFetcher,
    SubgraphRequest, SubgraphResponse,
};
use switchyard_planner::plan::{
    FetchNode, FetchRewrite, FieldSelection, InlineFragmentSelection, OperationKind, PathElement,
    PlanNode, QueryPlan, Selection,
};

/// The API schema of a small shop, as the planner would derive it.
pub const SCHEMA: &str = r#"
type Query {
  me: User
  topProducts(first: Int = 5): [Product!]!
  product(upc: String!): Product
  requiredProduct: Product!
  search(text: String!): [SearchResult!]!
  media: [Media!]!
  categories: [Category!]!
}

type Mutation {
  createReview(upc: String!, body: String!): Review!
  clearCart: Boolean!
}

type User {
  id: ID!
  name: String!
  username: String
  reviews: [Review!]!
}

type Product {
  upc: String!
  name: String!
  price: Int
  weight: Int
  shippingEstimate: Int
  inStock: Boolean
  reviews: [Review!]
  color: Color
  tags: [String!]
}

type Review {
  id: ID!
  body: String!
  rating: Int
  author: User
  product: Product
}

enum Color {
  RED
  GREEN
}

union SearchResult = Product | User

interface Media {
  id: ID!
  title: String!
}

type Book implements Media {
  id: ID!
  title: String!
  pages: Int
}

type Movie implements Media {
  id: ID!
  title: String!
  minutes: Int
}

type Category {
  name: String!
  grid: [[Product]]
}
"#;

pub fn schema() -> Arc<Valid<Schema>> {
    Arc::new(Schema::parse_and_validate(SCHEMA, "schema.graphql").expect("valid test schema"))
}

pub fn document(schema: &Valid<Schema>, query: &str) -> Valid<ExecutableDocument> {
    ExecutableDocument::parse_and_validate(schema, query, "query.graphql")
        .expect("valid test operation")
}

type Handler = Box<dyn Fn(&Value) -> Result<SubgraphResponse, FetchError> + Send + Sync>;

/// An in-memory subgraph fleet. Each subgraph answers through a handler; every
/// request is recorded (as its JSON body) in arrival order.
#[derive(Default)]
pub struct MockFetcher {
    handlers: HashMap<String, Handler>,
    delays: HashMap<String, Duration>,
    pub requests: Mutex<Vec<Value>>,
    /// The `operation_kind` of each recorded request (not part of the body).
    pub kinds: Mutex<Vec<OperationKind>>,
    in_flight: AtomicUsize,
    pub max_in_flight: AtomicUsize,
}

impl MockFetcher {
    pub fn new() -> Self {
        Self::default()
    }

    /// The subgraph always answers with this response body.
    pub fn canned(self, subgraph: &str, body: Value) -> Self {
        self.handler(subgraph, move |_| SubgraphResponse::from_json(body.clone()))
    }

    /// The subgraph answers each request with the next body of `bodies` (the last one
    /// repeats).
    pub fn sequence(self, subgraph: &str, bodies: Vec<Value>) -> Self {
        let next = AtomicUsize::new(0);
        self.handler(subgraph, move |_| {
            let index = next.fetch_add(1, Ordering::SeqCst).min(bodies.len() - 1);
            SubgraphResponse::from_json(bodies[index].clone())
        })
    }

    /// The subgraph answers `_entities` by mapping each representation.
    pub fn entities(
        self,
        subgraph: &str,
        resolve: impl Fn(&Value) -> Value + Send + Sync + 'static,
    ) -> Self {
        self.handler(subgraph, move |request| {
            let entities: Vec<Value> = request["variables"]["representations"]
                .as_array()
                .map(|representations| representations.iter().map(&resolve).collect())
                .unwrap_or_default();
            SubgraphResponse::from_json(json!({ "data": { "_entities": entities } }))
        })
    }

    /// The subgraph's body is these raw bytes (parsed like the server would).
    pub fn raw(self, subgraph: &str, body: &'static [u8]) -> Self {
        self.handler(subgraph, move |_| SubgraphResponse::from_slice(body))
    }

    pub fn failing(self, subgraph: &str, error: FetchError) -> Self {
        self.handler(subgraph, move |_| Err(error.clone()))
    }

    pub fn handler(
        mut self,
        subgraph: &str,
        handler: impl Fn(&Value) -> Result<SubgraphResponse, FetchError> + Send + Sync + 'static,
    ) -> Self {
        self.handlers.insert(subgraph.to_owned(), Box::new(handler));
        self
    }

    pub fn delay(mut self, subgraph: &str, delay: Duration) -> Self {
        self.delays.insert(subgraph.to_owned(), delay);
        self
    }

    /// The recorded requests, each as `{"subgraph", "query", "operationName", "variables"}`.
    pub fn recorded(&self) -> Value {
        Value::Array(self.requests.lock().unwrap().clone())
    }
}

impl SubgraphFetcher for MockFetcher {
    fn fetch<'a>(
        &'a self,
        subgraph: &'a str,
        request: SubgraphRequest<'a>,
    ) -> BoxFuture<'a, Result<SubgraphResponse, FetchError>> {
        Box::pin(async move {
            let mut body: Value = serde_json::from_slice(&request.to_json_bytes()).unwrap();
            let mut recorded = Map::new();
            recorded.insert("subgraph".into(), json!(subgraph));
            recorded.append(body.as_object_mut().unwrap());
            self.requests
                .lock()
                .unwrap()
                .push(Value::Object(recorded.clone()));
            self.kinds.lock().unwrap().push(request.operation_kind);
            let now = self.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            self.max_in_flight.fetch_max(now, Ordering::SeqCst);
            if let Some(delay) = self.delays.get(subgraph) {
                tokio::time::sleep(*delay).await;
            }
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            let body = Value::Object(recorded);
            match self.handlers.get(subgraph) {
                Some(handler) => handler(&body),
                None => Err(FetchError::Transport(format!(
                    "no mock for subgraph {subgraph}"
                ))),
            }
        })
    }
}

/// Prepares and executes `query` with `plan`; panics on request errors.
pub async fn execute(
    query: &str,
    variables: Value,
    plan: Option<PlanNode>,
    fetcher: &MockFetcher,
) -> ExecutionOutcome {
    try_execute(
        query,
        None,
        variables,
        plan,
        fetcher,
        ExecutionOptions::default(),
    )
    .await
    .expect("request is valid")
}

pub async fn try_execute(
    query: &str,
    operation_name: Option<&str>,
    variables: Value,
    plan: Option<PlanNode>,
    fetcher: &MockFetcher,
    options: ExecutionOptions,
) -> Result<ExecutionOutcome, RequestError> {
    let executor = Executor::new(schema());
    let document = document(executor.api_schema(), query);
    let variables = match variables {
        Value::Object(variables) => variables,
        _ => Map::new(),
    };
    let prepared = executor.prepare(&document, operation_name, &variables)?;
    let plan = QueryPlan {
        node: plan,
        unresolvable: Vec::new(),
    };
    Ok(executor.execute(&plan, &prepared, fetcher, options).await)
}

/// The response and the recorded subgraph requests, as one snapshot value.
pub async fn run(
    query: &str,
    variables: Value,
    plan: Option<PlanNode>,
    fetcher: MockFetcher,
) -> Value {
    let outcome = execute(query, variables, plan, &fetcher).await;
    json!({
        "response": serde_json::to_value(&outcome.response).unwrap(),
        "requests": fetcher.recorded(),
    })
}

pub fn fetch(subgraph: &str, operation: &str) -> PlanNode {
    PlanNode::Fetch(fetch_node(subgraph, operation))
}

pub fn fetch_node(subgraph: &str, operation: &str) -> FetchNode {
    FetchNode {
        subgraph: subgraph.to_owned(),
        operation: operation.to_owned(),
        operation_name: None,
        operation_kind: if operation.trim_start().starts_with("mutation") {
            OperationKind::Mutation
        } else {
            OperationKind::Query
        },
        variable_usages: Vec::new(),
        requires: Vec::new(),
        input_rewrites: Vec::new(),
        output_rewrites: Vec::new(),
        context_arguments: Vec::new(),
        context_batch: None,
    }
}

pub fn with_variables(mut node: PlanNode, names: &[&str]) -> PlanNode {
    if let PlanNode::Fetch(fetch) = &mut node {
        fetch.variable_usages = names.iter().map(|name| (*name).to_owned()).collect();
    }
    node
}

pub fn with_rewrites(
    mut node: PlanNode,
    input: Vec<FetchRewrite>,
    output: Vec<FetchRewrite>,
) -> PlanNode {
    if let PlanNode::Fetch(fetch) = &mut node {
        fetch.input_rewrites = input;
        fetch.output_rewrites = output;
    }
    node
}

/// An entity fetch whose representations are `__typename` + `fields` of `typename`.
pub fn entity_fetch(subgraph: &str, typename: &str, fields: &[&str], operation: &str) -> PlanNode {
    let mut node = fetch_node(subgraph, operation);
    node.requires = vec![requires(typename, fields)];
    PlanNode::Fetch(node)
}

pub fn requires(typename: &str, fields: &[&str]) -> Selection {
    let mut selections = vec![field("__typename")];
    selections.extend(fields.iter().map(|name| field(name)));
    Selection::InlineFragment(InlineFragmentSelection {
        type_condition: Some(typename.to_owned()),
        selections,
    })
}

pub fn field(name: &str) -> Selection {
    Selection::Field(FieldSelection {
        response_key: name.to_owned(),
        name: name.to_owned(),
        selections: Vec::new(),
    })
}

/// `path` like `"topProducts.@.reviews.@"`; `|[A,B]` is a type condition.
pub fn flatten(path: &str, node: PlanNode) -> PlanNode {
    let path = path
        .split('.')
        .map(|element| match element {
            "@" => PathElement::Flatten,
            condition if condition.starts_with("|[") => PathElement::TypeCondition(
                condition[2..condition.len() - 1]
                    .split(',')
                    .map(str::to_owned)
                    .collect(),
            ),
            key => PathElement::Key(key.to_owned()),
        })
        .collect();
    PlanNode::Flatten {
        path,
        node: Box::new(node),
    }
}

pub fn sequence(nodes: Vec<PlanNode>) -> PlanNode {
    PlanNode::Sequence { nodes }
}

pub fn parallel(nodes: Vec<PlanNode>) -> PlanNode {
    PlanNode::Parallel { nodes }
}

/// An `_entities` operation selecting `fragments` (e.g. `... on Product { name }`).
pub fn entities_operation(fragments: &str) -> String {
    format!(
        "query($representations: [_Any!]!) {{ _entities(representations: $representations) {{ {fragments} }} }}"
    )
}
