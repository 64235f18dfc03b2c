//! sea-orm entities for the tables `payments-migration` creates.

pub mod payment;
pub mod refund;
