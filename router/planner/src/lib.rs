//! The pure half of Switchyard: reading a supergraph, deriving the API schema that
//! clients see, and planning operations into fetches across subgraphs.
//!
//! Nothing in this crate does I/O or is async, so every phase can be run, printed
//! and snapshot-tested on its own (`switchyard plan` prints a plan).

pub mod authorization;
pub mod defer;
pub mod plan;
mod plan_display;
pub mod planner;
pub mod supergraph;

pub use plan_display::format_path;
pub use planner::{PlanError, PlanOptions, PlannerConfig, QueryPlanner};
pub use supergraph::{Supergraph, SupergraphError};
