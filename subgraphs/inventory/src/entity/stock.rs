//! A row of `stock`: the units of one product on the shelf and sold. Both counts
//! have a `CHECK (>= 0)` in the table, the last line of defence against overselling.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "stock")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_id: String,
    /// Units that can still be reserved.
    pub available: i64,
    /// Units of committed reservations.
    pub sold: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
