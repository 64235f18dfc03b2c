//! A row of `products`, for sea-orm's query builder. The search columns
//! (SQLite's `seq` rowid alias for the FTS index, PostgreSQL's generated
//! `search` vector) are not here: only the search query uses them, in SQL of
//! its own per backend.

use sea_orm::entity::prelude::*;

use crate::model::{Money, Product};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "products")]
pub struct Model {
    /// Unique on both backends (SQLite's primary key is `seq`).
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: String,
    pub sku: String,
    pub name: String,
    pub description: String,
    pub price_cents: i64,
    pub currency: String,
    pub weight_grams: i32,
    pub category: String,
    /// Unix milliseconds.
    pub created_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl TryFrom<Model> for Product {
    type Error = DbErr;

    fn try_from(row: Model) -> Result<Self, DbErr> {
        let amount_cents = i32::try_from(row.price_cents).map_err(|_| {
            DbErr::Custom(format!(
                "price {} does not fit a GraphQL Int",
                row.price_cents
            ))
        })?;
        Ok(Product {
            id: row.id.into(),
            sku: row.sku,
            name: row.name,
            description: row.description,
            price: Money {
                amount_cents,
                currency: row.currency,
            },
            weight_grams: row.weight_grams,
            category: row.category,
        })
    }
}
