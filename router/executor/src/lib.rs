//! Executes Switchyard query plans.
//!
//! The planner (`switchyard-planner`) turns a client operation into a [`QueryPlan`]:
//! a tree of fetches against subgraphs. This crate runs that tree and builds the
//! client's GraphQL response:
//!
//! 1. [`Executor::prepare`] picks the operation (`operationName`) and coerces the
//!    request's variables (defaults, type checks); failures are request errors (HTTP
//!    400, no `data`).
//! 2. [`Executor::execute`] runs the plan: root fetches with only the variables they
//!    use, `_entities` fetches with deduplicated representations gathered along
//!    `Flatten` paths, batched `_entities` fetches as one request (each part's
//!    representations under its own variable, its `_N` results and errors routed
//!    back to its objects), `Parallel` branches concurrently, `Sequence` in order,
//!    `Condition` by variable; results are deep-merged into one tree.
//! 3. The tree is shaped from the client operation: selection order, aliases,
//!    fragments, `@skip`/`@include`, `__typename`, leaf value checks and null
//!    propagation; root `__schema`/`__type` come from the API schema.
//!
//! 4. [`Executor::execute_incremental`] does the same for a plan with `@defer`,
//!    sending the response in parts as they complete ([`IncrementalPart`]).
//!
//! Transport is not here: the server implements [`SubgraphFetcher`] (HTTP, pooling,
//! timeouts, in-flight dedup). The executor never spawns tasks; concurrency is
//! futures polled together, so it runs on whatever runtime drives it.
//!
//! [`QueryPlan`]: switchyard_planner::plan::QueryPlan

mod context;
mod entity;
mod error;
mod executor;
mod fetch;
mod fetch_errors;
mod fetcher;
mod incremental;
mod json_writer;
mod merge;
mod path;
mod request;
mod response;
mod rewrite;
mod run;
mod shape;
mod types;
mod unresolvable;
mod value;

pub use error::{FetchError, GraphQLError, Location, PathSegment, RequestError};
pub use executor::{ExecutionOptions, Executor};
pub use fetcher::{Fetched, SubgraphFetcher, SubgraphRequest, SubgraphResponse, Variables};
pub use incremental::{IncrementalPart, IncrementalResult};
pub use request::{PreparedOperation, prepare};
pub use response::{ExecutionOutcome, FetchTrace, Response, ResponseData};
pub use value::{Object, Str, Value};
