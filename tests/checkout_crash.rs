//! The orders process is killed (SIGKILL) in the middle of a checkout, then started
//! again: the saga must end, and stock, payments and the order must agree. Killed
//! between reservation and payment, it compensates (the card went with the request);
//! killed after the charge, it finishes.

mod checkout_support;

use std::process::Stdio;
use std::time::Duration;

use checkout_support::{Orders, TestShop, VISA};
use serde_json::{Value, json};
use tokio::process::{Child, Command};

#[tokio::test]
async fn a_checkout_killed_between_reservation_and_payment_is_compensated_after_restart() {
    let binary = orders_binary();
    let shop = TestShop::start_with(Orders::External).await;
    let jo = shop.sign_up("jo").await;
    shop.restock("prod-08", 5).await;

    let mut orders = start_orders(&binary, &shop, Some("reserved")).await;
    let request = place_in_background(&shop, &jo.token, "crash-1", ("prod-08", 2));
    // The saga records the reservation, then sleeps (test hook): kill it there.
    shop.eventually("the order to be RESERVED", || async {
        my_only_order(&shop, &jo.token).await["status"] == "RESERVED"
    })
    .await;
    let order_id = my_only_order(&shop, &jo.token).await["id"]
        .as_str()
        .expect("order id")
        .to_owned();
    assert_eq!(shop.stock("prod-08").await, 3, "2 units held");
    orders.kill().await.expect("SIGKILL the orders process");
    let answer = request.await.expect("request task");
    assert!(
        answer.is_err(),
        "the client never got an answer: {answer:?}"
    );
    assert!(
        shop.payment_of(&jo, &order_id).await.is_null(),
        "not charged yet"
    );

    // Restarted (without the hook), the service resumes the saga on its own.
    let mut orders = start_orders(&binary, &shop, None).await;
    shop.eventually("the interrupted checkout to end", || async {
        my_only_order(&shop, &jo.token).await["status"] == "PAYMENT_FAILED"
    })
    .await;
    let order = my_only_order(&shop, &jo.token).await;
    assert!(
        order["statusReason"]
            .as_str()
            .unwrap()
            .contains("nothing was charged"),
        "{order}"
    );
    assert_eq!(shop.stock("prod-08").await, 5, "no stock stays reserved");
    assert!(
        shop.payment_of(&jo, &order_id).await.is_null(),
        "nothing charged"
    );

    // The client's retry with the same key gets the same (failed) order, not a
    // second checkout.
    let body = shop.place(&jo, &[("prod-08", 2)], VISA, "crash-1").await;
    assert_eq!(
        body["data"]["placeOrder"]["id"],
        order_id.as_str(),
        "{body}"
    );
    assert_eq!(shop.stock("prod-08").await, 5);

    // A new checkout on the restarted process goes through.
    let body = shop.place(&jo, &[("prod-08", 1)], VISA, "crash-2").await;
    assert_eq!(body["data"]["placeOrder"]["status"], "CONFIRMED", "{body}");
    assert_eq!(shop.stock("prod-08").await, 4);
    orders.kill().await.ok();
    shop.stop().await;
}

#[tokio::test]
async fn a_checkout_killed_after_the_charge_is_confirmed_after_restart() {
    let binary = orders_binary();
    let shop = TestShop::start_with(Orders::External).await;
    let kim = shop.sign_up("kim").await;
    shop.restock("prod-09", 5).await;

    let mut orders = start_orders(&binary, &shop, Some("paid")).await;
    let request = place_in_background(&shop, &kim.token, "paid-1", ("prod-09", 3));
    shop.eventually("the order to be placed", || async {
        !my_only_order(&shop, &kim.token).await["id"].is_null()
    })
    .await;
    let order_id = my_only_order(&shop, &kim.token).await["id"]
        .as_str()
        .expect("order id")
        .to_owned();
    shop.eventually("the charge", || async {
        shop.payment_of(&kim, &order_id).await["status"] == "SUCCEEDED"
    })
    .await;
    orders.kill().await.expect("SIGKILL the orders process");
    assert!(request.await.expect("request task").is_err());
    assert_eq!(shop.stock("prod-09").await, 2, "still held");

    let mut orders = start_orders(&binary, &shop, None).await;
    shop.eventually("the interrupted checkout to be confirmed", || async {
        my_only_order(&shop, &kim.token).await["status"] == "CONFIRMED"
    })
    .await;
    assert_eq!(shop.stock("prod-09").await, 2, "sold, not returned");
    assert_eq!(
        shop.payment_of(&kim, &order_id).await["status"],
        "SUCCEEDED"
    );
    let body = shop.place(&kim, &[("prod-09", 3)], VISA, "paid-1").await;
    assert_eq!(
        body["data"]["placeOrder"]["id"],
        order_id.as_str(),
        "{body}"
    );
    assert_eq!(body["data"]["placeOrder"]["status"], "CONFIRMED", "{body}");
    orders.kill().await.ok();
    shop.stop().await;
}

/// Sends `placeOrder` for `(product, quantity)` from a task of its own: the answer
/// never comes when the process is killed.
fn place_in_background(
    shop: &TestShop,
    token: &str,
    key: &str,
    (product, quantity): (&str, i32),
) -> tokio::task::JoinHandle<reqwest::Result<reqwest::Response>> {
    let client = shop.client.clone();
    let url = shop.urls["orders"].clone();
    let token = token.to_owned();
    let body = json!({
        "query": "mutation($i: PlaceOrderInput!) { placeOrder(input: $i) { id status } }",
        "variables": { "i": {
            "items": [{ "productId": product, "quantity": quantity }],
            "card": { "number": VISA, "expiryMonth": 12, "expiryYear": 2035, "cvc": "123" },
            "idempotencyKey": key,
        }},
    });
    tokio::spawn(async move { client.post(url).bearer_auth(token).json(&body).send().await })
}

async fn my_only_order(shop: &TestShop, token: &str) -> Value {
    let body = shop
        .query(
            "orders",
            "{ myOrders { id status statusReason } }",
            json!({}),
            Some(token),
        )
        .await;
    body["data"]["myOrders"][0].clone()
}

/// Starts the `orders` binary on the shop's orders address and waits until it
/// answers.
async fn start_orders(binary: &str, shop: &TestShop, pause_after: Option<&str>) -> Child {
    let listen = shop.urls["orders"]
        .trim_start_matches("http://")
        .trim_end_matches("/graphql")
        .to_owned();
    let users_base = shop.urls["users"].trim_end_matches("/graphql");
    let mut command = Command::new(binary);
    command
        .args(["--listen", &listen])
        .args(["--database-url", &shop.orders_db.url])
        .args(["--jwks-url", &format!("{users_base}/.well-known/jwks.json")])
        .args(["--products-url", &shop.urls["products"]])
        .args(["--inventory-url", &shop.urls["inventory"]])
        .args(["--payments-url", &shop.urls["payments"]])
        .args(["--event-bus", &shop.bus_spec])
        .env_remove("FAILPOINTS")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .kill_on_drop(true);
    if let Some(step) = pause_after {
        command.env("FAILPOINTS", format!("checkout-after-{step}=return"));
    }
    let child = command.spawn().expect("start the orders binary");
    let health = format!("http://{listen}/health");
    for _ in 0..200 {
        if let Ok(response) = shop.client.get(&health).send().await
            && response.status().is_success()
        {
            return child;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the orders process did not come up on {listen}");
}

/// Builds the `orders` binary (a no-op when it is fresh) and returns its path, as
/// cargo reports it, whatever the profile and target directory.
fn orders_binary() -> String {
    let mut command = std::process::Command::new(env!("CARGO"));
    // Without the variables cargo sets for this test binary (package name, manifest
    // dir, ...): inherited, they would make this build differ from a plain
    // `cargo build` and recompile the crate on every run.
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        let set_by_cargo_test = [
            "CARGO_PKG_",
            "CARGO_CRATE_",
            "CARGO_BIN_",
            "CARGO_MANIFEST_",
        ]
        .iter()
        .any(|prefix| name.starts_with(prefix))
            || ["CARGO_PRIMARY_PACKAGE", "CARGO_TARGET_TMPDIR", "OUT_DIR"].contains(&name.as_ref());
        if set_by_cargo_test {
            command.env_remove(name.as_ref());
        }
    }
    let output = command
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .args([
            "build",
            "--quiet",
            "-p",
            "shop-orders",
            "--bin",
            "orders",
            // The failpoints that pause a checkout exist in this build only.
            "--features",
            "failpoints",
            "--message-format=json",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("run cargo build");
    assert!(output.status.success(), "cargo build -p shop-orders failed");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["target"]["name"] == "orders")
        .find_map(|message| message["executable"].as_str().map(str::to_owned))
        .expect("cargo reports the orders executable")
}
