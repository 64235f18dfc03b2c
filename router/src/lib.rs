//! Switchyard: a GraphQL Federation v2 router.
//!
//! This crate is the serving half: configuration, the HTTP server (GraphQL over
//! HTTP, CORS, CSRF prevention, limits), the subgraph HTTP client and the plan
//! cache. Planning lives in `switchyard-planner` (pure, no I/O), execution in
//! `switchyard-executor`, composition in `switchyard-composition`.
//!
//! Run it in-process with [`Router::from_supergraph_sdl`] (or
//! [`Router::from_config`]) and [`Router::serve`]; reload it with
//! [`Router::reload`] or a [`reload::Reloader`].

pub mod authentication;
pub mod authorization;
pub mod compose_cli;
pub mod config;
pub(crate) mod demand_control;
pub mod header_rules;
pub(crate) mod incremental;
pub mod limits;
pub mod operation;
pub mod persisted;
pub(crate) mod pipeline;
pub mod plan_cache;
pub mod plan_command;
pub(crate) mod query_planning;
pub mod reload;
pub mod response_headers;
pub mod router;
pub mod server;
pub mod subgraph_client;
pub(crate) mod subscriptions;
pub mod supergraph_source;
pub mod telemetry;

pub use config::RouterConfig;
pub use router::{Router, RouterError};
