//! Reloading when a file the router reads changes: the config file, the
//! `supergraph` file, and the subgraphs' `schema` files (compose mode).
//!
//! The directories holding them are watched, not the files: an editor or a
//! deployment tool often replaces a file by writing another and renaming it
//! over (a watch on the file itself would follow the old one), and Kubernetes
//! swaps a mounted ConfigMap by renaming a `..data` link in its directory.
//! Editors also write in several steps, so events are debounced: the reload
//! starts once the directory has been quiet for [`QUIET_PERIOD`]. A reload
//! that finds nothing changed (an unrelated edit) does nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use notify::{EventKind, RecursiveMode, Watcher};
use tokio::sync::mpsc;

use super::{Reloader, Trigger};
use crate::config::RouterConfig;

/// How long the watched files must stay untouched before a reload starts.
pub const QUIET_PERIOD: Duration = Duration::from_millis(300);

/// Why the files cannot be watched.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    /// No watcher (on Linux: the inotify instances of the user are used up).
    #[error("cannot start a file watcher: {0}")]
    Start(notify::Error),
    #[error("cannot watch {}: {source}", path.display())]
    Directory {
        path: PathBuf,
        source: notify::Error,
    },
}

/// Watches the files `reloader`'s config names (and the config file) and
/// reloads when one changes, until the returned task is aborted. After each
/// reload the set of files follows the config served (a reloaded config may
/// name another supergraph file).
pub fn watch_files(reloader: Reloader) -> Result<tokio::task::JoinHandle<()>, WatchError> {
    let (events, mut changes) = mpsc::unbounded_channel::<()>();
    let mut watched = Watched::new(&reloader);
    // Read by the watcher's thread, replaced when a reload changes the files.
    let relevant = Arc::new(RwLock::new(watched.files.clone()));
    let seen = relevant.clone();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        // Opening or reading a file (the reload itself does) changes nothing.
        if matches!(event.kind, EventKind::Access(_)) {
            return;
        }
        let files = seen.read().unwrap_or_else(|poisoned| poisoned.into_inner());
        if event.paths.iter().any(|path| concerns(&files, path)) {
            // The receiver is gone only when the task ended.
            let _ = events.send(());
        }
    })
    .map_err(WatchError::Start)?;
    watched.watch_new_directories(&mut watcher)?;
    Ok(tokio::spawn(async move {
        // Moved in: the watcher lives as long as this task.
        let mut watcher = watcher;
        while changes.recv().await.is_some() {
            // Debounce: wait until no event came for the quiet period.
            loop {
                match tokio::time::timeout(QUIET_PERIOD, changes.recv()).await {
                    Ok(Some(())) => continue,
                    Ok(None) => return,
                    Err(_quiet) => break,
                }
            }
            // Errors are logged and counted by the reload itself.
            let _ = reloader.reload(Trigger::FileChange).await;
            watched.files = Watched::files_of(&reloader);
            *relevant
                .write()
                .unwrap_or_else(|poisoned| poisoned.into_inner()) = watched.files.clone();
            if let Err(error) = watched.watch_new_directories(&mut watcher) {
                tracing::error!(%error, "cannot watch a file the reloaded config names");
            }
        }
    }))
}

/// The files whose change reloads, and the directories watched for them.
struct Watched {
    files: BTreeSet<PathBuf>,
    directories: BTreeSet<PathBuf>,
}

impl Watched {
    fn new(reloader: &Reloader) -> Self {
        Watched {
            files: Self::files_of(reloader),
            directories: BTreeSet::new(),
        }
    }

    /// The config file, and the files the config served names.
    fn files_of(reloader: &Reloader) -> BTreeSet<PathBuf> {
        let config = reloader.router().config();
        reloader
            .source()
            .file()
            .map(Path::to_path_buf)
            .into_iter()
            .chain(files_read(&config))
            .map(|file| absolute(&file))
            .collect()
    }

    /// Watches the directory of every file not yet watched (a directory stays
    /// watched when its files leave the config: its events are then ignored).
    fn watch_new_directories(&mut self, watcher: &mut impl Watcher) -> Result<(), WatchError> {
        for file in &self.files {
            let Some(directory) = file.parent() else {
                continue;
            };
            if self.directories.contains(directory) {
                continue;
            }
            watcher
                .watch(directory, RecursiveMode::NonRecursive)
                .map_err(|source| WatchError::Directory {
                    path: directory.to_owned(),
                    source,
                })?;
            self.directories.insert(directory.to_owned());
        }
        Ok(())
    }
}

/// The files a reload reads besides the config file: the supergraph, or the
/// subgraphs' SDL files.
pub fn files_read(config: &RouterConfig) -> Vec<PathBuf> {
    config
        .supergraph
        .iter()
        .cloned()
        .chain(
            config
                .subgraphs
                .iter()
                .filter_map(|subgraph| subgraph.schema.clone()),
        )
        .collect()
}

/// Whether an event on `path` may have changed one of `files`: it is one of
/// them, or a `..name` entry of their directory (Kubernetes' atomic writer
/// swaps the `..data` link the files point through).
fn concerns(files: &BTreeSet<PathBuf>, path: &Path) -> bool {
    let path = absolute(path);
    if files.contains(&path) {
        return true;
    }
    let swapped_link = path
        .file_name()
        .and_then(|name| name.to_str())
        .is_some_and(|name| name.starts_with(".."));
    swapped_link && files.iter().any(|file| file.parent() == path.parent())
}

/// `path` made absolute against the working directory (not resolved: the
/// events name the path as it is in its directory, links included).
fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_concern_the_files_and_swapped_links_beside_them() {
        let files: BTreeSet<PathBuf> = [PathBuf::from("/etc/router/supergraph.graphql")].into();
        assert!(concerns(
            &files,
            Path::new("/etc/router/supergraph.graphql")
        ));
        assert!(concerns(&files, Path::new("/etc/router/..data")));
        assert!(concerns(&files, Path::new("/etc/router/..2024_01_01")));
        assert!(!concerns(&files, Path::new("/etc/router/other.graphql")));
        assert!(!concerns(&files, Path::new("/etc/..data")));
        assert!(!concerns(
            &files,
            Path::new("/etc/router/supergraph.graphql.swp")
        ));
    }

    #[test]
    fn the_files_read_are_the_supergraph_or_the_subgraph_schemas() {
        let mut config = RouterConfig::default();
        assert!(files_read(&config).is_empty());
        config.supergraph = Some("/a/supergraph.graphql".into());
        assert_eq!(
            files_read(&config),
            [PathBuf::from("/a/supergraph.graphql")]
        );
        config.supergraph = None;
        config.subgraphs = vec![
            crate::config::SubgraphConfig {
                name: "a".into(),
                routing_url: "http://a/graphql".into(),
                schema: Some("/a/a.graphql".into()),
            },
            crate::config::SubgraphConfig {
                name: "b".into(),
                routing_url: "http://b/graphql".into(),
                schema: None,
            },
        ];
        assert_eq!(files_read(&config), [PathBuf::from("/a/a.graphql")]);
    }
}
