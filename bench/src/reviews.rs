//! The reviews subgraph: owns `Review` and adds `User.reviews` and
//! `Product.reviews`.

use std::sync::LazyLock;

use async_graphql::{EmptyMutation, EmptySubscription, ID, Object, Schema};

use crate::data::{self, REVIEWS};

pub type ReviewsSchema = Schema<Query, EmptyMutation, EmptySubscription>;

pub fn schema() -> ReviewsSchema {
    Schema::build(Query, EmptyMutation, EmptySubscription)
        .enable_federation()
        .finish()
}

/// Bodies built once: the subgraph answers from memory and does no work that a
/// real service would cache.
static BODIES: LazyLock<Vec<String>> =
    LazyLock::new(|| REVIEWS.iter().map(data::Review::body).collect());

pub struct Review(usize);

#[Object]
impl Review {
    async fn id(&self) -> ID {
        ID(REVIEWS[self.0].id.to_owned())
    }

    async fn body(&self) -> Option<&str> {
        Some(&BODIES[self.0])
    }

    async fn author(&self) -> Option<User> {
        Some(User {
            id: REVIEWS[self.0].author_id.to_owned(),
        })
    }

    async fn product(&self) -> Option<Product> {
        Some(Product {
            upc: REVIEWS[self.0].product_upc.to_owned(),
        })
    }
}

fn reviews_where(keep: impl Fn(&data::Review) -> bool) -> Vec<Option<Review>> {
    REVIEWS
        .iter()
        .enumerate()
        .filter(|(_, review)| keep(review))
        .map(|(index, _)| Some(Review(index)))
        .collect()
}

/// A user as reviews knows it: the key, and the user's reviews.
pub struct User {
    id: String,
}

#[Object]
impl User {
    async fn id(&self) -> ID {
        ID(self.id.clone())
    }

    async fn reviews(&self) -> Option<Vec<Option<Review>>> {
        Some(reviews_where(|review| review.author_id == self.id))
    }
}

/// A product as reviews knows it: the key, and the product's reviews.
pub struct Product {
    upc: String,
}

#[Object]
impl Product {
    async fn upc(&self) -> &str {
        &self.upc
    }

    async fn reviews(&self) -> Option<Vec<Option<Review>>> {
        Some(reviews_where(|review| review.product_upc == self.upc))
    }
}

pub struct Query;

#[Object]
impl Query {
    #[graphql(entity)]
    async fn find_user_by_id(&self, id: ID) -> User {
        User { id: id.0 }
    }

    #[graphql(entity)]
    async fn find_product_by_upc(&self, upc: String) -> Product {
        Product { upc }
    }
}
