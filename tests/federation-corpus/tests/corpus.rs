//! Runs every corpus case against an in-process Switchyard router.
//!
//! For each case: start its mock subgraphs, start the router on the case's
//! supergraph with the subgraph URLs pointed at the mocks, send every operation
//! over HTTP, and compare `data` and `errors` with the expected file (see
//! `federation_corpus::compare`). The plan (`x-switchyard-plan`) and the requests
//! each subgraph received are held by insta snapshots in each case's `snapshots/`
//! folder. Every request a mock received is held against its subgraph's schema
//! by the plan checker (`federation_corpus::plan_check`): a request selecting a
//! field the subgraph does not have or does not resolve fails the operation.
//! All failures are reported together, ending with
//! `corpus: N passed, M failed; S subgraph requests`.
//!
//! The number of subgraph requests of every operation is held in
//! `request-counts.txt`; when the whole corpus runs (no `CASE`), a count that
//! changed fails the run, and `UPDATE_REQUEST_COUNTS=1` rewrites the file.
//!
//! `CASE=family/case` (or `CASE=family`) runs a subset.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use federation_corpus::{Case, MockSubgraph, Operation, PlanChecker, compare_response, supergraph};
use serde_json::{Value as Json, json};
use switchyard::{Router, RouterConfig};

/// Short enough to keep the `slow` cases quick, long enough for a debug build.
const SUBGRAPH_TIMEOUT_MS: u64 = 1_000;

fn cases_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("cases")
}

fn request_counts_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("request-counts.txt")
}

fn case_filter() -> Option<String> {
    std::env::var("CASE")
        .ok()
        .filter(|filter| !filter.is_empty())
}

fn selected(id: &str) -> bool {
    match case_filter() {
        Some(filter) => {
            id == filter || id.starts_with(&format!("{}/", filter.trim_end_matches('/')))
        }
        None => true,
    }
}

struct Outcome {
    passed: usize,
    failures: Vec<String>,
    /// `family/case/operation` → subgraph requests it caused.
    requests: BTreeMap<String, usize>,
}

/// The committed file's text: a header with the total, then one sorted line per
/// operation.
fn request_counts_text(requests: &BTreeMap<String, usize>) -> String {
    let total: usize = requests.values().sum();
    let mut text = format!(
        "# Subgraph requests per corpus operation (tests/corpus.rs checks it when the whole\n\
         # corpus runs; UPDATE_REQUEST_COUNTS=1 rewrites it). Total: {total}\n"
    );
    for (id, count) in requests {
        let _ = writeln!(text, "{id}: {count}");
    }
    text
}

/// Compares the counts with the committed file (or rewrites it); `Err` lists
/// every line that changed.
fn check_request_counts(requests: &BTreeMap<String, usize>) -> Result<(), String> {
    let path = request_counts_path();
    let actual = request_counts_text(requests);
    if std::env::var("UPDATE_REQUEST_COUNTS").is_ok_and(|v| !v.is_empty() && v != "0") {
        std::fs::write(&path, &actual)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        println!("corpus: wrote {}", path.display());
        return Ok(());
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    if committed == actual {
        return Ok(());
    }
    let lines = |text: &str| -> BTreeMap<String, String> {
        text.lines()
            .filter_map(|line| line.split_once(": "))
            .map(|(id, count)| (id.to_owned(), count.to_owned()))
            .collect()
    };
    let (old, new) = (lines(&committed), lines(&actual));
    let mut changes = Vec::new();
    for id in old
        .keys()
        .chain(new.keys())
        .collect::<std::collections::BTreeSet<_>>()
    {
        match (old.get(id), new.get(id)) {
            (Some(a), Some(b)) if a != b => changes.push(format!("  {id}: {a} -> {b}")),
            (Some(a), None) => changes.push(format!("  {id}: {a} -> (gone)")),
            (None, Some(b)) => changes.push(format!("  {id}: (new) -> {b}")),
            _ => {}
        }
    }
    Err(format!(
        "subgraph request counts differ from {} (rerun with UPDATE_REQUEST_COUNTS=1 and commit the file if the change is intended):\n{}",
        path.display(),
        changes.join("\n")
    ))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corpus() {
    let mut outcome = Outcome {
        passed: 0,
        failures: Vec::new(),
        requests: BTreeMap::new(),
    };
    let dirs = Case::discover(&cases_root()).expect("corpus cases are readable");
    for dir in dirs {
        let case = match Case::load(&dir) {
            Ok(case) => case,
            Err(error) => {
                outcome.failures.push(format!("{}: {error}", dir.display()));
                continue;
            }
        };
        if !selected(&case.id) {
            continue;
        }
        run_case(&case, &mut outcome).await;
    }
    if case_filter().is_none()
        && let Err(why) = check_request_counts(&outcome.requests)
    {
        outcome.failures.push(why);
    }
    let summary = format!(
        "corpus: {} passed, {} failed; {} subgraph requests",
        outcome.passed,
        outcome.failures.len(),
        outcome.requests.values().sum::<usize>()
    );
    println!("{summary}");
    assert!(
        outcome.failures.is_empty(),
        "{}\n\n{summary}",
        outcome.failures.join("\n\n")
    );
}

async fn run_case(case: &Case, outcome: &mut Outcome) {
    let fail_all = |outcome: &mut Outcome, why: String| {
        for operation in &case.operations {
            outcome
                .failures
                .push(format!("{}/{}: {why}", case.id, operation.name));
        }
    };
    let mocks = match case.start_mocks().await {
        Ok(mocks) => mocks,
        Err(error) => return fail_all(outcome, format!("mocks did not start: {error}")),
    };
    let urls: BTreeMap<String, String> = mocks
        .iter()
        .map(|mock| (mock.name().to_owned(), mock.url()))
        .collect();
    let sdl = supergraph::rewrite_urls(&case.supergraph, &urls);
    let mut config = RouterConfig {
        override_subgraph_urls: urls,
        expose_query_plan: true,
        ..RouterConfig::default()
    };
    config.timeouts.subgraph_request_ms = SUBGRAPH_TIMEOUT_MS;
    let router = match Router::from_supergraph_sdl(&sdl, config) {
        Ok(router) => router,
        Err(error) => return fail_all(outcome, format!("router rejected the supergraph: {error}")),
    };
    let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
        Ok(listener) => listener,
        Err(error) => return fail_all(outcome, format!("cannot bind the router: {error}")),
    };
    let endpoint = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}/graphql"),
        Err(error) => return fail_all(outcome, format!("no router address: {error}")),
    };
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        let _ = router
            .serve(listener, async {
                let _ = stopped.await;
            })
            .await;
    });
    let client = reqwest::Client::new();
    let checkers: BTreeMap<&str, PlanChecker> = case
        .subgraphs
        .iter()
        .map(|(name, sdl)| (name.as_str(), PlanChecker::new(sdl)))
        .collect();
    for operation in &case.operations {
        let id = format!("{}/{}", case.id, operation.name);
        let result = run_operation(&client, &endpoint, case, operation, &mocks).await;
        let requests: usize = mocks.iter().map(|mock| mock.recorded().len()).sum();
        outcome.requests.insert(id.clone(), requests);
        let mut problems: Vec<String> = result.err().into_iter().collect();
        problems.extend(plan_violations(operation, &mocks, &checkers));
        if problems.is_empty() {
            outcome.passed += 1;
        } else {
            outcome
                .failures
                .push(format!("{id}:\n  {}", problems.join("\n  ")));
        }
    }
    let _ = stop.send(());
    let _ = server.await;
}

async fn run_operation(
    client: &reqwest::Client,
    endpoint: &str,
    case: &Case,
    operation: &Operation,
    mocks: &[MockSubgraph],
) -> Result<(), String> {
    for mock in mocks {
        mock.clear_recorded();
    }
    let mut body = json!({ "query": operation.query, "variables": operation.variables });
    if let Some(name) = &operation.operation_name {
        body["operationName"] = json!(name);
    }
    let response = client
        .post(endpoint)
        .header("x-switchyard-plan", "true")
        .header("accept", "application/json")
        .json(&body)
        .send()
        .await
        .map_err(|e| format!("router did not answer: {e}"))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .map_err(|e| format!("router body unreadable: {e}"))?;
    let actual: Json = serde_json::from_str(&text)
        .map_err(|e| format!("router answered HTTP {status} with non-JSON ({e}): {text}"))?;
    let mut problems = Vec::new();
    match &operation.expected {
        Some(expected) => {
            if let Err(why) = compare_response(expected, &actual) {
                problems.push(why);
            }
        }
        None => problems.push("no .expected.json file".to_owned()),
    }
    let snapshot = snapshot_text(operation, &actual, mocks);
    let snapshot_dir = case.dir.join("snapshots");
    let name = operation.name.clone();
    // insta reports a mismatch by panicking after printing its diff; the panic is
    // caught so that every case runs, and the default hook's backtrace silenced.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let held = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let mut settings = insta::Settings::clone_current();
        settings.set_snapshot_path(snapshot_dir);
        settings.set_prepend_module_to_snapshot(false);
        settings.set_omit_expression(true);
        settings.bind(|| insta::assert_snapshot!(name, snapshot));
    }));
    std::panic::set_hook(hook);
    if held.is_err() {
        problems.push("plan/requests snapshot differs (see `cargo insta review`)".to_owned());
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n  "))
    }
}

/// What the plan checker finds in the requests each subgraph received.
fn plan_violations(
    operation: &Operation,
    mocks: &[MockSubgraph],
    checkers: &BTreeMap<&str, PlanChecker>,
) -> Vec<String> {
    let mut problems = Vec::new();
    for mock in mocks {
        let Some(checker) = checkers.get(mock.name()) else {
            continue;
        };
        for (index, request) in mock.recorded().iter().enumerate() {
            let Some(query) = &request.query else {
                continue;
            };
            let variables = match &request.variables {
                Some(Json::Object(map)) => map.clone(),
                _ => serde_json::Map::new(),
            };
            for violation in checker.check(query, request.operation_name.as_deref(), &variables) {
                problems.push(format!(
                    "plan checker: subgraph `{}`, request {} of operation `{}`: {violation}\n    request: {}",
                    mock.name(),
                    index + 1,
                    operation.name,
                    query.split_whitespace().collect::<Vec<_>>().join(" ")
                ));
            }
        }
    }
    problems
}

/// The plan and what each subgraph received, in a form easy to review. Requests
/// of queries are sorted (parallel fetches arrive in any order); a mutation's
/// keep their arrival order, which the spec fixes.
fn snapshot_text(operation: &Operation, actual: &Json, mocks: &[MockSubgraph]) -> String {
    let mut text = String::new();
    let plan = actual
        .pointer("/extensions/queryPlan/text")
        .and_then(Json::as_str)
        .unwrap_or("<no plan>");
    let _ = writeln!(text, "plan:\n{}\n", plan.trim_end());
    let is_mutation = operation
        .query
        .lines()
        .filter(|line| !line.trim_start().starts_with('#'))
        .any(|line| line.trim_start().starts_with("mutation"));
    for mock in mocks {
        let mut recorded: Vec<String> = mock
            .recorded()
            .iter()
            .map(|request| {
                let mut shown = request.query.clone().unwrap_or_default();
                if let Some(variables) = &request.variables {
                    let _ = write!(shown, "\nvariables: {variables}");
                }
                if let Some(name) = &request.operation_name {
                    let _ = write!(shown, "\noperationName: {name}");
                }
                shown
            })
            .collect();
        if !is_mutation {
            recorded.sort();
        }
        let _ = writeln!(text, "requests to {} ({}):", mock.name(), recorded.len());
        for request in recorded {
            let _ = writeln!(text, "---\n{request}");
        }
        text.push('\n');
    }
    text
}
