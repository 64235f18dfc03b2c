//! A row of `reservations`: the stock held for one order (`order_id` is unique,
//! which is what makes reserving idempotent per order).

use sea_orm::entity::prelude::*;

use crate::status::ReservationStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reservations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    #[sea_orm(unique)]
    pub order_id: String,
    pub status: ReservationStatus,
    /// Unix milliseconds; only meaningful while `ACTIVE`.
    pub expires_at: i64,
    /// Unix milliseconds.
    pub created_at: i64,
    /// Unix milliseconds.
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::reservation_item::Entity")]
    Items,
}

impl Related<super::reservation_item::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Items.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
