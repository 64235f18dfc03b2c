//! A seeded products service on an ephemeral port, for one test.

#![allow(dead_code)]

use serde_json::Value;
use shop_common::testing::{self, TestDb, TestServer};
use shop_products::{Config, build_app};

pub struct Service {
    pub server: TestServer,
    pub client: reqwest::Client,
    pub db: TestDb,
}

impl Service {
    pub async fn seeded() -> Service {
        Self::seeded_on(TestDb::new("products").await).await
    }

    /// Seeding is asked for, but happens only when `db` holds no products.
    pub async fn seeded_on(db: TestDb) -> Service {
        let mut config = Config::new(db.url.clone());
        config.seed = true;
        let app = build_app(config).await.expect("products starts");
        Service {
            server: testing::spawn(app).await,
            client: testing::client(),
            db,
        }
    }

    pub async fn query(&self, query: &str, variables: Value) -> Value {
        testing::graphql(
            &self.client,
            &self.server.graphql_url,
            query,
            variables,
            None,
        )
        .await
    }
}
