//! A row of `payments`: one charge attempt, approved or declined. Card data is only
//! brand and last four digits.

use sea_orm::entity::prelude::*;

use crate::status::StoredStatus;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub order_id: String,
    /// Who paid: the signed-in user of `processPayment`.
    pub user_id: String,
    pub amount_cents: i64,
    pub currency: String,
    pub status: StoredStatus,
    pub decline_reason: Option<String>,
    pub card_brand: String,
    pub card_last4: String,
    /// Unique: a retried request finds this row instead of charging again.
    pub idempotency_key: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::refund::Entity")]
    Refunds,
}

impl Related<super::refund::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Refunds.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
