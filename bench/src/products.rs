//! The products subgraph: owns `Product` (`@key(fields: "upc")`) and its price and
//! weight, which inventory `@requires`.

use async_graphql::{EmptyMutation, EmptySubscription, Object, Schema};

use crate::data;

pub type ProductsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub fn schema() -> ProductsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

pub struct Product(data::ListedProduct);

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        &self.0.upc
    }

    async fn name(&self) -> Option<&str> {
        Some(&self.0.name)
    }

    async fn price(&self) -> Option<i32> {
        Some(self.0.price)
    }

    async fn weight(&self) -> Option<i32> {
        Some(self.0.weight)
    }
}

pub struct Query;

#[Object]
impl Query {
    async fn top_products(
        &self,
        #[graphql(default = 5)] first: Option<i32>,
    ) -> Option<Vec<Option<Product>>> {
        let first = first.and_then(|n| usize::try_from(n).ok()).unwrap_or(0);
        Some(
            (0..first.min(data::CATALOGUE_LEN))
                .map(|index| data::catalogue_product(index).map(Product))
                .collect(),
        )
    }

    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Option<Product> {
        data::listed_product(&upc).map(Product)
    }
}
