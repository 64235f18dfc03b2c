//! End-to-end: the real shop (five subgraphs on SQLite) behind the router, queried
//! through the router's one endpoint only, as a client would.

use std::net::SocketAddr;

use serde_json::{Value, json};
use shop::{Shop, ShopOptions, start_shop};
use shop_common::testing::{client, graphql};

async fn shop(dir: &std::path::Path) -> Shop {
    start_shop(ShopOptions {
        data_dir: dir.to_path_buf(),
        subgraph_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        seed: true,
        router_addr: SocketAddr::from(([127, 0, 0, 1], 0)),
        development: true,
        // Port 0: tests never collide on the launcher's 9090.
        metrics_addr: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
    })
    .await
    .expect("shop starts")
}

const EVERYTHING: &str = r#"
query Everything {
  me {
    id
    name
    orders {
      id
      status
      total { amountCents currency }
      items {
        quantity
        unitPrice { amountCents currency }
        product {
          id
          name
          price { amountCents currency }
          stock
          inStock
          shippingEstimate { amountCents currency }
        }
      }
      payment { status amount { amountCents currency } }
    }
  }
}"#;

/// A query spanning all five services (user → orders → items → product → stock and
/// shipping estimate → payment) is answered correctly with one request to each
/// service, in four sequential waves (users; orders; products and payments;
/// inventory, which needs the price and weight products returned).
#[tokio::test]
async fn a_query_across_all_five_services_takes_four_waves_and_one_request_per_service() {
    let dir = tempfile::tempdir().unwrap();
    let shop = shop(dir.path()).await;
    let http = client();
    let router = shop.router_url().to_owned();

    let signed_up = graphql(
        &http,
        &router,
        "mutation($input: SignUpInput!) { signUp(input: $input) { token user { id } } }",
        json!({ "input": { "email": "ada@example.com", "name": "Ada", "password": "Analytical-Engine-1843" } }),
        None,
    )
    .await;
    let token = signed_up["data"]["signUp"]["token"]
        .as_str()
        .expect("token")
        .to_owned();
    let user_id = signed_up["data"]["signUp"]["user"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // The real checkout, through the router: prices from products, stock from the
    // seeded inventory, the charge in payments.
    let placed = graphql(
        &http,
        &router,
        "mutation { placeOrder(input: { items: [{ productId: \"prod-01\", quantity: 2 }, { productId: \"prod-02\", quantity: 1 }], card: { number: \"4242424242424242\", expiryMonth: 12, expiryYear: 2099, cvc: \"123\" }, idempotencyKey: \"e2e-1\" }) { id status } }",
        json!({}),
        Some(&token),
    )
    .await;
    assert_eq!(
        placed["data"]["placeOrder"]["status"], "CONFIRMED",
        "{placed}"
    );
    let order_id = placed["data"]["placeOrder"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let before = shop.request_counts();
    let response = http
        .post(&router)
        .bearer_auth(&token)
        .header("x-switchyard-plan", "true")
        .json(&json!({ "query": EVERYTHING }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    let after = shop.request_counts();

    assert!(body.get("errors").is_none(), "{body:#}");
    let me = &body["data"]["me"];
    assert_eq!(me["id"], user_id.as_str());
    let orders = me["orders"].as_array().unwrap();
    assert_eq!(orders.len(), 1);
    let order = &orders[0];
    assert_eq!(order["id"], order_id.as_str());
    assert_eq!(
        order["total"],
        json!({ "amountCents": 10497, "currency": "USD" })
    );
    assert_eq!(
        order["payment"],
        json!({ "status": "SUCCEEDED", "amount": { "amountCents": 10497, "currency": "USD" } })
    );
    let items = order["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let first = &items[0]["product"];
    assert_eq!(first["id"], "prod-01");
    assert_eq!(
        first["price"],
        json!({ "amountCents": 2999, "currency": "USD" })
    );
    assert_eq!(
        first["inStock"],
        json!(first["stock"].as_i64().unwrap() > 0)
    );
    // Shipping is computed by inventory from the price and weight that products owns.
    assert_eq!(first["shippingEstimate"]["currency"], "USD");
    assert!(first["shippingEstimate"]["amountCents"].as_i64().unwrap() > 0);

    let sent: Vec<(&str, u64)> = before
        .iter()
        .zip(&after)
        .map(|((name, b), (_, a))| (*name, a - b))
        .collect();
    assert_eq!(
        sent,
        vec![
            ("users", 1),
            ("products", 1),
            ("inventory", 1),
            ("orders", 1),
            ("payments", 1)
        ],
        "one request per service"
    );
    let plan = body["extensions"]["queryPlan"].to_string();
    let waves = count_sequential_waves(&body["extensions"]["queryPlan"]["json"]);
    assert!(waves <= 4, "at most four round trips, got {waves}: {plan}");
    shop.stop().await;
}

/// The longest chain of fetches that must run one after another.
fn count_sequential_waves(node: &Value) -> usize {
    let node = node.get("node").unwrap_or(node);
    match node["kind"].as_str() {
        Some("Fetch") => 1,
        Some("Flatten") => count_sequential_waves(&node["node"]),
        Some("Sequence") => node["nodes"]
            .as_array()
            .map_or(0, |n| n.iter().map(count_sequential_waves).sum()),
        Some("Parallel") => node["nodes"].as_array().map_or(0, |n| {
            n.iter().map(count_sequential_waves).max().unwrap_or(0)
        }),
        Some("Condition") => count_sequential_waves(&node["if_clause"])
            .max(count_sequential_waves(&node["else_clause"])),
        _ => 0,
    }
}

/// Search (products), stock (inventory) and introspection (the router itself) in
/// one query.
#[tokio::test]
async fn the_router_serves_the_shop_catalogue_and_introspection() {
    let dir = tempfile::tempdir().unwrap();
    let shop = shop(dir.path()).await;
    let http = client();
    let body = graphql(
        &http,
        shop.router_url(),
        "{ searchProducts(query: \"rust\", first: 3) { id name stock } __schema { queryType { name } } }",
        json!({}),
        None,
    )
    .await;
    assert!(body.get("errors").is_none(), "{body:#}");
    let found = body["data"]["searchProducts"].as_array().unwrap();
    assert!(!found.is_empty());
    assert!(found.iter().all(|p| p["stock"].is_i64()));
    assert_eq!(body["data"]["__schema"]["queryType"]["name"], "Query");

    // The router's metrics, on their own listener, count that request and the
    // fetch it sent to products; the products service counts it too.
    let metrics_url = shop.metrics_url().expect("metrics are served");
    assert!(!metrics_url.starts_with(shop.router_url().trim_end_matches("/graphql")));
    let router_metrics = http.get(metrics_url).send().await.unwrap();
    let router_metrics = router_metrics.text().await.unwrap();
    for line in [
        "switchyard_http_requests_total{outcome=\"ok\",operation_name=\"\"} 1\n",
        "switchyard_plan_cache_misses_total 1\n",
    ] {
        assert!(router_metrics.contains(line), "{line} in\n{router_metrics}");
    }
    assert!(
        router_metrics
            .contains("switchyard_subgraph_requests_total{subgraph=\"products\",outcome=\"ok\"} "),
        "{router_metrics}"
    );
    let products = shop
        .url("products")
        .unwrap()
        .replace("/graphql", "/metrics");
    let products_metrics = http.get(products).send().await.unwrap();
    let products_metrics = products_metrics.text().await.unwrap();
    assert!(
        products_metrics.contains("shop_http_requests_total{route=\"/graphql\",outcome=\"ok\"} "),
        "{products_metrics}"
    );
    shop.stop().await;
}
