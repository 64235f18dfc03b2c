//! sea-orm entities for the tables `orders-migration` creates.

pub mod order;
pub mod order_item;
