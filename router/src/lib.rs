//! Switchyard: a GraphQL Federation v2 router.
//!
//! This crate is the serving half: configuration, the HTTP server (GraphQL over
//! HTTP, CORS, CSRF prevention, limits), the subgraph HTTP client and the plan
//! cache. Planning lives in `switchyard-planner` (pure, no I/O), execution in
//! `switchyard-executor`, composition in `switchyard-composition`.

pub mod config;
pub mod limits;
pub mod plan_cache;
pub mod server;
