//! The root `Query`: one product, a page of products, search, and the entity
//! resolver the router calls with `_entities`.

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result};
use shop_common::coded_error;
use shop_common::errors::internal_error;

use crate::cursor;
use crate::loader::ProductLoader;
use crate::model::{PageInfo, Product, ProductConnection, ProductEdge};
use crate::search_query::MAX_QUERY_CHARS;
use crate::store::ProductStore;

/// Largest page `products` and `searchProducts` return.
pub const MAX_PAGE_SIZE: i32 = 100;
/// `first` of `products` when omitted or null.
const DEFAULT_PAGE_SIZE: i32 = 20;
/// `first` of `searchProducts` when omitted or null.
const DEFAULT_SEARCH_SIZE: i32 = 10;

pub struct Query;

#[Object]
impl Query {
    /// The product with this id, or null.
    async fn product(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
        load(ctx, id).await
    }

    /// Products in a stable order, a page at a time (`first` at most 100).
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 20)] first: Option<i32>,
        after: Option<String>,
        category: Option<String>,
    ) -> Result<ProductConnection> {
        let first = page_size(first.unwrap_or(DEFAULT_PAGE_SIZE), "first")?;
        let after = match after {
            Some(token) => Some(cursor::decode(&token).ok_or_else(|| {
                coded_error(
                    "BAD_USER_INPUT",
                    "`after` is not a cursor this service issued",
                )
            })?),
            None => None,
        };
        let page = store(ctx)?
            .page(first, after.as_deref(), category.as_deref())
            .await
            .map_err(|e| internal_error("listing products", e))?;
        let edges: Vec<ProductEdge> = page
            .products
            .into_iter()
            .map(|node| ProductEdge {
                cursor: cursor::encode(&node.id),
                node,
            })
            .collect();
        Ok(ProductConnection {
            page_info: PageInfo {
                has_next_page: page.has_next_page,
                end_cursor: edges.last().map(|edge| edge.cursor.clone()),
            },
            edges,
            total_count: i32::try_from(page.total_count).unwrap_or(i32::MAX),
        })
    }

    /// Products matching every word of `query`, best match first; a match in the
    /// name ranks above one in the description. The last word matches as a
    /// prefix, for search as you type (`lapt` finds laptops). Any text is
    /// accepted: quotes and operators are treated as plain characters.
    async fn search_products(
        &self,
        ctx: &Context<'_>,
        query: String,
        #[graphql(default = 10)] first: Option<i32>,
    ) -> Result<Vec<Product>> {
        let first = page_size(first.unwrap_or(DEFAULT_SEARCH_SIZE), "first")?;
        if query.chars().count() > MAX_QUERY_CHARS {
            return Err(coded_error(
                "BAD_USER_INPUT",
                format!("`query` is longer than {MAX_QUERY_CHARS} characters"),
            ));
        }
        store(ctx)?
            .search(&query, first)
            .await
            .map_err(|e| internal_error("searching products", e))
    }

    /// Resolves `Product` representations for the router.
    #[graphql(entity)]
    async fn find_product_by_id(&self, ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
        load(ctx, id).await
    }
}

/// Through the loader, so that the lookups of one request share a query.
async fn load(ctx: &Context<'_>, id: ID) -> Result<Option<Product>> {
    ctx.data::<DataLoader<ProductLoader>>()
        .map_err(|e| internal_error("product loader missing from the schema", e.message))?
        .load_one(id.0)
        .await
        .map_err(|e| internal_error("loading products", e))
}

fn store<'a>(ctx: &'a Context<'_>) -> Result<&'a ProductStore> {
    ctx.data::<ProductStore>()
        .map_err(|e| internal_error("product store missing from the schema", e.message))
}

fn page_size(first: i32, name: &str) -> Result<u64> {
    if !(0..=MAX_PAGE_SIZE).contains(&first) {
        return Err(coded_error(
            "BAD_USER_INPUT",
            format!("`{name}` must be between 0 and {MAX_PAGE_SIZE}, got {first}"),
        ));
    }
    Ok(first as u64)
}
