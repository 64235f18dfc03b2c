//! Hot reload of the supergraph and the config while serving.
//!
//! A reload reads the config again (its file, with the command line's
//! overrides: [`ConfigSource`]) and the supergraph (its file, or the subgraphs
//! composed again), builds a complete new router state, plans the most recently
//! used operations against it, and only then swaps it in, atomically
//! ([`Router::reload`], in [`swap`]). Anything that fails on the way keeps the
//! running schema and config, logs why at error level and counts
//! `switchyard_schema_reloads_total{outcome="failure"}`. Requests in flight
//! finish on the state they started with (each request holds its snapshot).
//!
//! Every trigger goes through [`Reloader`], and so through that one function:
//! - a file change ([`watch`]): the config file, the `supergraph` file, the
//!   subgraphs' `schema` files (`reload.watch`);
//! - `SIGHUP` ([`signal`], `switchyard serve`);
//! - in compose mode, polling the subgraphs' `_service { sdl }` ([`poll`],
//!   `reload.poll_interval_secs`);
//! - a call of [`Reloader::reload`] or [`Router::reload`] in-process.

pub mod poll;
pub mod signal;
mod swap;
mod warm_up;
pub mod watch;

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::{ConfigError, RouterConfig};
use crate::router::{Router, RouterError};
use crate::supergraph_source::SupergraphSourceError;

/// Why a reload kept the running schema and config.
#[derive(Debug, thiserror::Error)]
pub enum ReloadError {
    /// The config could not be read or checked, the supergraph could not be
    /// read, composed or validated, or the router state could not be built.
    #[error(transparent)]
    Router(#[from] RouterError),
    /// The new supergraph validates the operations listed but cannot plan them
    /// (the running one does): serving it would fail those requests.
    #[error(
        "the new supergraph cannot plan {} operation(s) that the running one plans:\n{}",
        .0.len(),
        .0.join("\n")
    )]
    Unplannable(Vec<String>),
    /// Building the new state panicked (a bug); the panic is in the log.
    #[error("building the new router state failed: {0}")]
    Internal(String),
}

impl From<ConfigError> for ReloadError {
    fn from(error: ConfigError) -> Self {
        ReloadError::Router(error.into())
    }
}

impl From<SupergraphSourceError> for ReloadError {
    fn from(error: SupergraphSourceError) -> Self {
        ReloadError::Router(error.into())
    }
}

/// What a reload that did not fail did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reloaded {
    /// The new supergraph and config are served from now on.
    Applied {
        /// SHA-256 (hex) of the supergraph SDL now served.
        schema_hash: String,
        /// Operations planned against the new schema before it was served.
        warmed_up: usize,
        /// Cached operations that the new schema no longer validates (their
        /// clients now get validation errors).
        no_longer_valid: usize,
    },
    /// The supergraph SDL and the config are the ones served: nothing was
    /// swapped and nothing counted.
    Unchanged,
}

/// What asked for a reload (logged with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A call in-process.
    Api,
    /// A watched file changed.
    FileChange,
    /// `SIGHUP`.
    Signal,
    /// The compose-mode poll of the subgraphs.
    Poll,
}

impl std::fmt::Display for Trigger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Trigger::Api => "api",
            Trigger::FileChange => "file_change",
            Trigger::Signal => "sighup",
            Trigger::Poll => "poll",
        })
    }
}

/// Command-line flags that win over the config file, at start and at every
/// reload.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConfigOverrides {
    /// `--supergraph`: this file instead of the config's `supergraph` or
    /// `subgraphs`.
    pub supergraph: Option<PathBuf>,
    /// `--listen`.
    pub listen: Option<SocketAddr>,
    /// `--metrics-listen`.
    pub metrics_listen: Option<SocketAddr>,
}

impl ConfigOverrides {
    pub fn apply(&self, config: &mut RouterConfig) {
        if let Some(supergraph) = &self.supergraph {
            config.supergraph = Some(supergraph.clone());
            config.subgraphs.clear();
        }
        if let Some(listen) = self.listen {
            config.listen = listen;
        }
        if let Some(listen) = self.metrics_listen {
            config.telemetry.metrics.listen = listen;
        }
    }
}

/// Where the config comes from, read again by every reload.
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigSource {
    /// A config given whole (in-process, or `switchyard serve` without
    /// `--config`): a reload keeps it and reads the supergraph it names again.
    Fixed(Box<RouterConfig>),
    /// A YAML file, read again by every reload, then the overrides.
    File {
        path: PathBuf,
        overrides: ConfigOverrides,
    },
}

impl ConfigSource {
    /// A config given whole.
    pub fn fixed(config: RouterConfig) -> Self {
        ConfigSource::Fixed(Box::new(config))
    }

    /// The file when one is given, else the defaults; the overrides on top.
    pub fn new(file: Option<PathBuf>, overrides: ConfigOverrides) -> Self {
        match file {
            Some(path) => ConfigSource::File { path, overrides },
            None => {
                let mut config = RouterConfig::default();
                overrides.apply(&mut config);
                ConfigSource::Fixed(Box::new(config))
            }
        }
    }

    /// Reads and checks the config.
    pub fn load(&self) -> Result<RouterConfig, ConfigError> {
        let config = match self {
            ConfigSource::Fixed(config) => RouterConfig::clone(config),
            ConfigSource::File { path, overrides } => {
                let mut config = RouterConfig::load(path)?;
                overrides.apply(&mut config);
                config
            }
        };
        config.check()?;
        Ok(config)
    }

    /// The config file, when there is one.
    pub fn file(&self) -> Option<&std::path::Path> {
        match self {
            ConfigSource::Fixed(_) => None,
            ConfigSource::File { path, .. } => Some(path),
        }
    }
}

/// Reloads a router from its config source: what every trigger calls.
/// Cheap to clone.
#[derive(Clone)]
pub struct Reloader {
    router: Router,
    source: Arc<ConfigSource>,
}

impl Reloader {
    pub fn new(router: Router, source: ConfigSource) -> Self {
        Reloader {
            router,
            source: Arc::new(source),
        }
    }

    pub fn router(&self) -> &Router {
        &self.router
    }

    pub fn source(&self) -> &ConfigSource {
        &self.source
    }

    /// Reads the config and the supergraph again and reloads (see
    /// [`Router::reload`]).
    pub async fn reload(&self, trigger: Trigger) -> Result<Reloaded, ReloadError> {
        let source = self.source.clone();
        self.router
            .reload_as(trigger, async move { source.load() }, None)
            .await
    }

    /// Composes the subgraphs again with the config served now (the config
    /// file is not read: that is for a file change or `SIGHUP`), and reloads
    /// when the result differs.
    pub async fn recompose(&self) -> Result<Reloaded, ReloadError> {
        let config = RouterConfig::clone(&self.router.config());
        self.router
            .reload_as(Trigger::Poll, async move { Ok(config) }, None)
            .await
    }
}

/// The reload triggers of `switchyard serve`, running until dropped.
pub struct Triggers {
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Triggers {
    /// Starts every trigger: the file watch (when `reload.watch` is on at
    /// start), the compose-mode poll and `SIGHUP` (on Unix). Fails only when
    /// the `SIGHUP` handler cannot be installed; a file watch that cannot be
    /// set up is logged, and the router serves without it.
    pub fn start(reloader: &Reloader) -> std::io::Result<Self> {
        let mut tasks = Vec::new();
        #[cfg(unix)]
        tasks.push(signal::on_sighup(reloader.clone())?);
        if reloader.router().config().reload.watch {
            match watch::watch_files(reloader.clone()) {
                Ok(task) => tasks.push(task),
                Err(error) => tracing::error!(
                    %error,
                    "cannot watch the config and supergraph files; reload with SIGHUP instead"
                ),
            }
        }
        tasks.push(poll::poll_subgraphs(reloader.clone()));
        Ok(Triggers { tasks })
    }
}

impl Drop for Triggers {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}
