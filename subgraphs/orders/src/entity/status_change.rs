//! A row of `order_status_changes`: an order entered `status` at `at` (with why,
//! when there is something to say, e.g. the product that was out of stock).

use sea_orm::entity::prelude::*;

use crate::status::OrderStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "order_status_changes")]
pub struct Model {
    /// UUID v7: ordering by id is ordering by time.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub order_id: String,
    pub status: OrderStatus,
    pub reason: Option<String>,
    pub at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
