//! sea-orm entities for the tables `orders-migration` creates.

pub mod order;
pub mod order_item;
pub mod saga;
pub mod status_change;
