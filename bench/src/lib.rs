//! The federation gateways benchmark (The Guild's workload), in the repository.
//!
//! - Four subgraphs (`accounts`, `products`, `inventory`, `reviews`) answering from
//!   memory, served by `bench-subgraphs` ([`subgraphs::BoundSubgraphs`]).
//! - Their composed supergraph, the workload query and the expected response, as
//!   committed files ([`SUPERGRAPH`], [`WORKLOAD`], [`EXPECTED_RESPONSE`]).
//! - `bench-load`: a closed-loop load harness that runs the workloads
//!   ([`workloads`]) against Switchyard, Hive Router, Hive Gateway and Apollo
//!   Gateway and writes markdown tables.
//! - Criterion benches of the planner and the executor (`benches/`).

pub mod accounts;
pub mod compose;
pub mod data;
pub mod inventory;
pub mod memo;
pub mod products;
pub mod reviews;
pub mod subgraphs;
pub mod synthetic;
pub mod workloads;

/// The composed supergraph; routing URLs point at the default ports of
/// `bench-subgraphs` on 127.0.0.1.
pub const SUPERGRAPH: &str = include_str!("../supergraph.graphql");

/// The Guild's workload (`deep` among [`workloads::Workload`]).
pub const WORKLOAD: &str = include_str!("../workload.graphql");

/// The response every gateway must return for [`WORKLOAD`].
pub const EXPECTED_RESPONSE: &str = include_str!("../expected-response.json");
