//! The playground in a real headless browser: runs `web-playground/e2e/playground.test.mjs`
//! (playwright-core driving Debian's `chromium`) against the `shop` binary built by
//! this package. The script starts the whole shop, runs a cross-subgraph query from
//! the GraphiQL editor and checks the data, uses the authorization panel (a pasted
//! token and the sign-in the shop's router config names), measures the plan
//! diagram of a query across all five services as drawn on screen (labels at least
//! 11 px, inside their boxes, every box reachable in the scrolling viewport),
//! checks the trace waterfall, runs a `@defer` query (multipart, shown merged) and a
//! live subscription (SSE, its result updated by an order), and that no request
//! left 127.0.0.1.
//!
//! Also runs the playground's unit tests (`node --test`: plan layout and label
//! wrapping, the authorization panel's pure parts, the SSE and multipart readers).
//!
//! Without chromium (or node) the test is skipped with a message, unless `CI` is
//! set: there it fails, so CI cannot pass without running it. Screenshots go to
//! `target/playground-e2e/`; `UPDATE_SCREENSHOTS=1` writes them to `docs/images/`
//! (the README's pictures) instead.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

fn missing(what: &str) {
    let message = format!("playground browser test needs {what}");
    if std::env::var_os("CI").is_some() {
        panic!("{message} (CI is set, so this is a failure, not a skip)");
    }
    // Written to stderr directly: the test harness hides `eprintln!` of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "SKIPPED: {message}; install it (apt-get install -y chromium nodejs npm) to run this test"
    );
}

fn found(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}

/// The pure modules under `node --test` (the plan diagram's layout and label
/// wrapping, the authorization panel's headers and variables); no browser.
#[test]
fn playground_unit_tests() {
    if !found("node") {
        return missing("node");
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let status = Command::new("node")
        .args([
            "--test",
            "web-playground/e2e/plan-layout.test.mjs",
            "web-playground/e2e/auth.test.mjs",
            "web-playground/e2e/streaming.test.mjs",
        ])
        .current_dir(&root)
        .status()
        .expect("node runs");
    assert!(
        status.success(),
        "the playground unit tests failed (see above)"
    );
}

#[test]
fn playground_runs_a_cross_subgraph_query_in_chromium() {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    if !Path::new(&chromium).exists() {
        return missing(&format!("chromium at {chromium}"));
    }
    if !found("node") || !found("npm") {
        return missing("node and npm");
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let web = root.join("web-playground");
    if !web.join("node_modules/playwright-core").exists() {
        let status = Command::new("npm")
            .args(["ci", "--no-audit", "--no-fund"])
            .current_dir(&web)
            .status()
            .expect("npm ci runs");
        assert!(status.success(), "npm ci in web-playground failed");
    }
    let screenshots = if std::env::var_os("UPDATE_SCREENSHOTS").is_some() {
        root.join("docs/images")
    } else {
        root.join("target/playground-e2e")
    };
    let status = Command::new("node")
        .arg(web.join("e2e/playground.test.mjs"))
        .env("SHOP_BIN", env!("CARGO_BIN_EXE_shop"))
        .env("CHROMIUM", &chromium)
        .env("SCREENSHOT_DIR", &screenshots)
        .current_dir(&root)
        .status()
        .expect("node runs");
    assert!(
        status.success(),
        "the playground browser test failed (see its output above)"
    );
}
