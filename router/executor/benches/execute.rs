//! Throughput of plan execution with an in-memory fetcher (no network), so the figure
//! is the executor's own cost: representation building, merging and shaping.
//!
//! Run: `cargo bench -p switchyard-executor --bench execute`

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::{Duration, Instant};

use common::*;
use futures::future::BoxFuture;
use serde_json::{Value, json};
use switchyard_executor::{
    ExecutionOptions, Executor, FetchError, SubgraphFetcher, SubgraphRequest, SubgraphResponse,
};
use switchyard_planner::plan::QueryPlan;

/// Answers from pre-built responses: the only per-request subgraph cost left is
/// cloning the response (a real server parses one instead, which costs more).
struct Prebuilt {
    products: SubgraphResponse,
    reviews: SubgraphResponse,
}

impl SubgraphFetcher for Prebuilt {
    fn fetch<'a>(
        &'a self,
        subgraph: &'a str,
        _request: SubgraphRequest<'a>,
    ) -> BoxFuture<'a, Result<SubgraphResponse, FetchError>> {
        let response = if subgraph == "products" {
            self.products.clone()
        } else {
            self.reviews.clone()
        };
        Box::pin(async move { Ok(response) })
    }
}

fn main() {
    let products: Vec<Value> = (0..500)
        .map(|index| {
            json!({ "__typename": "Product", "upc": format!("{}", index % 250), "name": format!("Product {index}"), "price": index })
        })
        .collect();
    let entities: Vec<Value> = (0..250)
        .map(|index| {
            json!({ "reviews": [
                { "body": format!("Nice {index}"), "rating": 5 },
                { "body": "Meh", "rating": 3 }
            ] })
        })
        .collect();
    let fetcher = Prebuilt {
        products: SubgraphResponse::from_json(json!({ "data": { "topProducts": products } }))
            .expect("valid response"),
        reviews: SubgraphResponse::from_json(json!({ "data": { "_entities": entities } }))
            .expect("valid response"),
    };
    let plan = QueryPlan {
        node: Some(sequence(vec![
            fetch("products", "{ topProducts { __typename upc name price } }"),
            flatten(
                "topProducts.@",
                entity_fetch(
                    "reviews",
                    "Product",
                    &["upc"],
                    "query($representations: [_Any!]!) { _entities(representations: $representations) { ... on Product { reviews { body rating } } } }",
                ),
            ),
        ])),
        unresolvable: Vec::new(),
    };
    let executor = Executor::new(schema());
    let document = document(
        executor.api_schema(),
        "{ topProducts { name price reviews { body rating } } }",
    );
    let prepared = executor
        .prepare(&document, None, &serde_json::Map::new())
        .expect("valid request");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    let run_once = || {
        runtime.block_on(executor.execute(&plan, &prepared, &fetcher, ExecutionOptions::default()))
    };
    // Warm up, then measure for a fixed time.
    for _ in 0..20 {
        run_once();
    }
    let per_run = measure(|| {
        let outcome = run_once();
        assert!(outcome.response.errors.is_empty());
    });
    // The floor: what the subgraph responses alone cost to clone and drop.
    let per_clone = measure(|| {
        drop(std::hint::black_box((
            fetcher.products.clone(),
            fetcher.reviews.clone(),
        )));
    });
    println!(
        "execute 500 products + 250 deduplicated entities: {per_run:?} per run; cloning the two subgraph responses alone: {per_clone:?}; ratio {:.1}",
        per_run.as_secs_f64() / per_clone.as_secs_f64()
    );
}

/// Average time of `run` over about two seconds.
fn measure(mut run: impl FnMut()) -> Duration {
    let started = Instant::now();
    let mut iterations = 0u32;
    while started.elapsed() < Duration::from_secs(2) {
        run();
        iterations += 1;
    }
    started.elapsed() / iterations
}
