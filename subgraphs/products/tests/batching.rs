//! The DataLoader batches: the router asks for many products in one `_entities`
//! request, async-graphql resolves each representation on its own, and the
//! database sees one statement for all of them (not one per product).

use serde_json::{Value, json};
use shop_common::testing::{self, SqlLog, TestDb};

#[tokio::test]
async fn twenty_entity_lookups_are_one_sql_statement() {
    let db = TestDb::new("products").await;
    let mut connection =
        shop_common::db::connect_and_migrate::<products_migration::Migrator>(&db.url)
            .await
            .unwrap();
    shop_products::seed_if_empty(&connection).await.unwrap();
    let sql = SqlLog::attach(&mut connection);
    let server = testing::spawn(shop_products::app_on(connection)).await;

    let mut ids: Vec<String> = shop_products::seed_product_ids()
        .take(20)
        .map(str::to_owned)
        .collect();
    // And one id the service does not know.
    ids.push("prod-missing".to_owned());
    let representations: Vec<Value> = ids
        .iter()
        .map(|id| json!({ "__typename": "Product", "id": id }))
        .collect();
    let body = testing::graphql(
        &testing::client(),
        &server.graphql_url,
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id name } } }",
        json!({ "r": representations }),
        None,
    )
    .await;
    let entities = testing::entities_in_order(&body, &ids);
    assert!(entities[20].is_null(), "{body}");
    let selects = sql.selects();
    assert_eq!(selects.len(), 1, "one SELECT for 21 lookups: {selects:#?}");
}
