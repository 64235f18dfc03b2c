//! The attacks that were run against the shop, replayed: each through the router
//! (anonymous and as a signed-in customer) and straight at the subgraph that owns
//! the operation, because the router is not the only thing on the network. Every
//! one must be refused, and the ledger (stock, reservations, payments, refunds,
//! orders, roles, read from the services' own databases) must not change.

mod shopfront;

use serde_json::{Value, json};
use shop_common::auth::{ServiceClaims, scopes, service_issuer};
use shopfront::{DECLINED, PASSWORD, Shopfront, Target, VISA, callers, refused};

/// Tries `query` as each caller, through the router and at `service`'s port,
/// and asserts each try was refused.
async fn refused_everywhere(
    front: &Shopfront,
    attacker: &shopfront::Customer,
    service: &'static str,
    what: &str,
    field: &str,
    query: &str,
    variables: Value,
) {
    for (who, token) in callers(attacker) {
        for target in [Target::Router, Target::Direct(service)] {
            let (status, body) = front.call(target, token, query, variables.clone()).await;
            refused(&format!("{what} as {who}"), target, status, &body, field);
        }
    }
}

#[tokio::test]
async fn refund_and_keep_the_goods() {
    let front = Shopfront::start().await;
    let buyer = front.sign_up("buyer").await;
    let order = front.confirmed_order(&buyer, "prod-01", "buy-1").await;
    let payment = front.payment_of(&order).await;
    let before = front.ledger().await;

    refused_everywhere(
        &front,
        &buyer,
        "payments",
        "refundPayment of one's own payment",
        "refundPayment",
        "mutation($p: ID!) { refundPayment(paymentId: $p, idempotencyKey: \"mine\") { id status } }",
        json!({ "p": payment }),
    )
    .await;
    let after = front.ledger().await;
    assert_eq!(after, before);
    assert!(after.refunds.is_empty());
    assert!(
        after
            .orders
            .iter()
            .any(|o| o.0 == order && o.2 == "CONFIRMED")
    );
}

#[tokio::test]
async fn stock_out_of_thin_air_or_held_hostage() {
    let front = Shopfront::start().await;
    let attacker = front.sign_up("hoarder").await;
    let victim = front.sign_up("shopper").await;
    let order = front.confirmed_order(&victim, "prod-03", "victim-1").await;
    let reservation = front.reservation_of(&order).await;
    let before = front.ledger().await;

    let attacks = [
        (
            "restock",
            "restock",
            "mutation { restock(productId: \"prod-01\", quantity: 1000000) }",
            json!({}),
        ),
        (
            "reserving all of a product under a made-up order",
            "reserveStock",
            "mutation { reserveStock(orderId: \"made-up\", items: [{ productId: \"prod-02\", quantity: 10000 }]) { id } }",
            json!({}),
        ),
        (
            "releasing someone's reservation",
            "releaseStock",
            "mutation($r: ID!) { releaseStock(reservationId: $r) { id status } }",
            json!({ "r": reservation }),
        ),
        (
            "committing someone's reservation",
            "commitReservation",
            "mutation($r: ID!) { commitReservation(reservationId: $r) { id status } }",
            json!({ "r": reservation }),
        ),
        (
            "reading someone's reservation",
            "reservation",
            "query($r: ID!) { reservation(id: $r) { id orderId items { productId quantity } } }",
            json!({ "r": reservation }),
        ),
    ];
    for (what, field, query, variables) in attacks {
        refused_everywhere(
            &front,
            &attacker,
            "inventory",
            what,
            field,
            query,
            variables,
        )
        .await;
    }
    // A forged service token: the right claims, signed by a key nobody trusts.
    let forger = shop_common::signing::SigningKey::generate().unwrap();
    let now = chrono::Utc::now().timestamp();
    let forged = forger
        .sign(&ServiceClaims {
            sub: "orders".into(),
            iss: service_issuer("orders"),
            aud: "inventory".into(),
            scope: scopes::STOCK_RESERVE.into(),
            iat: now,
            exp: now + 60,
        })
        .unwrap();
    let (status, body) = front
        .call(
            Target::Direct("inventory"),
            Some(&forged),
            "mutation { reserveStock(orderId: \"forged\", items: [{ productId: \"prod-02\", quantity: 1 }]) { id } }",
            json!({}),
        )
        .await;
    refused(
        "a forged service token",
        Target::Direct("inventory"),
        status,
        &body,
        "reserveStock",
    );
    assert_eq!(body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");

    assert_eq!(front.ledger().await, before, "no unit moved");
    // Nothing is held hostage: a real checkout of the same products goes through.
    front.confirmed_order(&attacker, "prod-02", "after-1").await;
}

#[tokio::test]
async fn pay_one_cent() {
    let front = Shopfront::start().await;
    let cheat = front.sign_up("cheat").await;
    let earlier = front.confirmed_order(&cheat, "prod-21", "cheat-0").await;
    let before = front.ledger().await;
    let charge = "mutation($o: ID!, $u: ID!) { processPayment(orderId: $o, customerId: $u, amount: { amountCents: 1, currency: \"USD\" }, card: { number: \"4242424242424242\", expiryMonth: 12, expiryYear: 2035, cvc: \"123\" }) { id status } }";
    for order in [earlier.as_str(), "the-next-order"] {
        refused_everywhere(
            &front,
            &cheat,
            "payments",
            "charging one cent",
            "processPayment",
            charge,
            json!({ "o": order, "u": cheat.id }),
        )
        .await;
    }
    // The pre-emptive charge under the old, guessable key is gone with the argument.
    refused_everywhere(
        &front,
        &cheat,
        "payments",
        "charging under the checkout's key",
        "processPayment",
        "mutation { processPayment(orderId: \"x\", amount: { amountCents: 1, currency: \"USD\" }, card: { number: \"4242424242424242\", expiryMonth: 12, expiryYear: 2035, cvc: \"123\" }, idempotencyKey: \"order-x\") { id } }",
        json!({}),
    )
    .await;
    assert_eq!(front.ledger().await, before);

    // The checkout charges exactly the order's total.
    let body = front
        .place(&cheat, &[("prod-21", 2), ("prod-27", 1)], VISA, "cheat-1")
        .await;
    let placed = &body["data"]["placeOrder"];
    assert_eq!(placed["status"], "CONFIRMED", "{body}");
    let ledger = front.ledger().await;
    let order = ledger
        .orders
        .iter()
        .find(|o| placed["id"] == o.0.as_str())
        .unwrap();
    let payment = ledger.payments.iter().find(|p| p.1 == order.0).unwrap();
    assert_eq!(payment.4, order.3, "charged the total");
    assert_eq!(placed["total"]["amountCents"], order.3);
}

#[tokio::test]
async fn other_peoples_orders_and_payments() {
    let front = Shopfront::start().await;
    let victim = front.sign_up("victim").await;
    let attacker = front.sign_up("mallory").await;
    let order = front.confirmed_order(&victim, "prod-06", "v-1").await;
    let payment = front.payment_of(&order).await;
    let before = front.ledger().await;

    // Through the router: someone else's order and payment answer as missing.
    for (what, field, query) in [
        (
            "reading the order",
            "order",
            "query($id: ID!) { order(id: $id) { id items { quantity } user { id email } } }",
        ),
        (
            "reading the payment",
            "payment",
            "query($id: ID!) { payment(id: $id) { id amount { amountCents } order { id } } }",
        ),
        (
            "cancelling the order",
            "cancelOrder",
            "mutation($id: ID!) { cancelOrder(id: $id) { id status } }",
        ),
    ] {
        let id = if field == "payment" { &payment } else { &order };
        let (status, body) = front
            .call(
                Target::Router,
                Some(&attacker.token),
                query,
                json!({ "id": id }),
            )
            .await;
        refused(what, Target::Router, status, &body, field);
        assert!(!body.to_string().contains(&victim.email), "{body}");
    }
    // Straight at the owning services, as the router would ask: nothing resolves.
    let entities = [
        (
            "orders",
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id total { amountCents } items { quantity } user { id } } } }",
            json!([{ "__typename": "Order", "id": order }]),
        ),
        (
            "payments",
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { payment { id amount { amountCents } } } } }",
            json!([{ "__typename": "Order", "id": order }]),
        ),
        (
            "payments",
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on Payment { id amount { amountCents } order { id } } } }",
            json!([{ "__typename": "Payment", "id": payment }]),
        ),
        (
            "users",
            "query($r: [_Any!]!) { _entities(representations: $r) { ... on User { id email } } }",
            json!([{ "__typename": "User", "id": victim.id }]),
        ),
    ];
    for (service, query, representations) in entities {
        for (who, token) in callers(&attacker) {
            let (_, body) = front
                .call(
                    Target::Direct(service),
                    token,
                    query,
                    json!({ "r": representations }),
                )
                .await;
            let entity = &body["data"]["_entities"][0];
            // Nothing, or the entity without what it guards.
            let hidden = entity.is_null()
                || (service == "payments" && entity["payment"].is_null())
                || (service == "users" && entity["email"].is_null());
            assert!(hidden, "{service} as {who}: {body}");
            assert!(!body.to_string().contains(&victim.email), "{body}");
        }
    }
    // Moving stock or money in the victim's name.
    refused_everywhere(
        &front,
        &attacker,
        "payments",
        "charging the victim's order",
        "processPayment",
        "mutation($o: ID!) { processPayment(orderId: $o, customerId: \"mallory\", amount: { amountCents: 1, currency: \"USD\" }, card: { number: \"4242424242424242\", expiryMonth: 12, expiryYear: 2035, cvc: \"123\" }) { id order { id items { quantity } } } }",
        json!({ "o": order }),
    )
    .await;
    refused_everywhere(
        &front,
        &attacker,
        "inventory",
        "reserving under the victim's order",
        "reserveStock",
        "mutation($o: ID!) { reserveStock(orderId: $o, items: [{ productId: \"prod-06\", quantity: 1 }]) { id } }",
        json!({ "o": order }),
    )
    .await;
    let (status, body) = front
        .call(
            Target::Direct("orders"),
            Some(&attacker.token),
            "mutation($id: ID!) { cancelOrder(id: $id) { id } }",
            json!({ "id": order }),
        )
        .await;
    refused(
        "cancelling at the orders port",
        Target::Direct("orders"),
        status,
        &body,
        "cancelOrder",
    );
    assert_eq!(front.ledger().await, before);

    // Watching the victim's order live, at the orders port, over both
    // transports: refused like a missing order, nothing about it sent.
    watching_is_refused(&front, &attacker, &victim, &order).await;

    // The owner still sees everything.
    let (_, body) = front
        .call(
            Target::Router,
            Some(&victim.token),
            "query($id: ID!) { order(id: $id) { status user { email } payment { status } } }",
            json!({ "id": order }),
        )
        .await;
    assert_eq!(
        body["data"]["order"]["user"]["email"],
        victim.email.as_str(),
        "{body}"
    );
    assert_eq!(
        body["data"]["order"]["payment"]["status"], "SUCCEEDED",
        "{body}"
    );
}

/// `orderStatusChanged` of the victim's order, as each caller, over WebSocket and
/// SSE straight at the orders service: one error (`NOT_FOUND` for a customer,
/// `UNAUTHENTICATED` for nobody), then the end of the stream.
async fn watching_is_refused(
    front: &Shopfront,
    attacker: &shopfront::Customer,
    victim: &shopfront::Customer,
    order: &str,
) {
    use shop_common::testing::live::{SseClient, WsClient};
    let url = front.url(Target::Direct("orders"));
    let query = "subscription($id: ID!) { orderStatusChanged(orderId: $id) { id status items { quantity } user { id } } }";
    let variables = json!({ "id": order });
    for (who, token) in callers(attacker) {
        let expected = if token.is_some() {
            "NOT_FOUND"
        } else {
            "UNAUTHENTICATED"
        };
        let init = token.map_or(json!({}), |t| json!({ "token": t }));
        let mut ws = WsClient::connect_and_init(&url, init).await;
        ws.subscribe("w", query, variables.clone()).await;
        let answer = ws.next_of("w").await;
        assert_eq!(answer["type"], "next", "{who}: {answer}");
        assert_eq!(answer["payload"]["data"], json!(null), "{who}: {answer}");
        assert_eq!(
            answer["payload"]["errors"][0]["extensions"]["code"], expected,
            "{who}: {answer}"
        );
        assert_eq!(ws.next_of("w").await["type"], "complete", "{who}");
        assert!(!answer.to_string().contains(&victim.id), "{answer}");

        let mut sse = SseClient::subscribe(&url, query, variables.clone(), token).await;
        let answer = sse.next_payload().await;
        assert_eq!(answer["data"], json!(null), "{who}: {answer}");
        assert_eq!(
            answer["errors"][0]["extensions"]["code"], expected,
            "{who}: {answer}"
        );
        assert_eq!(sse.next_event().await.expect("complete").event, "complete");
        assert!(!answer.to_string().contains(&victim.id), "{answer}");
    }
}

#[tokio::test]
async fn personal_data_is_for_its_owner() {
    let front = Shopfront::start().await;
    let victim = front.sign_up("private").await;
    let attacker = front.sign_up("nosy").await;
    for (who, token) in callers(&attacker) {
        for target in [Target::Router, Target::Direct("users")] {
            let (_, body) = front
                .call(
                    target,
                    token,
                    "query($id: ID!) { user(id: $id) { id name email } }",
                    json!({ "id": victim.id }),
                )
                .await;
            assert_eq!(
                body["data"]["user"]["name"], "private",
                "{who} {target:?}: {body}"
            );
            assert!(
                body["data"]["user"]["email"].is_null(),
                "{who} {target:?}: {body}"
            );
            assert_eq!(
                body["errors"][0]["extensions"]["code"], "FORBIDDEN",
                "{body}"
            );
            assert!(!body.to_string().contains(&victim.email), "{body}");
        }
    }
    let (_, body) = front
        .call(
            Target::Router,
            Some(&victim.token),
            "query($id: ID!) { user(id: $id) { email } }",
            json!({ "id": victim.id }),
        )
        .await;
    assert_eq!(
        body["data"]["user"]["email"],
        victim.email.as_str(),
        "{body}"
    );
}

#[tokio::test]
async fn password_guessing_is_rate_limited_on_every_path() {
    let front = Shopfront::start().await;
    let victim = front.sign_up("guessme").await;
    let sign_in =
        "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }";
    for (n, target) in [Target::Router, Target::Direct("users")]
        .into_iter()
        .cycle()
        .take(5)
        .enumerate()
    {
        let (_, body) = front
            .call(
                target,
                None,
                sign_in,
                json!({ "e": victim.email, "p": format!("guess-{n}-{n}") }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
            "{body}"
        );
    }
    for target in [Target::Router, Target::Direct("users")] {
        let (_, body) = front
            .call(
                target,
                None,
                sign_in,
                json!({ "e": victim.email, "p": PASSWORD }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
            "{target:?}: {body}"
        );
        assert!(
            body["errors"][0]["extensions"]["retryAfterSeconds"]
                .as_u64()
                .unwrap()
                > 0
        );
        assert!(body["data"].is_null(), "{body}");
    }
}

#[tokio::test]
async fn card_testing_is_rate_limited() {
    let front = Shopfront::start().await;
    let tester = front.sign_up("cardtester").await;
    for n in 0..5 {
        let body = front
            .place(&tester, &[("prod-07", 1)], DECLINED, &format!("ct-{n}"))
            .await;
        assert_eq!(
            body["data"]["placeOrder"]["status"], "PAYMENT_FAILED",
            "{body}"
        );
    }
    let before = front.ledger().await;
    let body = front
        .place(&tester, &[("prod-07", 1)], DECLINED, "ct-5")
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "RATE_LIMITED",
        "{body}"
    );
    assert_eq!(
        front.ledger().await,
        before,
        "nothing placed, reserved or charged"
    );
}

#[tokio::test]
async fn bad_input_is_refused_and_creates_nothing() {
    let front = Shopfront::start().await;
    let before = front.ledger().await;
    for password in ["Password12", "Correct\u{0}Horse-Staple-9"] {
        let (_, body) = front
            .call(
                Target::Router,
                None,
                "mutation($p: String!) { signUp(input: { email: \"weak@example.com\", name: \"Weak\", password: $p }) { token } }",
                json!({ "p": password }),
            )
            .await;
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
            "{password:?}: {body}"
        );
    }
    assert_eq!(front.ledger().await, before, "no account created");

    let buyer = front.sign_up("buyer").await;
    let before = front.ledger().await;
    let body = front
        .place(&buyer, &[("prod-08", 1)], "4242 4242 4242 4241", "luhn-1")
        .await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );
    assert_eq!(
        front.ledger().await,
        before,
        "no order for a card failing Luhn"
    );

    front.confirmed_order(&buyer, "prod-08", "cart-1").await;
    let before = front.ledger().await;
    let body = front.place(&buyer, &[("prod-08", 3)], VISA, "cart-1").await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "CONFLICT",
        "{body}"
    );
    assert_eq!(front.ledger().await, before, "the first order stands alone");
}

#[tokio::test]
async fn the_api_schema_has_no_internal_operations() {
    let front = Shopfront::start().await;
    let (_, body) = front
        .call(
            Target::Router,
            None,
            "{ __schema { types { name fields { name } inputFields { name } } } }",
            json!({}),
        )
        .await;
    let text = body.to_string();
    for internal in [
        "reserveStock",
        "releaseStock",
        "commitReservation",
        "\"reservation\"",
        "Reservation",
        "processPayment",
        "refundPayment",
        "MoneyInput",
        "ChargeCardInput",
    ] {
        assert!(!text.contains(internal), "{internal} is in the API schema");
    }
    for public in ["placeOrder", "cancelOrder", "restock", "signIn", "myOrders"] {
        assert!(text.contains(public), "{public} is missing");
    }
    // The users' roles never changed through any of this.
    let ledger = front.ledger().await;
    let admins: Vec<_> = ledger.users.iter().filter(|u| u.1 == "admin").collect();
    assert_eq!(admins.len(), 1, "{:?}", ledger.users);
}

/// The schema's `@authenticated` (`me`, `myOrders`, `placeOrder`,
/// `cancelOrder`) and `@requiresScopes(scopes: [["admin"]])` (`restock`) are
/// decided by the router from the verified token, before any service is asked:
/// the owning service's request count does not move, and nothing in the ledger
/// does either.
#[tokio::test]
async fn the_router_refuses_protected_fields_before_any_service_is_asked() {
    let front = Shopfront::start().await;
    let customer = front.sign_up("plain").await;
    let before = front.ledger().await;
    let counts = || front.shop.request_counts();
    let card = "{ number: \"4242424242424242\", expiryMonth: 1, expiryYear: 2035, cvc: \"123\" }";
    let place = format!(
        "mutation {{ placeOrder(input: {{ items: [{{ productId: \"prod-01\", quantity: 1 }}], \
         card: {card}, idempotencyKey: \"anon\" }}) {{ id }} }}"
    );
    let anonymous: [(&str, &str); 4] = [
        ("me", "{ me { id email } }"),
        ("myOrders", "{ myOrders { id } }"),
        ("placeOrder", &place),
        (
            "cancelOrder",
            "mutation { cancelOrder(id: \"any\") { id } }",
        ),
    ];
    let customer_only: [(&str, &str); 1] = [(
        "restock",
        "mutation { restock(productId: \"prod-01\", quantity: 1000) }",
    )];
    let tries = anonymous.iter().map(|t| (None, *t)).chain(
        customer_only
            .iter()
            .map(|t| (Some(customer.token.as_str()), *t)),
    );
    for (token, (field, query)) in tries {
        let counted = counts();
        let (status, body) = front.call(Target::Router, token, query, json!({})).await;
        assert_eq!(status, 200, "{field}: {body}");
        assert!(
            body["data"].is_null() || body["data"][field].is_null(),
            "{field}: {body}"
        );
        assert_eq!(
            body["errors"][0]["extensions"]["code"], "UNAUTHORIZED",
            "{body}"
        );
        assert_eq!(body["errors"][0]["path"], json!([field]), "{body}");
        assert_eq!(counts(), counted, "{field}: a service was asked");
    }
    assert_eq!(front.ledger().await, before);

    // The same operations with the right token are served.
    let (_, body) = front
        .call(
            Target::Router,
            Some(&customer.token),
            "{ me { id } myOrders { id } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"]["me"]["id"], customer.id.as_str(), "{body}");
    let (_, body) = front
        .call(
            Target::Router,
            None,
            "mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }",
            json!({ "e": shop_users::ADMIN_EMAIL, "p": shop_users::ADMIN_PASSWORD }),
        )
        .await;
    let admin = body["data"]["signIn"]["token"]
        .as_str()
        .unwrap_or_else(|| panic!("admin sign-in: {body}"))
        .to_owned();
    let (_, body) = front
        .call(
            Target::Router,
            Some(&admin),
            "mutation { restock(productId: \"prod-01\", quantity: 1) }",
            json!({}),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
    assert!(body["data"]["restock"].as_i64().is_some(), "{body}");
}
