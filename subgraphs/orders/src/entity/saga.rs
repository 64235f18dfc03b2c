//! A row of `checkout_sagas`: where one order's checkout stands. `step` is the last
//! step that completed ([`crate::saga::Step`]); `state` says whether the saga still
//! runs, completed, or was compensated.

use sea_orm::entity::prelude::*;

use crate::saga::{SagaState, Step};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "checkout_sagas")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub order_id: String,
    pub user_id: String,
    pub idempotency_key: String,
    pub step: Step,
    pub state: SagaState,
    pub reservation_id: Option<String>,
    pub payment_id: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
