//! `subscription-churn`: the router holding, feeding and dropping many
//! subscriptions, in rounds, while its memory (RSS) and open file descriptors
//! are sampled. It shows whether they return to the same level after every
//! round; it asserts nothing and measures no speed.
//!
//! Each round, `--clients` WebSocket clients connect to `switchyard serve`
//! (a separate process, so the figures are the router's alone), initialise and
//! subscribe to `ticks { n label }`; `ticks` comes from the `ticker` subgraph
//! (over `graphql-transport-ws`) and `label` from the `labels` subgraph (one
//! entity fetch per event); `--events` ticks are published and every client
//! must receive each one; then every client disconnects, and the round ends
//! when the router has closed every subgraph stream. Both subgraphs are mocks
//! in this process.
//!
//! ```sh
//! cargo build --release -p switchyard -p switchyard-bench --bins
//! target/release/subscription-churn --switchyard-bin target/release/switchyard \
//!     --clients 1000 --rounds 5 --events 3
//! ```

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use axum::extract::State;
use axum::extract::ws::{Message as Frame, WebSocket, WebSocketUpgrade};
use axum::response::Response;
use axum::routing::{get, post};
use clap::Parser;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use switchyard_composition::{SubgraphDefinition, compose};
use tokio::sync::broadcast;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

#[derive(Debug, Parser)]
#[command(about = "Rounds of WebSocket subscriptions through switchyard, sampling its RSS and FDs")]
struct Args {
    /// The router binary (`switchyard`).
    #[arg(long, default_value = "target/release/switchyard")]
    switchyard_bin: String,
    /// Subscriptions per round, one WebSocket connection each.
    #[arg(long, default_value_t = 1000)]
    clients: usize,
    #[arg(long, default_value_t = 5)]
    rounds: usize,
    /// Events every subscription receives per round.
    #[arg(long, default_value_t = 3)]
    events: u64,
}

const TICKER_SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { tickerVersion: String }
type Subscription { ticks: Tick! }
type Tick @key(fields: "n") { n: Int! }
"#;

const LABELS_SDL: &str = r#"
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
type Query { labelsVersion: String }
type Tick @key(fields: "n") { n: Int! label: String! }
"#;

const SUBSCRIPTION: &str = "subscription { ticks { n label } }";

const DEADLINE: Duration = Duration::from_secs(30);

/// The ticker's state: every open subscription receives what is published.
#[derive(Clone)]
struct Ticker {
    ticks: broadcast::Sender<u64>,
    open: Arc<AtomicUsize>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let (ticks, _) = broadcast::channel(1024);
    let ticker = Ticker {
        ticks,
        open: Arc::default(),
    };
    let ticker_base = serve(
        axum::Router::new()
            .route("/ws", get(ticker_socket))
            .with_state(ticker.clone()),
    )
    .await?;
    let labels_base = serve(axum::Router::new().route("/graphql", post(labels))).await?;

    let dir = tempfile::tempdir()?;
    let supergraph = compose(&[
        SubgraphDefinition::new("ticker", format!("{ticker_base}/graphql"), TICKER_SDL),
        SubgraphDefinition::new("labels", format!("{labels_base}/graphql"), LABELS_SDL),
    ])
    .map_err(|errors| anyhow::anyhow!("{errors}"))?
    .supergraph_sdl;
    let supergraph_path = dir.path().join("supergraph.graphql");
    std::fs::write(&supergraph_path, supergraph)?;
    let config_path = dir.path().join("router.yaml");
    let ws_url = format!("{}/ws", ticker_base.replacen("http://", "ws://", 1));
    std::fs::write(
        &config_path,
        format!(
            "telemetry:\n  metrics:\n    enabled: false\nsubscriptions:\n  max_connections: {}\n  \
             subgraphs:\n    ticker:\n      protocol: websocket\n      url: {ws_url}\n",
            args.clients + 16
        ),
    )?;
    let listen = free_address()?;
    let mut router = tokio::process::Command::new(&args.switchyard_bin)
        .args(["serve", "--supergraph"])
        .arg(&supergraph_path)
        .arg("--config")
        .arg(&config_path)
        .args(["--listen", &listen])
        .env("RUST_LOG", "warn")
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("cannot start {}", args.switchyard_bin))?;
    let pid = router.id().context("the router has no pid")?;
    wait_for_health(&listen).await?;

    let start = sample(pid)?;
    println!(
        "router pid {pid}: {} clients per round, {} events each, {} rounds",
        args.clients, args.events, args.rounds
    );
    println!("| round | RSS held (MB) | FDs held | RSS after (MB) | FDs after | round time (s) |");
    println!("|---:|---:|---:|---:|---:|---:|");
    println!(
        "| start | | | {:.1} | {} | |",
        start.rss_kib as f64 / 1024.0,
        start.fds
    );
    let url = format!("ws://{listen}/graphql");
    let mut next_tick = 0;
    for round in 1..=args.rounds {
        let began = Instant::now();
        let clients = futures::stream::iter(0..args.clients)
            .map(|_| connect(&url))
            .buffer_unordered(100)
            .collect::<Vec<_>>()
            .await
            .into_iter()
            .collect::<anyhow::Result<Vec<_>>>()?;
        wait_until(
            || ticker.open.load(Ordering::SeqCst) == args.clients,
            "every subscription reaches the ticker",
        )
        .await?;
        let held = sample(pid)?;
        let first = next_tick;
        let receiving: Vec<_> = clients
            .into_iter()
            .map(|client| tokio::spawn(receive(client, first, args.events)))
            .collect();
        for _ in 0..args.events {
            ticker.ticks.send(next_tick).ok();
            next_tick += 1;
        }
        for receiving in receiving {
            receiving.await??;
        }
        wait_until(
            || ticker.open.load(Ordering::SeqCst) == 0,
            "every subgraph stream closes",
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        let after = sample(pid)?;
        println!(
            "| {round} | {:.1} | {} | {:.1} | {} | {:.1} |",
            held.rss_kib as f64 / 1024.0,
            held.fds,
            after.rss_kib as f64 / 1024.0,
            after.fds,
            began.elapsed().as_secs_f64()
        );
    }
    router.kill().await.ok();
    Ok(())
}

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects, initialises and subscribes.
async fn connect(url: &str) -> anyhow::Result<Client> {
    let mut request = url.into_client_request()?;
    request
        .headers_mut()
        .insert("sec-websocket-protocol", "graphql-transport-ws".parse()?);
    let (mut socket, _) = tokio_tungstenite::connect_async(request).await?;
    socket
        .send(Message::text(
            json!({ "type": "connection_init" }).to_string(),
        ))
        .await?;
    let ack = next_message(&mut socket).await?;
    if ack["type"] != "connection_ack" {
        bail!("expected connection_ack, got {ack}");
    }
    let subscribe = json!({ "type": "subscribe", "id": "1", "payload": { "query": SUBSCRIPTION } });
    socket.send(Message::text(subscribe.to_string())).await?;
    Ok(socket)
}

/// Receives ticks `first..first + events`, each labelled, then disconnects.
async fn receive(mut client: Client, first: u64, events: u64) -> anyhow::Result<()> {
    for n in first..first + events {
        let message = next_message(&mut client).await?;
        let expected = json!({ "type": "next", "id": "1", "payload": {
            "data": { "ticks": { "n": n, "label": format!("tick {n}") } } } });
        if message != expected {
            bail!("expected {expected}, got {message}");
        }
    }
    client.close(None).await.ok();
    Ok(())
}

/// The next protocol message, pings answered.
async fn next_message(socket: &mut Client) -> anyhow::Result<Value> {
    loop {
        let frame = tokio::time::timeout(DEADLINE, socket.next())
            .await
            .context("no message in time")?
            .context("the router closed the connection")??;
        if let Message::Text(text) = frame {
            let message: Value = serde_json::from_str(text.as_str())?;
            if message["type"] == "ping" {
                socket
                    .send(Message::text(json!({ "type": "pong" }).to_string()))
                    .await?;
                continue;
            }
            return Ok(message);
        }
    }
}

/// The ticker subgraph's `graphql-transport-ws` endpoint: each subscription
/// gets every tick published after it started, as `{ticks: {__typename, n}}`.
async fn ticker_socket(State(ticker): State<Ticker>, upgrade: WebSocketUpgrade) -> Response {
    upgrade
        .protocols(["graphql-transport-ws"])
        .on_upgrade(move |socket| ticker_connection(socket, ticker))
}

async fn ticker_connection(mut socket: WebSocket, ticker: Ticker) {
    let mut ticks: Option<broadcast::Receiver<u64>> = None;
    let mut id = String::new();
    loop {
        let tick = async {
            match &mut ticks {
                Some(ticks) => ticks.recv().await.ok(),
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            frame = socket.next() => {
                let Some(Ok(Frame::Text(text))) = frame else { break };
                let Ok(message) = serde_json::from_str::<Value>(text.as_str()) else { break };
                let reply = match message["type"].as_str() {
                    Some("connection_init") => Some(json!({ "type": "connection_ack" })),
                    Some("ping") => Some(json!({ "type": "pong" })),
                    Some("subscribe") if ticks.is_none() => {
                        id = message["id"].as_str().unwrap_or_default().to_owned();
                        ticks = Some(ticker.ticks.subscribe());
                        ticker.open.fetch_add(1, Ordering::SeqCst);
                        None
                    }
                    Some("complete") => break,
                    _ => None,
                };
                if let Some(reply) = reply
                    && socket.send(Frame::Text(reply.to_string().into())).await.is_err()
                {
                    break;
                }
            }
            Some(n) = tick => {
                let next = json!({ "type": "next", "id": id, "payload": {
                    "data": { "ticks": { "__typename": "Tick", "n": n } } } });
                if socket.send(Frame::Text(next.to_string().into())).await.is_err() {
                    break;
                }
            }
        }
    }
    if ticks.is_some() {
        ticker.open.fetch_sub(1, Ordering::SeqCst);
    }
}

/// The labels subgraph: `_entities` for `Tick` representations.
async fn labels(axum::Json(body): axum::Json<Value>) -> axum::Json<Value> {
    let entities: Vec<Value> = body["variables"]["representations"]
        .as_array()
        .map(|representations| {
            representations
                .iter()
                .map(|r| json!({ "label": format!("tick {}", r["n"]) }))
                .collect()
        })
        .unwrap_or_default();
    axum::Json(json!({ "data": { "_entities": entities } }))
}

async fn serve(app: axum::Router) -> anyhow::Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(base)
}

fn free_address() -> anyhow::Result<String> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.to_string())
}

async fn wait_for_health(listen: &str) -> anyhow::Result<()> {
    let url = format!("http://{listen}/health");
    for _ in 0..200 {
        if reqwest::get(&url)
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("the router did not answer {url}")
}

async fn wait_until(done: impl Fn() -> bool, what: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + DEADLINE;
    while !done() {
        if Instant::now() > deadline {
            bail!("timed out waiting until {what}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

struct Sample {
    rss_kib: u64,
    fds: usize,
}

/// The process's resident memory and open file descriptors (Linux `/proc`).
fn sample(pid: u32) -> anyhow::Result<Sample> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let rss_kib = status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|value| value.split_whitespace().next())
        .and_then(|kib| kib.parse().ok())
        .context("no VmRSS")?;
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))?.count();
    Ok(Sample { rss_kib, fds })
}
