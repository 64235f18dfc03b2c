//! The README's "Your first hour" works as printed: every `sh` block of that
//! section that calls `curl` runs, in order, in one shell, against the real
//! `shop` binary (only the router's port differs: the test takes a free one).

mod shop_process;

use shop_process::RunningShop;

/// The `sh` blocks of the README section headed `heading`.
fn shell_blocks(readme: &str, heading: &str) -> Vec<String> {
    let start = readme
        .find(heading)
        .unwrap_or_else(|| panic!("the README has no {heading:?}"));
    let section = &readme[start + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    section
        .split("```sh\n")
        .skip(1)
        .map(|block| block[..block.find("```").expect("a closed block")].to_owned())
        .collect()
}

#[tokio::test]
async fn the_first_hour_curl_examples_work_as_printed() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let blocks: Vec<String> = shell_blocks(&readme, "## Your first hour")
        .into_iter()
        .filter(|block| block.contains("curl"))
        .collect();
    assert!(blocks.len() >= 3, "{blocks:#?}");

    let dir = tempfile::tempdir().unwrap();
    let shop = RunningShop::start(dir.path(), &[], "warn").await;
    let mut script = String::from("set -euo pipefail\n");
    for (index, block) in blocks.iter().enumerate() {
        script.push_str(&block.replace("127.0.0.1:4000", &shop.router_address));
        // curl prints no newline after a body: one marker line per block.
        script.push_str(&format!("\necho\necho '--- block {index} done'\n"));
    }
    let output = tokio::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .output()
        .await
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    shop.stop();
    assert!(output.status.success(), "{stdout}\n{stderr}");
    for index in 0..blocks.len() {
        assert!(
            stdout.contains(&format!("--- block {index} done")),
            "{stdout}"
        );
    }
    assert!(!stdout.contains("\"errors\""), "{stdout}");
    for expected in [
        "\"name\":\"The Pragmatic Gardener\"",
        "\"name\":\"Gooseneck Kettle\"",
        "\"inStock\":true",
        // The `@defer` block: the deferred part, last.
        "\"path\":[\"product\"],\"label\":\"stock\"}],\"hasNext\":false}\r\n-----",
        "\"status\":\"CONFIRMED\"",
        "\"card\":{\"brand\":\"visa\",\"last4\":\"4242\"}",
        "\"status\":\"CANCELLED\"",
        // The subscription block: the cancelled order, its product named by
        // products, then the end of the stream.
        "event: next\ndata: {\"data\":{\"orderStatusChanged\":{\"status\":\"CANCELLED\",\"items\":[{\"product\":{\"name\":\"Gooseneck Kettle\"}}]}}}",
        "event: complete",
    ] {
        assert!(stdout.contains(expected), "no {expected} in\n{stdout}");
    }
}
