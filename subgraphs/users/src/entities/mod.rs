//! sea-orm entities for the tables the users migrations create.

pub mod signing_key;
pub mod user;
