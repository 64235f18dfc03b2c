//! `switchyard serve` as a child process (its own global subscriber, its own
//! stderr): started with a config file in a temporary folder next to the
//! fixture supergraph, stopped with SIGTERM, its log kept line by line.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A running `switchyard serve`; killed when dropped unstopped (a failed
/// assertion must not leave it running).
pub struct ServedBinary {
    child: Child,
    /// `host:port` of the GraphQL listener.
    pub address: String,
    lines: Arc<Mutex<Vec<String>>>,
    reader: Option<std::thread::JoinHandle<()>>,
    _dir: tempfile::TempDir,
}

impl ServedBinary {
    /// Serves the fixture supergraph with `config` (YAML, without
    /// `supergraph`), the metrics listener off, and `env` set. Blocks until
    /// the router logs its address (call it from a blocking thread).
    pub fn start(config: &str, env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("supergraph.graphql"), super::SUPERGRAPH).unwrap();
        let config = format!("supergraph: supergraph.graphql\nlisten: 127.0.0.1:0\n{config}\n");
        let config_path = dir.path().join("router.yaml");
        std::fs::write(&config_path, config).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_switchyard"))
            .args(["serve", "--config"])
            .arg(&config_path)
            .env("RUST_LOG", "info")
            .envs(env.iter().copied())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let lines = Arc::new(Mutex::new(Vec::new()));
        let deadline = Instant::now() + Duration::from_secs(30);
        let address = loop {
            assert!(Instant::now() < deadline, "the router did not start");
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap() == 0 {
                panic!(
                    "the router exited before serving: {:?}",
                    lines.lock().unwrap()
                );
            }
            lines.lock().unwrap().push(line.trim_end().to_owned());
            if let Some(address) = logged_address(&line) {
                break address;
            }
        };
        let reader = {
            let lines = lines.clone();
            std::thread::spawn(move || {
                for line in stderr.lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(line);
                }
            })
        };
        ServedBinary {
            child,
            address,
            lines,
            reader: Some(reader),
            _dir: dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.address)
    }

    /// Sends SIGTERM, waits for a clean exit (10 s at most), and returns every
    /// line the router wrote on stderr.
    pub fn stop(mut self) -> Vec<String> {
        let pid = self.child.id().to_string();
        let killed = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(killed.success());
        let deadline = Instant::now() + Duration::from_secs(10);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the router did not stop");
            std::thread::sleep(Duration::from_millis(20));
        };
        assert!(status.success(), "{status}");
        if let Some(reader) = self.reader.take() {
            reader.join().unwrap();
        }
        self.lines.lock().unwrap().clone()
    }
}

impl Drop for ServedBinary {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The `address` of "switchyard is serving /graphql", as text
/// (`address=127.0.0.1:1234`) or JSON (`"address":"127.0.0.1:1234"`).
fn logged_address(line: &str) -> Option<String> {
    if !line.contains("serving /graphql") {
        return None;
    }
    if let Ok(serde_json::Value::Object(object)) = serde_json::from_str(line) {
        return object["address"].as_str().map(str::to_owned);
    }
    let rest = line.split("address=").nth(1)?;
    rest.split_whitespace().next().map(str::to_owned)
}
