//! Hot reload through the real interfaces: a supergraph file rewritten under
//! continuous load, an invalid supergraph or config, `SIGHUP` to the binary,
//! compose-mode polling of `_service { sdl }`, and requests in flight across a
//! swap. Waiting is polling with a generous deadline, never a fixed sleep.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use common::{MockSubgraph, Reply, Shop, TestRouter};
use serde_json::{Value, json};
use switchyard::Router;
use switchyard::config::{ReloadConfig, RouterConfig, SubgraphConfig};
use switchyard::persisted::sha256_hex;
use switchyard::reload::{
    ConfigOverrides, ConfigSource, ReloadError, Reloaded, Reloader, Trigger, poll, watch,
};

/// How long anything awaited may take before the test fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// Asks for data from a subgraph and for the shape of `Product`, which tells
/// which of the two supergraphs answered.
const PROBE: &str = "{ topProducts { upc name } __type(name: \"Product\") { fields { name } } }";

const FIELDS_WITHOUT_INVENTORY: [&str; 4] = ["upc", "name", "price", "reviews"];
const FIELDS_WITH_INVENTORY: [&str; 5] = ["upc", "name", "price", "inStock", "reviews"];

/// The fixture supergraph with a fourth subgraph, `inventory` at `url`, that
/// adds `Product.inStock`.
fn with_inventory(url: &str) -> String {
    let replace = |text: String, from: &str, to: &str| {
        assert!(text.contains(from), "the fixture has no {from:?}");
        text.replacen(from, to, 1)
    };
    let reviews_graph =
        "  REVIEWS @join__graph(name: \"reviews\", url: \"http://reviews.invalid/graphql\")\n";
    let sdl = replace(
        common::SUPERGRAPH.to_owned(),
        reviews_graph,
        &format!("{reviews_graph}  INVENTORY @join__graph(name: \"inventory\", url: \"{url}\")\n"),
    );
    let product = "type Product\n  @join__type(graph: PRODUCTS, key: \"upc\")\n";
    let sdl = replace(
        sdl,
        product,
        &format!("{product}  @join__type(graph: INVENTORY, key: \"upc\")\n"),
    );
    let price = "  price: Int @join__field(graph: PRODUCTS)\n";
    replace(
        sdl,
        price,
        &format!("{price}  inStock: Boolean @join__field(graph: INVENTORY)\n"),
    )
}

/// The `inventory` subgraph: every product is in stock.
fn inventory(body: &Value) -> Reply {
    let entities: Vec<Value> = body
        .pointer("/variables/representations")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .map(|r| json!({"__typename": "Product", "upc": r["upc"], "inStock": true}))
        .collect();
    Reply::Json(json!({"data": {"_entities": entities}}))
}

/// Replaces `path` whole, as deployment tools do: written beside it, then
/// renamed over it.
fn replace_file(path: &Path, text: &str) {
    let temporary = path.with_extension("next");
    std::fs::write(&temporary, text).unwrap();
    std::fs::rename(&temporary, path).unwrap();
}

async fn health(router: &TestRouter) -> Value {
    let answer = router.get("/health", &[]).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    answer.body
}

/// Polls `/health` until it reports `sdl`'s hash.
async fn wait_for_schema(router: &TestRouter, sdl: &str) {
    let hash = sha256_hex(sdl);
    let deadline = Instant::now() + PATIENCE;
    loop {
        let health = health(router).await;
        if health["schemaHash"] == hash.as_str() {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "/health still reports {health} instead of {hash}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// `switchyard_schema_reloads_total` for `outcome`.
fn reloads(router: &Router, outcome: &str) -> u64 {
    let prefix = format!("switchyard_schema_reloads_total{{outcome=\"{outcome}\"}} ");
    let text = router.metrics_text();
    text.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} in\n{text}"))
        .parse()
        .unwrap()
}

/// Polls the metrics until `outcome` reloads reach `count`.
async fn wait_for_reloads(router: &Router, outcome: &str, count: u64) {
    let deadline = Instant::now() + PATIENCE;
    while reloads(router, outcome) < count {
        assert!(
            Instant::now() < deadline,
            "{outcome} reloads stayed at {} instead of {count}",
            reloads(router, outcome)
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Checks a [`PROBE`] answer: the products, and one of the two shapes of
/// `Product`; returns whether it is the one with inventory.
fn check_probe(status: u16, body: &Value) -> Result<bool, String> {
    let products = json!([
        {"upc": "1", "name": "Table"},
        {"upc": "2", "name": "Couch"},
        {"upc": "3", "name": "Chair"},
    ]);
    if status != 200 || body.get("errors").is_some() || body["data"]["topProducts"] != products {
        return Err(format!("HTTP {status}: {body}"));
    }
    let fields: Vec<&str> = body["data"]["__type"]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|field| field["name"].as_str())
        .collect();
    if fields == FIELDS_WITH_INVENTORY {
        Ok(true)
    } else if fields == FIELDS_WITHOUT_INVENTORY {
        Ok(false)
    } else {
        Err(format!("unexpected Product fields: {body}"))
    }
}

/// The shop's three subgraphs and the inventory one, and a supergraph file.
struct Setup {
    shop: Shop,
    _inventory: MockSubgraph,
    with_inventory: String,
    dir: tempfile::TempDir,
}

impl Setup {
    async fn start() -> Self {
        let inventory = MockSubgraph::start(inventory).await;
        let with_inventory = with_inventory(&inventory.url);
        let dir = tempfile::tempdir().unwrap();
        replace_file(&dir.path().join("supergraph.graphql"), common::SUPERGRAPH);
        Setup {
            shop: Shop::start().await,
            _inventory: inventory,
            with_inventory,
            dir,
        }
    }

    fn supergraph(&self) -> std::path::PathBuf {
        self.dir.path().join("supergraph.graphql")
    }

    /// The shop's config, serving the supergraph file.
    async fn config(&self) -> RouterConfig {
        let mut config = self.shop.config().await;
        config.supergraph = Some(self.supergraph());
        config
    }
}

/// A router serving `config` over HTTP, reloading when its files change (until
/// the returned task is aborted).
async fn watched(config: RouterConfig) -> (TestRouter, tokio::task::JoinHandle<()>) {
    let router = TestRouter::from_router(Router::from_config(config.clone()).await.unwrap()).await;
    let watching = watch::watch_files(Reloader::new(
        router.router.clone(),
        ConfigSource::fixed(config),
    ))
    .unwrap();
    (router, watching)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reloads_under_continuous_load_fail_no_request() {
    const RELOADS: usize = 24;
    const CLIENTS: usize = 4;
    let setup = Setup::start().await;
    let config = setup.config().await;
    let router = TestRouter::from_router(Router::from_config(config.clone()).await.unwrap()).await;
    let reloader = Reloader::new(router.router.clone(), ConfigSource::fixed(config));
    let watching = watch::watch_files(reloader).unwrap();

    let stop = Arc::new(AtomicBool::new(false));
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let url = router.url("/graphql");
            let stop = stop.clone();
            tokio::spawn(async move {
                let http = reqwest::Client::new();
                let (mut answered, mut failures) = (0usize, Vec::new());
                while !stop.load(Ordering::Relaxed) {
                    let sent = http
                        .post(&url)
                        .header("content-type", "application/json")
                        .body(json!({ "query": PROBE }).to_string())
                        .send()
                        .await;
                    let checked = match sent {
                        Ok(response) => {
                            let status = response.status().as_u16();
                            let text = response.text().await.unwrap_or_default();
                            let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
                            check_probe(status, &body).map(|_| ())
                        }
                        Err(error) => Err(format!("no answer: {error}")),
                    };
                    if let Err(failure) = checked {
                        failures.push(failure);
                    }
                    answered += 1;
                }
                (answered, failures)
            })
        })
        .collect();

    let mut last = common::SUPERGRAPH;
    for reload in 0..RELOADS {
        last = if reload % 2 == 0 {
            &setup.with_inventory
        } else {
            common::SUPERGRAPH
        };
        replace_file(&setup.supergraph(), last);
        wait_for_schema(&router, last).await;
        // Once /health reports it, every new request is served by it.
        let answer = router.post(json!({ "query": PROBE })).await;
        assert_eq!(
            check_probe(answer.status, &answer.body),
            Ok(reload % 2 == 0),
            "reload {reload}"
        );
    }
    stop.store(true, Ordering::Relaxed);
    for client in clients {
        let (answered, failures) = client.await.unwrap();
        assert!(answered > 0, "a client sent no request");
        assert_eq!(failures, Vec::<String>::new(), "of {answered} requests");
    }
    wait_for_schema(&router, last).await;
    assert_eq!(reloads(&router.router, "success"), RELOADS as u64);
    assert_eq!(reloads(&router.router, "failure"), 0);
    // The subgraph the reloads brought has its series.
    assert!(
        router.router.metrics_text().contains(
            "switchyard_subgraph_requests_total{subgraph=\"inventory\",outcome=\"ok\"} 0"
        )
    );
    watching.abort();
}

#[tokio::test]
async fn a_file_written_in_place_is_reloaded_too() {
    let setup = Setup::start().await;
    let config = setup.config().await;
    let (router, watching) = watched(config).await;
    std::fs::write(setup.supergraph(), &setup.with_inventory).unwrap();
    wait_for_schema(&router, &setup.with_inventory).await;
    let answer = router.post(json!({ "query": PROBE })).await;
    assert_eq!(check_probe(answer.status, &answer.body), Ok(true));
    watching.abort();
}

/// A Relay-format manifest listing `operations`.
fn manifest(operations: &[&str]) -> String {
    let listed: serde_json::Map<String, Value> = operations
        .iter()
        .map(|text| (sha256_hex(text), Value::from(*text)))
        .collect();
    serde_json::to_string(&listed).unwrap()
}

#[tokio::test]
async fn a_new_trusted_documents_manifest_is_served_without_a_config_change() {
    const LISTED: &str = "{ topProducts { upc } }";
    const ADDED: &str = "{ topProducts { name } }";
    let setup = Setup::start().await;
    let manifest_file = setup.dir.path().join("manifest.json");
    replace_file(&manifest_file, &manifest(&[LISTED]));
    let mut config = setup.config().await;
    config.persisted_queries.manifest = Some(switchyard::config::ManifestConfig {
        path: manifest_file.clone(),
        mode: switchyard::config::ManifestMode::Enforce,
    });
    let (router, watching) = watched(config).await;
    assert_eq!(router.post(json!({ "query": LISTED })).await.status, 200);
    let refused = router.post(json!({ "query": ADDED })).await;
    assert_eq!(refused.status, 403, "{}", refused.body);

    // The app's next release lists one more operation: only the manifest changes.
    replace_file(&manifest_file, &manifest(&[LISTED, ADDED]));
    wait_for_reloads(&router.router, "success", 1).await;
    let answer = router.post(json!({ "query": ADDED })).await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    assert_eq!(answer.body["data"]["topProducts"][0]["name"], "Table");
    // Same supergraph: the schema hash did not move.
    assert_eq!(
        health(&router).await["schemaHash"],
        sha256_hex(common::SUPERGRAPH).as_str()
    );

    // A broken manifest keeps the running one.
    replace_file(&manifest_file, "{ not json");
    wait_for_reloads(&router.router, "failure", 1).await;
    assert_eq!(router.post(json!({ "query": ADDED })).await.status, 200);
    assert_eq!(
        router
            .post(json!({ "query": "{ topProducts { price } }" }))
            .await
            .status,
        403
    );
    watching.abort();
}

#[tokio::test]
async fn an_invalid_supergraph_keeps_the_running_one() {
    let setup = Setup::start().await;
    let config = setup.config().await;
    let (router, watching) = watched(config).await;
    let before = health(&router).await;
    assert_eq!(before["status"], "UP");
    assert_eq!(
        before["schemaHash"],
        sha256_hex(common::SUPERGRAPH).as_str()
    );

    replace_file(&setup.supergraph(), "type Query { broken: Nope }");
    wait_for_reloads(&router.router, "failure", 1).await;
    assert_eq!(health(&router).await, before);
    let answer = router.post(json!({ "query": PROBE })).await;
    assert_eq!(check_probe(answer.status, &answer.body), Ok(false));

    // Fixed, it is served.
    replace_file(&setup.supergraph(), &setup.with_inventory);
    wait_for_schema(&router, &setup.with_inventory).await;
    assert_eq!(reloads(&router.router, "success"), 1);
    assert_eq!(reloads(&router.router, "failure"), 1);
    watching.abort();
}

#[tokio::test]
async fn an_invalid_config_file_keeps_the_running_config() {
    let setup = Setup::start().await;
    let config_file = setup.dir.path().join("router.yaml");
    let urls = setup.config().await.override_subgraph_urls;
    let yaml = format!(
        "supergraph: supergraph.graphql\noverride_subgraph_urls: {}\n",
        serde_json::to_string(&urls).unwrap()
    );
    std::fs::write(&config_file, &yaml).unwrap();
    let source = ConfigSource::new(Some(config_file.clone()), ConfigOverrides::default());
    let router = Router::from_config(source.load().unwrap()).await.unwrap();
    let reloader = Reloader::new(router.clone(), source);
    let router = TestRouter::from_router(router).await;

    // Unchanged files: nothing to do, nothing counted.
    assert_eq!(
        reloader.reload(Trigger::Api).await.unwrap(),
        Reloaded::Unchanged
    );
    std::fs::write(&config_file, format!("{yaml}limits:\n  max_dept: 3\n")).unwrap();
    let error = reloader.reload(Trigger::Api).await.unwrap_err();
    assert!(matches!(error, ReloadError::Router(_)), "{error:?}");
    assert!(
        error.to_string().contains("unknown field `max_dept`"),
        "{error}"
    );
    // A config that parses but names an unknown subgraph is refused whole.
    std::fs::write(
        &config_file,
        format!("{yaml}headers:\n  subgraphs:\n    nowhere: []\n"),
    )
    .unwrap();
    let error = reloader.reload(Trigger::Api).await.unwrap_err();
    assert!(error.to_string().contains("'nowhere'"), "{error}");
    assert_eq!(
        (
            reloads(&router.router, "success"),
            reloads(&router.router, "failure")
        ),
        (0, 2)
    );
    assert!(!router.router.config().expose_query_plan);

    std::fs::write(&config_file, format!("{yaml}expose_query_plan: true\n")).unwrap();
    let Reloaded::Applied { schema_hash, .. } = reloader.reload(Trigger::Api).await.unwrap() else {
        panic!("the config changed")
    };
    // Same supergraph, new config.
    assert_eq!(schema_hash, sha256_hex(common::SUPERGRAPH));
    assert!(router.router.config().expose_query_plan);
    let answer = router
        .post_with(json!({ "query": PROBE }), &[("x-switchyard-plan", "true")])
        .await;
    assert!(
        answer.body["extensions"]["queryPlan"].is_object(),
        "{}",
        answer.body
    );
}

#[tokio::test]
async fn a_reload_plans_the_recent_operations_before_serving() {
    let setup = Setup::start().await;
    let mut config = setup.config().await;
    config.expose_query_plan = true;
    let router = TestRouter::from_router(Router::from_config(config.clone()).await.unwrap()).await;
    let answer = router.post(json!({ "query": PROBE })).await;
    assert_eq!(check_probe(answer.status, &answer.body), Ok(false));

    replace_file(&setup.supergraph(), &setup.with_inventory);
    let reloaded = router.router.reload(config.clone()).await.unwrap();
    assert_eq!(
        reloaded,
        Reloaded::Applied {
            schema_hash: sha256_hex(&setup.with_inventory),
            warmed_up: 1,
            no_longer_valid: 0,
        }
    );
    // Planned before the swap: the first request after it finds its plan.
    let answer = router
        .post_with(json!({ "query": PROBE }), &[("x-switchyard-plan", "true")])
        .await;
    assert_eq!(check_probe(answer.status, &answer.body), Ok(true));
    assert_eq!(answer.body["extensions"]["queryPlan"]["cache"], "hit");

    // An operation the next schema no longer has does not stop the reload.
    let in_stock = router
        .post(json!({ "query": "{ topProducts { inStock } }" }))
        .await;
    assert_eq!(
        in_stock.body["data"]["topProducts"][0]["inStock"], true,
        "{}",
        in_stock.body
    );
    replace_file(&setup.supergraph(), common::SUPERGRAPH);
    let reloaded = router.router.reload(config).await.unwrap();
    assert_eq!(
        reloaded,
        Reloaded::Applied {
            schema_hash: sha256_hex(common::SUPERGRAPH),
            warmed_up: 1,
            no_longer_valid: 1,
        }
    );
}

#[tokio::test]
async fn a_schema_that_cannot_plan_a_served_operation_is_refused() {
    let setup = Setup::start().await;
    let config = setup.config().await;
    let router = TestRouter::from_router(Router::from_config(config.clone()).await.unwrap()).await;
    let reviews = json!({ "query": "{ topProducts { name reviews { body } } }" });
    let expected = router.post(reviews.clone()).await.body;
    assert!(expected.get("errors").is_none(), "{expected}");
    assert_eq!(
        expected["data"]["topProducts"][0]["reviews"][0]["body"],
        "Love it!"
    );

    // Valid, but the reviews subgraph can no longer be entered from a product:
    // `Product.reviews` would be an error in every response.
    let key = "  @join__type(graph: REVIEWS, key: \"upc\")\n{\n  upc: String!\n  name";
    assert!(common::SUPERGRAPH.contains(key));
    let unreachable = common::SUPERGRAPH.replacen(
        key,
        "  @join__type(graph: REVIEWS, key: \"upc\", resolvable: false)\n{\n  upc: String!\n  name",
        1,
    );
    replace_file(&setup.supergraph(), &unreachable);
    let error = router.router.reload(config).await.unwrap_err();
    assert!(matches!(error, ReloadError::Unplannable(_)), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("no subgraph resolves Product.reviews"),
        "{error}"
    );
    assert_eq!(
        health(&router).await["schemaHash"],
        sha256_hex(common::SUPERGRAPH).as_str()
    );
    assert_eq!(reloads(&router.router, "failure"), 1);
    assert_eq!(router.post(reviews).await.body, expected);
}

/// A products subgraph that holds its answers until released, counting the
/// requests it holds.
struct GatedSubgraph {
    url: String,
    held: Arc<AtomicUsize>,
    release: tokio::sync::watch::Sender<bool>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

impl GatedSubgraph {
    async fn start() -> Self {
        let held = Arc::new(AtomicUsize::new(0));
        let (release, released) = tokio::sync::watch::channel(false);
        let counting = held.clone();
        let app = axum::Router::new().route(
            "/graphql",
            axum::routing::post(move |body: Bytes| {
                let held = counting.clone();
                let mut released = released.clone();
                async move {
                    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                    held.fetch_add(1, Ordering::SeqCst);
                    let _ = released.wait_for(|released| *released).await;
                    match common::products(&body) {
                        Reply::Json(value) => axum::Json(value),
                        other => panic!("unexpected reply {other:?}"),
                    }
                }
            }),
        );
        let (base, stop) = common::serve_app(app).await;
        GatedSubgraph {
            url: format!("{base}/graphql"),
            held,
            release,
            _stop: stop,
        }
    }
}

#[tokio::test]
async fn requests_in_flight_finish_on_the_schema_they_started_with() {
    let setup = Setup::start().await;
    let gated = GatedSubgraph::start().await;
    let mut config = setup.config().await;
    config
        .override_subgraph_urls
        .insert("products".into(), gated.url.clone());
    let router = TestRouter::from_router(Router::from_config(config.clone()).await.unwrap()).await;

    let started = {
        let url = router.url("/graphql");
        tokio::spawn(async move {
            let response = reqwest::Client::new()
                .post(url)
                .header("content-type", "application/json")
                .body(json!({ "query": PROBE }).to_string())
                .send()
                .await
                .unwrap();
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.unwrap())
        })
    };
    let deadline = Instant::now() + PATIENCE;
    while gated.held.load(Ordering::SeqCst) == 0 {
        assert!(
            Instant::now() < deadline,
            "the request never reached products"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // Swapped while that request waits: another supergraph, and products
    // served by the shop's own subgraph again.
    replace_file(&setup.supergraph(), &setup.with_inventory);
    let next = setup.config().await;
    assert!(matches!(
        router.router.reload(next).await.unwrap(),
        Reloaded::Applied { .. }
    ));
    let after = router.post(json!({ "query": PROBE })).await;
    assert_eq!(check_probe(after.status, &after.body), Ok(true));
    assert!(!started.is_finished());
    assert_eq!(gated.held.load(Ordering::SeqCst), 1);

    gated.release.send(true).unwrap();
    let (status, body) = started.await.unwrap();
    // Answered by the subgraph and the supergraph it started with.
    assert_eq!(check_probe(status, &body), Ok(false));
}

/// A subgraph whose `_service { sdl }` can change while it runs.
fn with_changing_sdl(
    sdl: Arc<std::sync::Mutex<&'static str>>,
    handler: fn(&Value) -> Reply,
) -> impl Fn(&Value) -> Reply {
    move |body| {
        if body["query"].as_str().unwrap_or("").contains("_service") {
            let sdl = *sdl.lock().unwrap();
            Reply::Json(json!({"data": {"_service": {"sdl": sdl}}}))
        } else {
            handler(body)
        }
    }
}

const ACCOUNTS_SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { me: User }
type User @key(fields: "id") { id: ID! name: String! }
"#;

const PRODUCTS_SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { topProducts(first: Int = 5): [Product!]! }
type Product @key(fields: "upc") { upc: String! name: String! }
"#;

const PRODUCTS_SDL_WITH_PRICE: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { topProducts(first: Int = 5): [Product!]! }
type Product @key(fields: "upc") { upc: String! name: String! price: Int }
"#;

#[tokio::test]
async fn compose_mode_polls_the_subgraphs_for_a_new_schema() {
    let products_sdl = Arc::new(std::sync::Mutex::new(PRODUCTS_SDL));
    let accounts_sdl = Arc::new(std::sync::Mutex::new(ACCOUNTS_SDL));
    let products =
        MockSubgraph::start(with_changing_sdl(products_sdl.clone(), common::products)).await;
    let accounts = MockSubgraph::start(with_changing_sdl(accounts_sdl, common::accounts)).await;
    let config = RouterConfig {
        subgraphs: [("accounts", &accounts.url), ("products", &products.url)]
            .into_iter()
            .map(|(name, url)| SubgraphConfig {
                name: name.into(),
                routing_url: url.clone(),
                schema: None,
            })
            .collect(),
        reload: ReloadConfig {
            poll_interval_secs: 1,
            ..ReloadConfig::default()
        },
        ..RouterConfig::default()
    };
    let router = TestRouter::from_router(Router::from_config(config.clone()).await.unwrap()).await;
    let polling = poll::poll_subgraphs(Reloader::new(
        router.router.clone(),
        ConfigSource::fixed(config),
    ));
    let prices = json!({ "query": "{ topProducts { name price } }" });
    let before = router.post(prices.clone()).await;
    assert!(
        before.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("price")
    );
    let hash_before = health(&router).await["schemaHash"].clone();

    *products_sdl.lock().unwrap() = PRODUCTS_SDL_WITH_PRICE;
    let deadline = Instant::now() + PATIENCE;
    while health(&router).await["schemaHash"] == hash_before {
        assert!(
            Instant::now() < deadline,
            "the new subgraph schema was not picked up"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let after = router.post(prices).await;
    assert_eq!(
        after.body,
        json!({"data": {"topProducts": [
            {"name": "Table", "price": 899},
            {"name": "Couch", "price": 1299},
            {"name": "Chair", "price": 54},
        ]}})
    );
    assert_eq!(reloads(&router.router, "success"), 1);
    polling.abort();
}

/// A child process killed if the test fails before stopping it.
struct Child(Option<std::process::Child>);

impl Drop for Child {
    fn drop(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// The real binary: `switchyard serve --config`, file watch off, reloads on
/// `SIGHUP`.
#[tokio::test]
async fn sighup_reloads_the_served_binary() {
    use std::io::BufRead;
    let setup = Setup::start().await;
    let config_file = setup.dir.path().join("router.yaml");
    let urls = setup.config().await.override_subgraph_urls;
    std::fs::write(
        &config_file,
        format!(
            "supergraph: supergraph.graphql\nlisten: 127.0.0.1:0\n\
             override_subgraph_urls: {}\n\
             telemetry: {{metrics: {{enabled: false}}}}\nreload: {{watch: false}}\n",
            serde_json::to_string(&urls).unwrap()
        ),
    )
    .unwrap();
    let mut child = Child(Some(
        std::process::Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args(["serve", "--config", config_file.to_str().unwrap()])
            .env("RUST_LOG", "info")
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap(),
    ));
    let process = child.0.as_mut().unwrap();
    let pid = process.id().to_string();
    let mut stderr = std::io::BufReader::new(process.stderr.take().unwrap());
    let address = tokio::task::spawn_blocking(move || {
        let address = loop {
            let mut line = String::new();
            assert!(
                stderr.read_line(&mut line).unwrap() > 0,
                "the router exited"
            );
            if let Some(rest) = line.split("address=").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep reading its log so the router never writes into a closed pipe.
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        address
    });
    let address = tokio::time::timeout(PATIENCE, address)
        .await
        .expect("the router did not start")
        .unwrap();
    let health_url = format!("http://{address}/health");
    let schema_hash = || async {
        let health: Value = reqwest::get(&health_url)
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        health["schemaHash"].as_str().unwrap().to_owned()
    };
    assert_eq!(schema_hash().await, sha256_hex(common::SUPERGRAPH));

    replace_file(&setup.supergraph(), &setup.with_inventory);
    let hangup = std::process::Command::new("kill")
        .args(["-HUP", &pid])
        .status()
        .unwrap();
    assert!(hangup.success());
    let deadline = Instant::now() + PATIENCE;
    while schema_hash().await != sha256_hex(&setup.with_inventory) {
        assert!(Instant::now() < deadline, "SIGHUP did not reload");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let answer: Value = reqwest::Client::new()
        .post(format!("http://{address}/graphql"))
        .header("content-type", "application/json")
        .body(json!({ "query": PROBE }).to_string())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(check_probe(200, &answer), Ok(true));
    let stopped = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(stopped.success());
    let mut process = child.0.take().unwrap();
    let status = tokio::task::spawn_blocking(move || process.wait().unwrap())
        .await
        .unwrap();
    assert!(status.success(), "{status}");
}
