//! The `switchyard` binary: `config-schema`, `plan`, and `serve` with a graceful
//! shutdown on SIGTERM.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use switchyard::config::RouterConfig;

const BIN: &str = env!("CARGO_BIN_EXE_switchyard");
const FIXTURE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/supergraph.graphql"
);

fn run(args: &[&str]) -> (bool, String, String) {
    let output = Command::new(BIN).args(args).output().unwrap();
    (
        output.status.success(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn config_schema_prints_the_json_schema() {
    let (ok, stdout, _) = run(&["config-schema"]);
    assert!(ok);
    assert_eq!(stdout.trim_end(), RouterConfig::json_schema());
}

#[test]
fn plan_prints_text_and_json() {
    let query = "query Me { me { name reviews { body product { name } } } }";
    let (ok, text, stderr) = run(&["plan", "--supergraph", FIXTURE, "--query", query]);
    assert!(ok, "{stderr}");
    insta::assert_snapshot!(text);

    let (ok, json, _) = run(&[
        "plan",
        "--supergraph",
        FIXTURE,
        "--query",
        query,
        "--operation-name",
        "Me",
        "--json",
    ]);
    assert!(ok);
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(plan["node"]["kind"], "Sequence");
}

/// `percent(N)` labels are not drawn by `switchyard plan`: off unless named with
/// `--override-label`, and a note says which were off.
#[test]
fn plan_enables_override_labels_on_request() {
    let fixture = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/progressive_override.graphql"
    );
    let query = "{ product(id: \"p1\") { stock } }";
    let (ok, off, stderr) = run(&["plan", "--supergraph", fixture, "--query", query]);
    assert!(ok, "{stderr}");
    assert!(!off.contains("service: \"stock\""), "{off}");
    assert!(
        stderr.contains("labels off: discounts-v2, percent(0), percent(100)"),
        "{stderr}"
    );
    let (ok, on, stderr) = run(&[
        "plan",
        "--supergraph",
        fixture,
        "--query",
        query,
        "--override-label",
        "percent(0)",
        "--override-label",
        "discounts-v2",
    ]);
    assert!(ok, "{stderr}");
    assert!(on.contains("service: \"stock\""), "{on}");
    assert!(stderr.contains("labels off: percent(100)"), "{stderr}");
    let (ok, _, stderr) = run(&[
        "plan",
        "--supergraph",
        fixture,
        "--query",
        query,
        "--override-label",
        "nope",
    ]);
    assert!(!ok);
    assert!(
        stderr.contains("no progressive-override label \"nope\""),
        "{stderr}"
    );
}

#[test]
fn plan_prints_context_arguments_of_a_context_supergraph() {
    let supergraph = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/planner/tests/fixtures/from_context.graphql"
    );
    let query = "{ t { prefs { greeting(polite: true) } } }";
    let (ok, text, stderr) = run(&["plan", "--supergraph", supergraph, "--query", query]);
    assert!(ok, "{stderr}");
    assert!(
        text.contains("context $contextualArgument_1: String <- 1 up { locale }"),
        "{text}"
    );
    assert!(
        text.contains("greeting(polite: true, locale: $contextualArgument_1)"),
        "{text}"
    );

    let (ok, json, stderr) = run(&[
        "plan",
        "--supergraph",
        supergraph,
        "--query",
        query,
        "--json",
    ]);
    assert!(ok, "{stderr}");
    let plan: serde_json::Value = serde_json::from_str(&json).unwrap();
    let fetch = &plan["node"]["nodes"][1]["node"];
    assert_eq!(
        fetch["context_arguments"][0]["variable"], "contextualArgument_1",
        "{json}"
    );
    assert_eq!(fetch["context_arguments"][0]["sources"][0]["levels_up"], 1);
}

#[test]
fn plan_reads_the_query_from_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("op.graphql");
    std::fs::write(&path, "{ topProducts { name } }").unwrap();
    let (ok, text, stderr) = run(&[
        "plan",
        "--supergraph",
        FIXTURE,
        "--query",
        path.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    assert!(text.contains("Fetch(service: \"products\")"), "{text}");
}

#[test]
fn plan_reports_invalid_operations() {
    let (ok, _, stderr) = run(&["plan", "--supergraph", FIXTURE, "--query", "{ nope }"]);
    assert!(!ok);
    assert!(stderr.contains("the operation is invalid"), "{stderr}");
    assert!(stderr.contains("nope"), "{stderr}");
}

/// Starts `switchyard serve ARGS` and returns the child and the address it bound
/// (read from its log line, as the port is ephemeral).
fn start_serving(args: &[&str]) -> (std::process::Child, String) {
    let (child, address, _, _) = start_serving_logged(args);
    (child, address)
}

fn start_serving_with_metrics(args: &[&str]) -> (std::process::Child, String, Option<String>) {
    let (child, address, metrics_url, _) = start_serving_logged(args);
    (child, address, metrics_url)
}

/// Also returns the URL of the metrics page, when it logged one.
/// Also returns what it logged before it said it serves.
fn start_serving_logged(args: &[&str]) -> (std::process::Child, String, Option<String>, String) {
    let mut child = Command::new(BIN)
        .arg("serve")
        .args(args)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut metrics_url = None;
    let mut startup_log = String::new();
    let address = loop {
        assert!(Instant::now() < deadline, "the router did not start");
        let mut line = String::new();
        if stderr.read_line(&mut line).unwrap() == 0 {
            panic!("the router exited before serving");
        }
        startup_log.push_str(&line);
        if let Some(rest) = line.split(" url=").nth(1) {
            metrics_url = rest.split_whitespace().next().map(str::to_owned);
        }
        if let Some(rest) = line.split("address=").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    // Keep reading its log so the router never writes into a closed pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, address, metrics_url, startup_log)
}

/// Sends SIGTERM and waits for a clean exit.
fn stop(mut child: std::process::Child) {
    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            Instant::now() < deadline,
            "the router did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "{status}");
}

#[test]
fn serve_with_a_config_file_answers_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("router.yaml");
    std::fs::write(
        &config,
        format!(
            "supergraph: {FIXTURE}\nlisten: 127.0.0.1:0\n\
             telemetry:\n  metrics:\n    listen: 127.0.0.1:0\n    path: /prometheus\n"
        ),
    )
    .unwrap();
    let (child, address, metrics_url) =
        start_serving_with_metrics(&["--config", config.to_str().unwrap()]);
    assert_healthy(&address);
    // The metrics are on a listener of their own, at the configured path.
    let metrics_url = metrics_url.expect("the router logs its metrics URL");
    assert!(metrics_url.ends_with("/prometheus"), "{metrics_url}");
    let metrics = raw_http::get(&metrics_url);
    for line in [
        "switchyard_http_requests_in_flight 0\n",
        "switchyard_plan_cache_hits_total 0\n",
    ] {
        assert!(metrics.contains(line), "{line} in\n{metrics}");
    }
    let (status, _) = raw_http::get_with_status(&format!("http://{address}/prometheus"));
    assert_eq!(status, "HTTP/1.1 404 Not Found");
    stop(child);
}

#[test]
fn serve_without_metrics_logs_no_metrics_url() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("router.yaml");
    std::fs::write(
        &config,
        format!("supergraph: {FIXTURE}\nlisten: 127.0.0.1:0\ntelemetry: {{metrics: {{enabled: false}}}}\n"),
    )
    .unwrap();
    let (child, address, metrics_url) =
        start_serving_with_metrics(&["--config", config.to_str().unwrap()]);
    assert_healthy(&address);
    assert_eq!(metrics_url, None);
    stop(child);
}

#[test]
fn serve_with_flags_only() {
    let (child, address, _, startup_log) = start_serving_logged(SERVE_FIXTURE);
    assert_healthy(&address);
    // Off by default, and it says how to turn it on.
    assert!(
        startup_log.contains("the playground is off")
            && startup_log.contains("playground: { enabled: true }"),
        "{startup_log}"
    );
    stop(child);
}

#[test]
fn serve_with_its_metrics_address_taken_still_serves_graphql() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken_address = taken.local_addr().unwrap().to_string();
    let (child, address, metrics_url) = start_serving_with_metrics(&[
        "--supergraph",
        FIXTURE,
        "--listen",
        "127.0.0.1:0",
        "--metrics-listen",
        &taken_address,
    ]);
    assert_eq!(metrics_url, None);
    assert_healthy(&address);
    stop(child);
}

/// `serve` arguments for the fixture supergraph on an ephemeral port.
const SERVE_FIXTURE: &[&str] = &[
    "--supergraph",
    FIXTURE,
    "--listen",
    "127.0.0.1:0",
    "--metrics-listen",
    "127.0.0.1:0",
];

/// `/health` says UP, and names the fixture's hash.
fn assert_healthy(address: &str) {
    let health: serde_json::Value =
        serde_json::from_str(&raw_http::get(&format!("http://{address}/health"))).unwrap();
    let fixture = std::fs::read_to_string(FIXTURE).unwrap();
    assert_eq!(health["status"], "UP");
    assert_eq!(
        health["schemaHash"],
        switchyard::persisted::sha256_hex(&fixture).as_str()
    );
}

#[test]
fn serve_refuses_a_bad_config() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("router.yaml");
    std::fs::write(&config, "limits:\n  max_dept: 3\n").unwrap();
    let (ok, _, stderr) = run(&["serve", "--config", config.to_str().unwrap()]);
    assert!(!ok);
    assert!(stderr.contains("unknown field `max_dept`"), "{stderr}");

    // One line, the cause once, no backtrace even when one is asked for: the
    // operator's input is wrong, the router is not.
    let output = Command::new(BIN)
        .args(["serve", "--config", config.to_str().unwrap()])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8(output.stderr).unwrap();
    assert!(!output.status.success());
    assert_eq!(
        stderr.matches("unknown field `max_dept`").count(),
        1,
        "{stderr}"
    );
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
    assert_eq!(stderr.trim_end().lines().count(), 1, "{stderr}");
}

#[test]
fn unknown_paths_get_a_graphql_shaped_404() {
    let (child, address) = start_serving(SERVE_FIXTURE);
    for path in ["x", "graphql/extra", ""] {
        let (status, body) = raw_http::get_with_status(&format!("http://{address}/{path}"));
        assert_eq!(status, "HTTP/1.1 404 Not Found", "/{path}");
        let expected = serde_json::json!({"errors": [{
            "message": format!("Not found: /{path}. GraphQL is served at /graphql"),
            "extensions": {"code": "NOT_FOUND"}
        }]});
        assert_eq!(
            serde_json::from_str::<serde_json::Value>(&body).unwrap(),
            expected
        );
    }
    stop(child);
}

/// A minimal blocking GET (reqwest's blocking client is not enabled).
mod raw_http {
    use std::io::{Read, Write};
    use std::net::TcpStream;

    pub fn get(url: &str) -> String {
        get_with_status(url).1
    }

    /// The status line and the body of a GET.
    pub fn get_with_status(url: &str) -> (String, String) {
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_once('/').unwrap();
        let mut stream = TcpStream::connect(host).unwrap();
        write!(
            stream,
            "GET /{path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
        )
        .unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let status = response.lines().next().unwrap_or("").to_owned();
        let body = response.split("\r\n\r\n").nth(1).unwrap_or("").to_owned();
        (status, body)
    }
}

#[test]
fn compose_prints_a_supergraph_that_plans() {
    let dir = tempfile::tempdir().unwrap();
    let sdl = r#"extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { me: User }
type User @key(fields: "id") { id: ID! name: String }
"#;
    std::fs::write(dir.path().join("users.graphql"), sdl).unwrap();
    let config = dir.path().join("compose.yaml");
    std::fs::write(
        &config,
        "subgraphs:\n  - name: users\n    routing_url: http://users:4001/graphql\n    schema: users.graphql\n",
    )
    .unwrap();
    let out = dir.path().join("supergraph.graphql");
    let (ok, _, stderr) = run(&[
        "compose",
        "--config",
        config.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(ok, "{stderr}");
    let (ok, plan, stderr) = run(&[
        "plan",
        "--supergraph",
        out.to_str().unwrap(),
        "--query",
        "{ me { name } }",
    ]);
    assert!(ok, "{stderr}");
    assert!(plan.contains("Fetch(service: \"users\")"), "{plan}");
}

/// The allocator commits its arenas on demand (peak RSS under load), unless
/// the operator's `MIMALLOC_ARENA_EAGER_COMMIT` says otherwise; mimalloc
/// prints its options at start-up with `MIMALLOC_VERBOSE=1`.
#[test]
fn the_allocator_commits_on_demand_unless_told_otherwise() {
    let eager_commit = |env: &[(&str, &str)]| {
        let output = Command::new(BIN)
            .arg("--version")
            .env("MIMALLOC_VERBOSE", "1")
            .envs(env.iter().copied())
            .output()
            .unwrap();
        assert!(output.status.success());
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        stderr
            .lines()
            .find_map(|line| line.split("option 'arena_eager_commit': ").nth(1))
            .map(|value| value.trim().to_owned())
            .unwrap_or_else(|| panic!("no arena_eager_commit in {stderr}"))
    };
    assert_eq!(eager_commit(&[]), "0");
    assert_eq!(eager_commit(&[("MIMALLOC_ARENA_EAGER_COMMIT", "1")]), "1");
}
