//! Reading the catalog: by id, a page in id order, and ranked full-text search.

use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, QueryResult, Value};

use crate::model::{Money, Product};
use crate::search_query;
use shop_common::db::statement;

const COLUMNS: &str = "p.id, p.sku, p.name, p.description, p.price_cents, p.currency, \
                       p.weight_grams, p.category";

/// The catalog, over one database connection pool.
#[derive(Clone)]
pub struct ProductStore {
    db: DatabaseConnection,
}

/// One page of products plus whether more follow.
pub struct Page {
    pub products: Vec<Product>,
    pub has_next_page: bool,
    pub total_count: i64,
}

impl ProductStore {
    pub fn new(db: DatabaseConnection) -> Self {
        Self { db }
    }

    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    fn backend(&self) -> DbBackend {
        self.db.get_database_backend()
    }

    /// The products with these ids (those that exist), in no particular order.
    pub async fn get_many(&self, ids: &[String]) -> Result<Vec<Product>, DbErr> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let placeholders = vec!["?"; ids.len()].join(", ");
        let values: Vec<Value> = ids.iter().map(|id| id.as_str().into()).collect();
        let rows = self
            .db
            .query_all_raw(statement(
                self.backend(),
                &format!("SELECT {COLUMNS} FROM products p WHERE p.id IN ({placeholders})"),
                values,
            ))
            .await?;
        rows.iter().map(product_from_row).collect()
    }

    /// Up to `first` products after the one with id `after`, in id order,
    /// optionally of one category.
    pub async fn page(
        &self,
        first: u64,
        after: Option<&str>,
        category: Option<&str>,
    ) -> Result<Page, DbErr> {
        let mut filters = Vec::new();
        let mut values: Vec<Value> = Vec::new();
        if let Some(category) = category {
            filters.push("p.category = ?");
            values.push(category.into());
        }
        let count_where = where_clause(&filters);
        let count_values = values.clone();
        if let Some(after) = after {
            filters.push("p.id > ?");
            values.push(after.into());
        }
        let page_where = where_clause(&filters);
        // One extra row tells whether another page follows.
        values.push(Value::BigInt(Some(first as i64 + 1)));
        let page_sql =
            format!("SELECT {COLUMNS} FROM products p{page_where} ORDER BY p.id LIMIT ?");
        let rows = self
            .db
            .query_all_raw(statement(self.backend(), &page_sql, values))
            .await?;
        let mut products = rows
            .iter()
            .map(product_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let has_next_page = products.len() as u64 > first;
        products.truncate(first as usize);

        let count_sql = format!("SELECT COUNT(*) AS n FROM products p{count_where}");
        let total_count = match self
            .db
            .query_one_raw(statement(self.backend(), &count_sql, count_values))
            .await?
        {
            Some(row) => row.try_get::<i64>("", "n")?,
            None => 0,
        };
        Ok(Page {
            products,
            has_next_page,
            total_count,
        })
    }

    /// Products matching every word of `input`, best first: a match in the name
    /// weighs more than one in the description.
    pub async fn search(&self, input: &str, first: u64) -> Result<Vec<Product>, DbErr> {
        let terms = search_query::terms(input);
        let (Some(fts5), Some(tsquery)) = (
            search_query::fts5_match(&terms),
            search_query::tsquery(&terms),
        ) else {
            return Ok(Vec::new());
        };
        let limit = Value::BigInt(Some(first as i64));
        let stmt = match self.backend() {
            DbBackend::Postgres => statement(
                DbBackend::Postgres,
                &format!(
                    "SELECT {COLUMNS} FROM products p, to_tsquery('english', ?) q \
                     WHERE p.search @@ q ORDER BY ts_rank(p.search, q) DESC, p.id LIMIT ?"
                ),
                [tsquery.into(), limit],
            ),
            backend => statement(
                backend,
                &format!(
                    "SELECT {COLUMNS} FROM products_fts f JOIN products p ON p.seq = f.rowid \
                     WHERE products_fts MATCH ? \
                     ORDER BY bm25(products_fts, 10.0, 1.0), p.id LIMIT ?"
                ),
                [fts5.into(), limit],
            ),
        };
        let rows = self.db.query_all_raw(stmt).await?;
        rows.iter().map(product_from_row).collect()
    }
}

fn where_clause(filters: &[&str]) -> String {
    if filters.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", filters.join(" AND "))
    }
}

fn product_from_row(row: &QueryResult) -> Result<Product, DbErr> {
    let price_cents: i64 = row.try_get("", "price_cents")?;
    let amount_cents = i32::try_from(price_cents)
        .map_err(|_| DbErr::Custom(format!("price {price_cents} does not fit a GraphQL Int")))?;
    Ok(Product {
        id: row.try_get::<String>("", "id")?.into(),
        sku: row.try_get("", "sku")?,
        name: row.try_get("", "name")?,
        description: row.try_get("", "description")?,
        price: Money {
            amount_cents,
            currency: row.try_get("", "currency")?,
        },
        weight_grams: row.try_get("", "weight_grams")?,
        category: row.try_get("", "category")?,
    })
}
