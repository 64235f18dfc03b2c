//! sea-orm entities for the tables `inventory-migration` creates. Timestamps are
//! `BIGINT` Unix milliseconds ([`crate::clock`]), so expiry checks compare integers
//! on both backends.

pub mod reservation;
pub mod reservation_item;
pub mod stock;
