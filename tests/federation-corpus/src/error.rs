//! Errors of the corpus tooling: reading cases and data, starting mocks.

/// Everything that can go wrong loading or serving a corpus case.
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("invalid subgraph data: {0}")]
    Data(String),
    #[error("cannot read {path}: {source}")]
    Read {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error("invalid case {case}: {message}")]
    Case { case: String, message: String },
    #[error("cannot start mock subgraph {name}: {source}")]
    Bind {
        name: String,
        source: std::io::Error,
    },
}
