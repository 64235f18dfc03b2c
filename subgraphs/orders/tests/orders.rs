//! Orders through HTTP, with tokens from a real users service: owners see their
//! orders, nobody else does, and the router's entity fetches resolve.

mod support;

use serde_json::json;
use shop_common::testing::first_error_code;
use shop_orders::repository::{NewOrderItem, OrderError, create_order};
use support::Shop;

const ORDER_FIELDS: &str = "id user { id } items { product { id } quantity unitPrice { amountCents currency } } total { amountCents currency } status createdAt";

#[tokio::test]
async fn owners_see_their_orders_and_nobody_else_does() {
    let shop = Shop::start().await;
    let alice = shop.sign_up("alice").await;
    let bob = shop.sign_up("bob").await;
    let first = shop
        .order(&alice.id, &[("prod-01", 2, 1250), ("prod-07", 1, 399)])
        .await;
    let second = shop.order(&alice.id, &[("prod-03", 3, 100)]).await;
    let bobs = shop.order(&bob.id, &[("prod-02", 1, 5000)]).await;

    let mine = shop
        .query(
            &format!("{{ myOrders {{ {ORDER_FIELDS} }} }}"),
            json!({}),
            Some(&alice.token),
        )
        .await;
    let orders = mine["data"]["myOrders"]
        .as_array()
        .unwrap_or_else(|| panic!("{mine}"));
    let ids: Vec<&str> = orders.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        [second.order.id.as_str(), first.order.id.as_str()],
        "newest first"
    );
    let oldest = &orders[1];
    assert_eq!(oldest["user"]["id"], alice.id.as_str());
    assert_eq!(oldest["status"], "PENDING");
    assert_eq!(
        oldest["total"],
        json!({ "amountCents": 2899, "currency": "EUR" })
    );
    assert_eq!(
        oldest["items"],
        json!([
            { "product": { "id": "prod-01" }, "quantity": 2, "unitPrice": { "amountCents": 1250, "currency": "EUR" } },
            { "product": { "id": "prod-07" }, "quantity": 1, "unitPrice": { "amountCents": 399, "currency": "EUR" } },
        ])
    );
    assert!(
        chrono::DateTime::parse_from_rfc3339(oldest["createdAt"].as_str().unwrap()).is_ok(),
        "createdAt is RFC 3339: {oldest}"
    );

    let one = shop
        .query(
            "query($id: ID!) { order(id: $id) { id total { amountCents } } }",
            json!({ "id": first.order.id }),
            Some(&alice.token),
        )
        .await;
    assert_eq!(one["data"]["order"]["id"], first.order.id.as_str(), "{one}");
    assert_eq!(one["data"]["order"]["total"]["amountCents"], 2899);

    // Bob's order looks to Alice exactly like an order that does not exist.
    for id in [bobs.order.id.as_str(), "no-such-order"] {
        let hidden = shop
            .query(
                "query($id: ID!) { order(id: $id) { id user { id } } }",
                json!({ "id": id }),
                Some(&alice.token),
            )
            .await;
        assert_eq!(hidden["data"]["order"], json!(null), "{hidden}");
        assert_eq!(first_error_code(&hidden), Some("NOT_FOUND"), "{hidden}");
        assert!(
            !hidden.to_string().contains(&bob.id),
            "leaks the owner: {hidden}"
        );
    }

    // Invalid orders are refused before anything is stored.
    let line = |quantity: i32, currency: &str| NewOrderItem {
        product_id: "prod-01".into(),
        quantity,
        unit_price_cents: 100,
        currency: currency.into(),
    };
    let refused = [
        create_order(&shop.db, &alice.id, &[line(0, "EUR")]).await,
        create_order(&shop.db, &alice.id, &[line(1, "EUR"), line(1, "USD")]).await,
        create_order(&shop.db, &alice.id, &[]).await,
    ];
    assert!(matches!(
        refused[0],
        Err(OrderError::InvalidQuantity { .. })
    ));
    assert!(matches!(
        refused[1],
        Err(OrderError::MixedCurrencies { .. })
    ));
    assert!(matches!(refused[2], Err(OrderError::NoItems)));
    let still = shop
        .query("{ myOrders { id } }", json!({}), Some(&alice.token))
        .await;
    assert_eq!(
        still["data"]["myOrders"].as_array().map(Vec::len),
        Some(2),
        "{still}"
    );

    let bobs_view = shop
        .query("{ myOrders { id } }", json!({}), Some(&bob.token))
        .await;
    assert_eq!(
        bobs_view["data"]["myOrders"],
        json!([{ "id": bobs.order.id }])
    );
}

#[tokio::test]
async fn reading_orders_needs_a_valid_token() {
    let shop = Shop::start().await;
    let alice = shop.sign_up("alice").await;
    let order = shop.order(&alice.id, &[("prod-01", 1, 100)]).await;

    let anonymous = shop.query("{ myOrders { id } }", json!({}), None).await;
    assert_eq!(
        first_error_code(&anonymous),
        Some("UNAUTHENTICATED"),
        "{anonymous}"
    );
    assert_eq!(anonymous["data"], json!(null));

    let anonymous_one = shop
        .query(
            "query($id: ID!) { order(id: $id) { id } }",
            json!({ "id": order.order.id }),
            None,
        )
        .await;
    assert_eq!(first_error_code(&anonymous_one), Some("UNAUTHENTICATED"));
    assert_eq!(anonymous_one["data"]["order"], json!(null));

    // A token whose signature does not match is refused, not trusted.
    let (signed, signature) = alice.token.rsplit_once('.').unwrap();
    let flipped = if signature.starts_with('A') { 'B' } else { 'A' };
    let forged = format!("{signed}.{flipped}{}", &signature[1..]);
    let refused = shop
        .query("{ myOrders { id } }", json!({}), Some(&forged))
        .await;
    assert_eq!(
        first_error_code(&refused),
        Some("UNAUTHENTICATED"),
        "{refused}"
    );
}

#[tokio::test]
async fn entities_resolve_orders_and_user_orders() {
    let shop = Shop::start().await;
    let alice = shop.sign_up("alice").await;
    let bob = shop.sign_up("bob").await;
    let order = shop.order(&alice.id, &[("prod-05", 4, 250)]).await;
    let bobs = shop.order(&bob.id, &[("prod-09", 1, 7)]).await;

    let query = format!(
        "query($r: [_Any!]!) {{ _entities(representations: $r) {{ ... on Order {{ {ORDER_FIELDS} }} }} }}"
    );
    let representations = json!({ "r": [
        { "__typename": "Order", "id": order.order.id },
        { "__typename": "Order", "id": "missing" },
        { "__typename": "Order", "id": bobs.order.id },
        { "__typename": "Order", "id": order.order.id },
    ]});
    // Alice resolves her order; Bob's answers like a missing one.
    let entities = shop
        .query(&query, representations.clone(), Some(&alice.token))
        .await;
    let found = &entities["data"]["_entities"];
    assert_eq!(found[0]["id"], order.order.id.as_str(), "{entities}");
    assert_eq!(
        found[0]["total"],
        json!({ "amountCents": 1000, "currency": "EUR" })
    );
    assert_eq!(found[0]["items"][0]["product"]["id"], "prod-05");
    assert_eq!(found[1], json!(null), "an unknown key resolves to null");
    assert_eq!(
        found[2],
        json!(null),
        "someone else's order too: {entities}"
    );
    assert_eq!(found[3], found[0]);
    assert!(!entities.to_string().contains(&bobs.order.id));

    // Admins and services allowed to read orders see every order: one batch,
    // answered in the order of the representations, repeats included.
    let admin = shop.admin("staff").await;
    let reader = shop.issuer.service(
        "payments",
        "orders",
        &[shop_common::auth::scopes::ORDERS_READ],
    );
    for token in [admin.token.as_str(), reader.as_str()] {
        let entities = shop
            .query(&query, representations.clone(), Some(token))
            .await;
        let found = &entities["data"]["_entities"];
        assert_eq!(found[0]["id"], order.order.id.as_str(), "{entities}");
        assert_eq!(found[2]["id"], bobs.order.id.as_str());
        assert_eq!(found[2]["user"]["id"], bob.id.as_str());
        assert_eq!(found[2]["items"][0]["product"]["id"], "prod-09");
        assert_eq!(found[3], found[0]);
    }
    // Nobody else: anonymous callers, or a service token for another audience.
    let elsewhere = shop.issuer.service(
        "payments",
        "inventory",
        &[shop_common::auth::scopes::ORDERS_READ],
    );
    for token in [None, Some(elsewhere.as_str())] {
        let entities = shop.query(&query, representations.clone(), token).await;
        assert_eq!(
            entities["data"]["_entities"],
            json!([null, null, null, null]),
            "{entities}"
        );
    }

    let user_orders = "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id orders { id status } } } }";
    let reps = json!({ "r": [{ "__typename": "User", "id": alice.id }] });
    let own = shop
        .query(user_orders, reps.clone(), Some(&alice.token))
        .await;
    assert_eq!(
        own["data"]["_entities"][0]["orders"],
        json!([{ "id": order.order.id, "status": "PENDING" }]),
        "{own}"
    );

    let other = shop
        .query(user_orders, reps.clone(), Some(&bob.token))
        .await;
    assert_eq!(first_error_code(&other), Some("FORBIDDEN"), "{other}");
    assert!(
        !other.to_string().contains(&order.order.id),
        "leaks: {other}"
    );

    let anonymous = shop.query(user_orders, reps.clone(), None).await;
    assert_eq!(
        first_error_code(&anonymous),
        Some("FORBIDDEN"),
        "{anonymous}"
    );
    let by_admin = shop.query(user_orders, reps, Some(&admin.token)).await;
    assert_eq!(
        by_admin["data"]["_entities"][0]["orders"],
        json!([{ "id": order.order.id, "status": "PENDING" }]),
        "{by_admin}"
    );
}
