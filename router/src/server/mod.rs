//! The HTTP face of the router.

pub mod csrf;
pub mod graphql_request;
pub mod negotiation;
