//! A property test of the shop's money and stock invariants. Random mixes of
//! checkouts (approved, declined and invalid cards; several lines; stock running
//! out), retries with the same key, cancellations and restarts of the whole shop
//! run against the real services through the router; once nothing is in flight:
//!
//! - money: captured minus refunded equals the totals of the `CONFIRMED` orders,
//!   each of them charged exactly its total, and no other order charged;
//! - stock: every unit of every product is available, reserved or sold exactly
//!   once (`available + reserved + sold` is what was seeded), and the sold units
//!   are exactly those of the `CONFIRMED` orders.
//!
//! A restart is graceful (what is in flight is finished first: the in-process bus
//! keeps nothing across a restart; a crash mid-checkout is `checkout_crash`'s
//! subject), and the shop starts again on the same databases.

mod shopfront;

use std::collections::BTreeMap;
use std::time::Duration;

use proptest::prelude::*;
use serde_json::{Value, json};
use shopfront::{Customer, DECLINED, Shopfront, Target, VISA};

/// Seeded stock: small, so that checkouts run out.
const PRODUCTS: [(&str, i64); 4] = [
    ("prod-06", 7),
    ("prod-09", 9),
    ("prod-16", 3),
    ("prod-22", 4),
];
const CUSTOMERS: usize = 2;

#[derive(Debug, Clone, Copy)]
enum Card {
    Approved,
    Declined,
    /// Fails the Luhn check: refused before anything is stored.
    Invalid,
}

impl Card {
    fn number(self) -> &'static str {
        match self {
            Card::Approved => VISA,
            Card::Declined => DECLINED,
            Card::Invalid => "4242 4242 4242 4241",
        }
    }
}

#[derive(Debug, Clone)]
enum Op {
    Checkout {
        customer: usize,
        lines: Vec<(usize, i32)>,
        card: Card,
    },
    /// The nth earlier checkout that made an order, sent again with its key.
    Retry(usize),
    /// The nth confirmed order of the customer.
    Cancel {
        customer: usize,
        nth: usize,
    },
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    let card = prop_oneof![
        6 => Just(Card::Approved),
        2 => Just(Card::Declined),
        1 => Just(Card::Invalid),
    ];
    let line = (0..PRODUCTS.len(), 1..4i32);
    prop_oneof![
        8 => (0..CUSTOMERS, prop::collection::vec(line, 1..3), card)
            .prop_map(|(customer, lines, card)| Op::Checkout { customer, lines, card }),
        2 => any::<usize>().prop_map(Op::Retry),
        3 => (0..CUSTOMERS, any::<usize>()).prop_map(|(customer, nth)| Op::Cancel { customer, nth }),
        1 => Just(Op::Restart),
    ]
}

/// A checkout that made an order, as the test sent it.
struct Placed {
    customer: usize,
    key: String,
    lines: Vec<(usize, i32)>,
    card: Card,
    order_id: String,
}

/// What the test remembers of its own requests.
#[derive(Default)]
struct History {
    placed: Vec<Placed>,
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 16,
        max_shrink_iters: 16,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn money_and_stock_add_up(ops in prop::collection::vec(op(), 4..14)) {
        run(&ops);
    }
}

fn run(ops: &[Op]) {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut runtime = runtime();
    let mut front = runtime.block_on(Shopfront::open(dir.path()));
    let customers: Vec<Customer> = runtime.block_on(async {
        let mut customers = Vec::new();
        for n in 0..CUSTOMERS {
            customers.push(front.sign_up(&format!("prop{n}")).await);
        }
        customers
    });
    let mut history = History::default();
    for op in ops {
        if let Op::Restart = op {
            runtime.block_on(settle(&front));
            runtime.block_on(front.stop());
            // Every task of the old shop (relays, consumers, sweeps) ends here.
            drop(runtime);
            runtime = self::runtime();
            front = runtime.block_on(Shopfront::open(dir.path()));
            continue;
        }
        runtime.block_on(apply(&front, &customers, &mut history, op));
    }
    runtime.block_on(async {
        settle(&front).await;
        check_money(&front).await;
        check_stock(&front).await;
        front.stop().await;
    });
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime")
}

async fn apply(front: &Shopfront, customers: &[Customer], history: &mut History, op: &Op) {
    match op {
        Op::Checkout {
            customer,
            lines,
            card,
        } => {
            let key = uuid::Uuid::new_v4().to_string();
            let body = place(front, &customers[*customer], lines, *card, &key).await;
            if let Some(order_id) = placed_order(&body, *card) {
                history.placed.push(Placed {
                    customer: *customer,
                    key,
                    lines: lines.clone(),
                    card: *card,
                    order_id,
                });
            }
        }
        Op::Retry(nth) => {
            if history.placed.is_empty() {
                return;
            }
            let first = &history.placed[nth % history.placed.len()];
            let customer = &customers[first.customer];
            let body = place(front, customer, &first.lines, first.card, &first.key).await;
            assert_eq!(
                body["data"]["placeOrder"]["id"],
                first.order_id.as_str(),
                "a retry returns the first order: {body}"
            );
        }
        Op::Cancel { customer, nth } => {
            let customer = &customers[*customer];
            let (_, body) = front
                .call(
                    Target::Router,
                    Some(&customer.token),
                    "{ myOrders { id status } }",
                    json!({}),
                )
                .await;
            let confirmed: Vec<&str> = body["data"]["myOrders"]
                .as_array()
                .unwrap_or_else(|| panic!("{body}"))
                .iter()
                .filter(|o| o["status"] == "CONFIRMED")
                .filter_map(|o| o["id"].as_str())
                .collect();
            if confirmed.is_empty() {
                return;
            }
            let id = confirmed[nth % confirmed.len()];
            let (_, body) = front
                .call(
                    Target::Router,
                    Some(&customer.token),
                    "mutation($id: ID!) { cancelOrder(id: $id) { status } }",
                    json!({ "id": id }),
                )
                .await;
            assert_eq!(body["data"]["cancelOrder"]["status"], "CANCELLED", "{body}");
        }
        Op::Restart => unreachable!("handled by the caller"),
    }
}

async fn place(
    front: &Shopfront,
    customer: &Customer,
    lines: &[(usize, i32)],
    card: Card,
    key: &str,
) -> Value {
    let items: Vec<(&str, i32)> = lines.iter().map(|(p, q)| (PRODUCTS[*p].0, *q)).collect();
    front.place(customer, &items, card.number(), key).await
}

/// The id of the order a checkout made, if it made one; fails the test on an
/// outcome that is not one of the expected ones.
fn placed_order(body: &Value, card: Card) -> Option<String> {
    if let Some(error) = body["errors"].as_array().and_then(|e| e.first()) {
        let code = error["extensions"]["code"].as_str().unwrap_or_default();
        match (code, card) {
            ("BAD_USER_INPUT", Card::Invalid) | ("RATE_LIMITED", _) => return None,
            _ => panic!("unexpected checkout error: {body}"),
        }
    }
    let order = &body["data"]["placeOrder"];
    let status = order["status"].as_str().unwrap_or_else(|| panic!("{body}"));
    let expected: &[&str] = match card {
        Card::Approved => &["CONFIRMED", "REJECTED"],
        Card::Declined => &["PAYMENT_FAILED", "REJECTED"],
        Card::Invalid => panic!("an invalid card made an order: {body}"),
    };
    assert!(expected.contains(&status), "{card:?}: {body}");
    order["id"].as_str().map(str::to_owned)
}

/// Waits until nothing is in flight (every saga ended, every event consumed).
async fn settle(front: &Shopfront) {
    for _ in 0..300 {
        if front.settled().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the shop did not settle within 15 s");
}

async fn check_money(front: &Shopfront) {
    let ledger = front.ledger().await;
    let captured: i64 = ledger
        .payments
        .iter()
        .filter(|p| p.3 == "SUCCEEDED" || p.3 == "REFUNDED")
        .map(|p| p.4)
        .sum();
    let refunded: i64 = ledger.refunds.iter().map(|r| r.1).sum();
    let confirmed: i64 = ledger
        .orders
        .iter()
        .filter(|o| o.2 == "CONFIRMED")
        .map(|o| o.3)
        .sum();
    assert_eq!(captured - refunded, confirmed, "{ledger:#?}");
    for (order, user, status, total) in &ledger.orders {
        let standing: Vec<_> = ledger
            .payments
            .iter()
            .filter(|p| &p.1 == order && p.3 == "SUCCEEDED")
            .collect();
        if status == "CONFIRMED" {
            assert_eq!(standing.len(), 1, "{order}: {ledger:#?}");
            assert_eq!(standing[0].4, *total, "charged the total: {ledger:#?}");
            assert_eq!(&standing[0].2, user, "charged its owner: {ledger:#?}");
        } else {
            assert!(
                standing.is_empty(),
                "{order} is {status} but charged: {ledger:#?}"
            );
        }
    }
    for (payment, amount) in &ledger.refunds {
        let charged = ledger.payments.iter().find(|p| &p.0 == payment).unwrap();
        assert_eq!(
            *amount, charged.4,
            "a refund is the whole charge, never more"
        );
        assert_eq!(charged.3, "REFUNDED");
    }
}

async fn check_stock(front: &Shopfront) {
    let ledger = front.ledger().await;
    let reserved = front.reserved_units().await;
    let confirmed = front.confirmed_units().await;
    let stock: BTreeMap<&str, (i64, i64)> = ledger
        .stock
        .iter()
        .map(|(id, available, sold)| (id.as_str(), (*available, *sold)))
        .collect();
    for (product, seeded) in PRODUCTS {
        let (available, sold) = stock[product];
        let held = reserved.get(product).copied().unwrap_or_default();
        assert_eq!(
            available + held + sold,
            seeded,
            "{product}: {available} available + {held} reserved + {sold} sold"
        );
        assert!(available >= 0 && sold >= 0);
        assert_eq!(
            sold,
            confirmed.get(product).copied().unwrap_or_default(),
            "{product}: sold units are those of confirmed orders"
        );
    }
}
