//! The real `shop` binary as `cargo run --release` runs it (five services and
//! the router in one process), on free ports and its own data folder, with its
//! output captured: for tests of what a person running it sees (the README's
//! commands, the logs).

#![allow(dead_code)]

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;

/// A free port on 127.0.0.1 (bound, then released for the shop to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Five consecutive free ports for the services (the launcher numbers them from
/// the first), and one for the router.
fn ports() -> (u16, u16) {
    loop {
        let first = free_port();
        if first > 65000 {
            continue;
        }
        let all_free =
            (first..first + 5).all(|port| std::net::TcpListener::bind(("127.0.0.1", port)).is_ok());
        if all_free {
            return (first, free_port());
        }
    }
}

pub struct RunningShop {
    child: Child,
    /// `127.0.0.1:PORT` of the router.
    pub router_address: String,
    /// `http://127.0.0.1:PORT/graphql`.
    pub router: String,
}

impl RunningShop {
    /// Starts the shop on `data_dir` with `args` added to the launcher's and
    /// `RUST_LOG` set to `log_filter`, and waits until the router answers.
    pub async fn start(data_dir: &std::path::Path, args: &[&str], log_filter: &str) -> Self {
        let (first_subgraph_port, router_port) = ports();
        let child = Command::new(env!("CARGO_BIN_EXE_shop"))
            .args(["--data-dir", data_dir.to_str().unwrap()])
            .args(["--first-subgraph-port", &first_subgraph_port.to_string()])
            .args(["--router-port", &router_port.to_string()])
            .arg("--no-metrics")
            .args(args)
            .env("RUST_LOG", log_filter)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("the shop binary starts");
        let router_address = format!("127.0.0.1:{router_port}");
        let shop = RunningShop {
            child,
            router: format!("http://{router_address}/graphql"),
            router_address,
        };
        shop.wait_until_ready().await;
        shop
    }

    async fn wait_until_ready(&self) {
        let http = reqwest::Client::new();
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let ready = http
                .post(&self.router)
                .json(&json!({ "query": "{ __typename }" }))
                .send()
                .await
                .is_ok_and(|response| response.status().is_success());
            if ready {
                return;
            }
            assert!(Instant::now() < deadline, "the shop did not start in time");
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }

    /// Stops the shop (SIGTERM: a graceful stop, so buffered output is written)
    /// and returns everything it wrote, stdout then stderr.
    pub fn stop(mut self) -> String {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(30);
        while self.child.try_wait().unwrap().is_none() {
            if Instant::now() > deadline {
                let _ = self.child.kill();
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut output = String::new();
        for stream in [
            self.child
                .stdout
                .take()
                .map(|s| Box::new(s) as Box<dyn Read>),
            self.child
                .stderr
                .take()
                .map(|s| Box::new(s) as Box<dyn Read>),
        ]
        .into_iter()
        .flatten()
        {
            let mut stream = stream;
            stream.read_to_string(&mut output).unwrap();
        }
        output
    }
}

impl Drop for RunningShop {
    fn drop(&mut self) {
        // A test that failed before `stop` leaves no shop behind.
        let _ = self.child.kill();
    }
}
