//! A row of `reservation_items`: the units of one product a reservation holds
//! (one row per product: lines for the same product are merged before insert).

use sea_orm::entity::prelude::*;

use crate::model::ReservationItem;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reservation_items")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub reservation_id: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub product_id: String,
    pub quantity: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(
        belongs_to = "super::reservation::Entity",
        from = "Column::ReservationId",
        to = "super::reservation::Column::Id",
        on_delete = "Cascade"
    )]
    Reservation,
}

impl Related<super::reservation::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Reservation.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

impl From<Model> for ReservationItem {
    fn from(row: Model) -> Self {
        ReservationItem {
            product_id: row.product_id.into(),
            // Quantities are inserted from `i32` inputs (merged, then checked to fit).
            quantity: i32::try_from(row.quantity).unwrap_or(i32::MAX),
        }
    }
}
