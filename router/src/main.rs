//! The `switchyard` command: serve a supergraph, print query plans, compose
//! subgraphs, print the config schema.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Parser, Subcommand};
use switchyard::compose_cli::{self, ComposeArgs};
use switchyard::config::RouterConfig;
use switchyard::reload::{ConfigOverrides, ConfigSource, Reloader, Triggers};
use switchyard::{Router, plan_command};

#[derive(Debug, Parser)]
#[command(name = "switchyard", version, about = "A GraphQL Federation v2 router")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve a supergraph over HTTP (`/graphql`, `/health`).
    Serve(ServeArgs),
    /// Print the query plan of an operation.
    Plan(PlanArgs),
    /// Compose subgraphs into a supergraph SDL.
    Compose(ComposeArgs),
    /// Print the JSON Schema of the configuration file.
    ConfigSchema,
}

#[derive(Debug, clap::Args)]
struct ServeArgs {
    /// Supergraph SDL file (overrides `supergraph`/`subgraphs` of the config).
    #[arg(long)]
    supergraph: Option<PathBuf>,
    /// Address to listen on (overrides `listen` of the config).
    #[arg(long)]
    listen: Option<SocketAddr>,
    /// YAML configuration file.
    #[arg(long, env = "SWITCHYARD_CONFIG")]
    config: Option<PathBuf>,
    /// Address of the metrics listener (overrides `telemetry.metrics.listen`).
    #[arg(long)]
    metrics_listen: Option<SocketAddr>,
}

#[derive(Debug, clap::Args)]
struct PlanArgs {
    /// Supergraph SDL file.
    #[arg(long)]
    supergraph: PathBuf,
    /// The operation: a file path, or the GraphQL text itself.
    #[arg(long)]
    query: String,
    /// Which operation of the document to plan.
    #[arg(long)]
    operation_name: Option<String>,
    /// Print the plan as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Plan with this progressive-override label on (`@override(label:)`, for
    /// example `percent(25)` or `beta`); repeatable. Labels not given are off,
    /// `percent(N)` ones included (they are not drawn), and a note on stderr
    /// lists them.
    #[arg(long = "override-label", value_name = "LABEL")]
    override_labels: Vec<String>,
}

/// A router allocates and frees many small JSON nodes per request; glibc's malloc
/// showed up high in profiles under load (its consolidation paths), mimalloc does not.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Commits the allocator's arenas as they are used, not eagerly. On Linux
/// mimalloc commits a whole arena up front by default, and under load a
/// router's peak RSS was then a quarter higher (a wide list of 500 entities, 50
/// clients: 41 MB against 31 MB) for the same requests per second.
///
/// mimalloc reads the option when it reserves an arena, which the first
/// allocation does, before `main`; so this runs as an initialiser of priority
/// 100, before mimalloc's own (`constructor(101)`, and `.init_array` entries
/// run by ascending priority) and before anything allocates. The operator's
/// `MIMALLOC_ARENA_EAGER_COMMIT`, when set, is left to decide.
#[cfg(target_os = "linux")]
mod allocator_options {
    use std::ffi::{c_char, c_int, c_long};

    unsafe extern "C" {
        fn getenv(name: *const c_char) -> *const c_char;
        /// mimalloc's C API (the library is linked in for the allocator).
        fn mi_option_set(option: c_int, value: c_long);
    }

    /// `mi_option_arena_eager_commit`: the fifth of mimalloc's options, at
    /// the same place in its v2 and v3 headers.
    const MI_OPTION_ARENA_EAGER_COMMIT: c_int = 4;

    #[used]
    #[unsafe(link_section = ".init_array.00100")]
    static COMMIT_ON_DEMAND: extern "C" fn() = commit_on_demand;

    extern "C" fn commit_on_demand() {
        // SAFETY: `getenv` with a NUL-terminated name, before any thread
        // exists; `mi_option_set` stores a documented value (0, 1 or 2) in
        // mimalloc's option table, touching no heap memory. Neither allocates.
        unsafe {
            if getenv(c"MIMALLOC_ARENA_EAGER_COMMIT".as_ptr()).is_null() {
                mi_option_set(MI_OPTION_ARENA_EAGER_COMMIT, 0);
            }
        }
    }
}

/// Errors end the process with one line on stderr: what failed and why, each
/// cause once, and never a backtrace (a bad config is the operator's input to
/// fix, not a bug to debug, even with `RUST_BACKTRACE` set).
fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(err) => {
            eprintln!("error: {}", describe(&err));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes, skipping a cause whose text the message already
/// holds (many errors repeat their source in their own message).
fn describe(err: &anyhow::Error) -> String {
    let mut message = err.to_string();
    for cause in err.chain().skip(1) {
        let cause = cause.to_string();
        if !message.contains(&cause) {
            message.push_str(": ");
            message.push_str(&cause);
        }
    }
    message
}

fn run() -> anyhow::Result<ExitCode> {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve(args) => serve(args).map(|()| ExitCode::SUCCESS),
        Command::Plan(args) => plan(&args).map(|()| ExitCode::SUCCESS),
        Command::Compose(args) => Ok(runtime()?.block_on(compose_cli::run(args))?),
        Command::ConfigSchema => {
            println!("{}", RouterConfig::json_schema());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The async runtime: one thread per core the process may use (its CPU
/// affinity and cgroup quota count), and, on one core, tokio's single-threaded
/// scheduler. With one core a work-stealing scheduler has no one to steal for:
/// it only adds cross-thread wake-ups (futex calls, atomic wakers) to every
/// request, which showed in profiles of a router pinned to one core. Blocking
/// work (cold planning) still runs on the blocking pool either way.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    let mut builder = if cores == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        tokio::runtime::Builder::new_multi_thread()
    };
    builder
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // Read again by every reload, the flags on top of the file each time.
    let source = ConfigSource::new(
        args.config,
        ConfigOverrides {
            supergraph: args.supergraph,
            listen: args.listen,
            metrics_listen: args.metrics_listen,
        },
    );
    let config = source.load()?;
    runtime()?.block_on(async move {
        // Logs and traces as the config says; the exporter runs on this runtime.
        let telemetry = switchyard::telemetry::install(&config.telemetry)?;
        let router = Router::from_config(config.clone()).await?;
        // Before the router announces it serves: a SIGHUP sent after that
        // announcement reloads.
        let _reload_triggers = Triggers::start(&Reloader::new(router.clone(), source))
            .context("cannot set up hot reload")?;
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let metrics = &config.telemetry.metrics;
        let (stop_metrics, metrics_stopped) = tokio::sync::oneshot::channel::<()>();
        // Metrics are an aid to operating the router, not its job: a metrics
        // address already taken is logged, and GraphQL is served regardless.
        let metrics_listener = match metrics.enabled {
            true => match tokio::net::TcpListener::bind(metrics.listen).await {
                Ok(listener) => Some(listener),
                Err(err) => {
                    tracing::error!(
                        listen = %metrics.listen,
                        %err,
                        "cannot listen for metrics; serving without them"
                    );
                    None
                }
            },
            false => None,
        };
        let metrics_task = if let Some(metrics_listener) = metrics_listener {
            // Logged before the GraphQL line: scripts wait for that one's
            // `address=` as the sign the router is ready.
            tracing::info!(
                url = %format!("http://{}{}", metrics_listener.local_addr()?, metrics.path),
                "switchyard is serving its metrics"
            );
            let router = router.clone();
            Some(tokio::spawn(async move {
                let stopped = async {
                    let _ = metrics_stopped.await;
                };
                if let Err(err) = router.serve_metrics(metrics_listener, stopped).await {
                    tracing::error!(%err, "the metrics listener stopped");
                }
            }))
        } else {
            None
        };
        let shutdown = shutdown_signal()?;
        let address = listener.local_addr()?;
        // Said before the serving line (scripts wait for that one): a newcomer
        // opening the root in a browser should know why nothing is there.
        if router.config().playground.enabled {
            tracing::info!(playground = %format!("http://{address}/"), "the playground is on");
        } else {
            tracing::info!(
                "the playground is off (the default); `playground: {{ enabled: true }}` in the config serves it at /"
            );
        }
        tracing::info!(%address, "switchyard is serving /graphql");
        router.serve(listener, shutdown).await?;
        let _ = stop_metrics.send(());
        if let Some(task) = metrics_task {
            let _ = task.await;
        }
        tracing::info!("switchyard stopped");
        telemetry.shutdown().await;
        anyhow::Ok(())
    })
}

/// Resolves on SIGINT (Ctrl-C) or SIGTERM (what orchestrators send). The handlers
/// are installed when this is called, before the router announces that it serves,
/// so a signal sent right after that announcement is never missed.
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt()).context("cannot handle SIGINT")?;
        let mut terminate = signal(SignalKind::terminate()).context("cannot handle SIGTERM")?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {},
                _ = terminate.recv() => {},
            }
            tracing::info!("shutting down: finishing in-flight requests");
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
            tracing::info!("shutting down: finishing in-flight requests");
        })
    }
}

fn plan(args: &PlanArgs) -> anyhow::Result<()> {
    let sdl = std::fs::read_to_string(&args.supergraph)
        .with_context(|| format!("cannot read {}", args.supergraph.display()))?;
    let query = read_query(&args.query)?;
    let plan_command::PlanOutput {
        plan,
        disabled_labels,
    } = plan_command::plan(
        &sdl,
        &query,
        args.operation_name.as_deref(),
        &args.override_labels,
    )?;
    if !disabled_labels.is_empty() {
        eprintln!(
            "note: planned with these progressive-override labels off: {} (enable one with --override-label LABEL)",
            disabled_labels.join(", ")
        );
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&plan)?);
    } else {
        println!("{plan}");
    }
    Ok(())
}

/// `--query` is a file when such a file exists, else the operation text.
fn read_query(arg: &str) -> anyhow::Result<String> {
    let path = Path::new(arg);
    if path.is_file() {
        return std::fs::read_to_string(path).with_context(|| format!("cannot read {arg}"));
    }
    Ok(arg.to_owned())
}
