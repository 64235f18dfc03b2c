//! Reading the catalog: by id, a page in id order (sea-orm's query builder),
//! and ranked full-text search (SQL of its own per backend: FTS5 on SQLite,
//! `tsvector` on PostgreSQL, which no query builder speaks).

use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbBackend, DbErr, EntityTrait,
    FromQueryResult, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select, Statement,
    Value,
};

use crate::entity::{self, Column, Entity};
use crate::model::Product;
use crate::search_query;

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

    /// The products with these ids (those that exist), in no particular order:
    /// one statement however many ids.
    pub async fn get_many(&self, ids: &[String]) -> Result<Vec<Product>, DbErr> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let rows = Entity::find()
            .filter(Column::Id.is_in(ids.iter().map(String::as_str)))
            .all(&self.db)
            .await?;
        rows.into_iter().map(Product::try_from).collect()
    }

    /// Up to `first` products after the one with id `after`, in id order,
    /// optionally of one category.
    pub async fn page(
        &self,
        first: u64,
        after: Option<&str>,
        category: Option<&str>,
    ) -> Result<Page, DbErr> {
        let in_category = |query: Select<Entity>| match category {
            Some(category) => query.filter(Column::Category.eq(category)),
            None => query,
        };
        let mut page = in_category(Entity::find());
        if let Some(after) = after {
            page = page.filter(Column::Id.gt(after));
        }
        // One extra row tells whether another page follows.
        let mut products = page
            .order_by_asc(Column::Id)
            .limit(first + 1)
            .all(&self.db)
            .await?
            .into_iter()
            .map(Product::try_from)
            .collect::<Result<Vec<_>, _>>()?;
        let has_next_page = products.len() as u64 > first;
        products.truncate(first as usize);
        let total_count = in_category(Entity::find()).count(&self.db).await?;
        Ok(Page {
            products,
            has_next_page,
            total_count: i64::try_from(total_count).unwrap_or(i64::MAX),
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
            DbBackend::Postgres => Statement::from_sql_and_values(
                DbBackend::Postgres,
                format!(
                    "SELECT {COLUMNS} FROM products p, to_tsquery('english', $1) q \
                     WHERE p.search @@ q ORDER BY ts_rank(p.search, q) DESC, p.id LIMIT $2"
                ),
                [tsquery.into(), limit],
            ),
            backend => Statement::from_sql_and_values(
                backend,
                format!(
                    "SELECT {COLUMNS} FROM products_fts f JOIN products p ON p.seq = f.rowid \
                     WHERE products_fts MATCH ? \
                     ORDER BY bm25(products_fts, 10.0, 1.0), p.id LIMIT ?"
                ),
                [fts5.into(), limit],
            ),
        };
        let rows = self.db.query_all_raw(stmt).await?;
        rows.iter()
            .map(|row| entity::Model::from_query_result(row, "").and_then(Product::try_from))
            .collect()
    }
}

/// The columns of [`entity::Model`], for the search query's own SQL.
const COLUMNS: &str = "p.id, p.sku, p.name, p.description, p.price_cents, p.currency, \
                       p.weight_grams, p.category, p.created_at";
