//! Who may move stock. Reserving, committing, releasing and reading reservations
//! are internal operations of the checkout: only a service token of a trusted
//! service, addressed to inventory, with the operation's scope, gets through.
//! Restocking is for admins. Every refusal leaves the stock as it was.

mod support;

use serde_json::{Value, json};
use shop_common::auth::{ServiceClaims, scopes, service_issuer};
use shop_common::testing::first_error_code;
use support::{RESERVATION, Service};

const RESERVE: &str = "mutation($o: ID!, $i: [ReservationItemInput!]!) { reserveStock(orderId: $o, items: $i) { id } }";
const RELEASE: &str = "mutation($id: ID!) { releaseStock(reservationId: $id) { id status } }";
const COMMIT: &str = "mutation($id: ID!) { commitReservation(reservationId: $id) { id status } }";
const RESTOCK: &str = "mutation($p: ID!, $q: Int!) { restock(productId: $p, quantity: $q) }";

fn reserve_variables() -> Value {
    json!({ "o": "someone-elses-order", "i": [{ "productId": "prod-01", "quantity": 25 }] })
}

/// Every token someone without the checkout's credentials could present.
fn outsiders(service: &Service) -> Vec<(&'static str, Option<String>)> {
    let now = chrono::Utc::now().timestamp();
    let claims = |aud: &str, iat: i64, exp: i64| ServiceClaims {
        sub: "orders".into(),
        iss: service_issuer("orders"),
        aud: aud.into(),
        scope: [
            scopes::STOCK_RESERVE,
            scopes::STOCK_COMMIT,
            scopes::STOCK_RELEASE,
            scopes::STOCK_READ,
        ]
        .join(" "),
        iat,
        exp,
    };
    vec![
        ("anonymous", None),
        ("a customer", Some(service.issuer.customer("user-7"))),
        ("an admin", Some(service.issuer.admin("staff-1"))),
        ("garbage", Some("not.a.token".into())),
        (
            "an untrusted service",
            Some(service.issuer.service(
                "payments",
                "inventory",
                &[
                    scopes::STOCK_RESERVE,
                    scopes::STOCK_COMMIT,
                    scopes::STOCK_RELEASE,
                    scopes::STOCK_READ,
                ],
            )),
        ),
        (
            "the checkout, for another audience",
            Some(service.issuer.service(
                "orders",
                "payments",
                &[
                    scopes::STOCK_RESERVE,
                    scopes::STOCK_COMMIT,
                    scopes::STOCK_RELEASE,
                    scopes::STOCK_READ,
                ],
            )),
        ),
        (
            "the checkout, without the scope",
            Some(
                service
                    .issuer
                    .service("orders", "inventory", &[scopes::PAYMENTS_CHARGE]),
            ),
        ),
        (
            "the checkout, expired",
            Some(
                service
                    .issuer
                    .sign_as_service("orders", &claims("inventory", now - 600, now - 300)),
            ),
        ),
        (
            "the checkout, living a day",
            Some(
                service
                    .issuer
                    .sign_as_service("orders", &claims("inventory", now, now + 86_400)),
            ),
        ),
    ]
}

fn refused(who: &str, body: &Value) {
    let code = first_error_code(body);
    assert!(
        matches!(code, Some("FORBIDDEN" | "UNAUTHENTICATED")),
        "{who}: {body}"
    );
    assert!(body["data"].is_null(), "{who}: {body}");
}

#[tokio::test]
async fn only_the_checkout_moves_stock() {
    let service = Service::seeded().await;
    let held = service.reserve("real-order", &[("prod-02", 2)]).await;
    let reservation_id = held["data"]["reserveStock"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let before = (
        service.stock("prod-01").await,
        service.stock("prod-02").await,
    );

    for (who, token) in outsiders(&service) {
        let token = token.as_deref();
        let body = service.query_as(token, RESERVE, reserve_variables()).await;
        refused(who, &body);
        for mutation in [RELEASE, COMMIT] {
            let body = service
                .query_as(token, mutation, json!({ "id": reservation_id }))
                .await;
            refused(who, &body);
        }
        let body = service
            .query_as(
                token,
                &format!("query($id: ID!) {{ reservation(id: $id) {{ {RESERVATION} }} }}"),
                json!({ "id": reservation_id }),
            )
            .await;
        refused(who, &body);
    }
    assert_eq!(
        (
            service.stock("prod-01").await,
            service.stock("prod-02").await
        ),
        before,
        "nothing moved"
    );
    assert_eq!(
        service.reservation(&reservation_id).await["status"],
        "ACTIVE"
    );
}

#[tokio::test]
async fn a_scope_opens_its_operation_only() {
    let service = Service::seeded().await;
    let reserve_only = service.checkout_token(scopes::STOCK_RESERVE);
    let body = service
        .query_as(Some(&reserve_only), RESERVE, reserve_variables())
        .await;
    assert!(body["errors"].is_null(), "{body}");
    let id = body["data"]["reserveStock"]["id"].as_str().unwrap();
    let body = service
        .query_as(Some(&reserve_only), COMMIT, json!({ "id": id }))
        .await;
    assert_eq!(first_error_code(&body), Some("FORBIDDEN"), "{body}");
    let message = body["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains(scopes::STOCK_COMMIT), "{message}");
}

#[tokio::test]
async fn only_admins_restock() {
    let service = Service::seeded().await;
    let before = service.stock("prod-01").await;
    for (who, token, code) in [
        ("anonymous", None, "UNAUTHENTICATED"),
        (
            "a customer",
            Some(service.issuer.customer("user-7")),
            "FORBIDDEN",
        ),
        (
            "the checkout",
            Some(service.checkout_token(scopes::STOCK_RESERVE)),
            "FORBIDDEN",
        ),
    ] {
        let body = service
            .query_as(
                token.as_deref(),
                RESTOCK,
                json!({ "p": "prod-01", "q": 1000 }),
            )
            .await;
        assert_eq!(first_error_code(&body), Some(code), "{who}: {body}");
    }
    assert_eq!(service.stock("prod-01").await, before);
    let body = service.restock("prod-01", 5).await;
    assert_eq!(body["data"]["restock"], before + 5, "{body}");
}

#[tokio::test]
async fn the_internal_surface_is_marked_inaccessible() {
    let sdl = shop_inventory::sdl();
    for internal in [
        "reserveStock(",
        "releaseStock(",
        "commitReservation(",
        "reservation(id",
        "type Reservation ",
        "input ReservationItemInput ",
        "enum ReservationStatus ",
    ] {
        let line = sdl
            .lines()
            .find(|line| line.contains(internal))
            .unwrap_or_else(|| panic!("{internal} missing from {sdl}"));
        assert!(line.contains("@inaccessible"), "{line}");
    }
    let restock = sdl.lines().find(|l| l.contains("restock(")).unwrap();
    assert!(!restock.contains("@inaccessible"), "{restock}");
}
