//! The router's federation test corpus.
//!
//! A corpus case is a folder of subgraph SDLs, the supergraph a reference composer
//! made of them, JSON data per subgraph, operations and the responses the GraphQL
//! and federation specs say they must get. This crate serves the data through
//! generic mock subgraphs ([`MockSubgraph`]) that execute any operation against
//! the data and record every request, and loads cases ([`Case`]) for the runner in
//! `tests/corpus.rs` and for the `corpus-mocks` binary used by `tests/gateway-diff`.

pub mod args;
pub mod case;
pub mod compare;
pub mod data;
pub mod error;
pub mod execute;
pub mod plan_check;
pub mod schema_info;
pub mod server;
pub mod subgraph_validation;
pub mod supergraph;

pub use case::{Case, Operation};
pub use compare::compare_response;
pub use data::{Behaviour, FailMode, SubgraphData};
pub use error::CorpusError;
pub use execute::{GraphQLRequest, execute};
pub use plan_check::{PlanChecker, Violation};
pub use schema_info::SchemaInfo;
pub use server::{MockSubgraph, RecordedRequest};
