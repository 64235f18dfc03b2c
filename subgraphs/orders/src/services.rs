//! The synchronous calls the checkout makes to other services, over their GraphQL
//! endpoints, each with a timeout. Calls to internal operations carry a service
//! token of this service, addressed to the callee and scoped to the operation.
//! Every call that changes something is keyed by the order id, so the saga can
//! repeat any step after a timeout or a crash without reserving or charging twice.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use shop_common::auth::{ServiceTokens, scopes};
use shop_common::card::CardDetails;

/// Where the other services are, and how long to wait for them.
#[derive(Debug, Clone)]
pub struct ServiceUrls {
    pub products: String,
    pub inventory: String,
    pub payments: String,
    pub timeout: Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum CallError {
    #[error("{service} did not answer: {message}")]
    Unavailable {
        service: &'static str,
        message: String,
    },
    #[error("{service} answered with an error: {message}")]
    Failed {
        service: &'static str,
        message: String,
    },
}

/// A product's current price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Price {
    pub amount_cents: i64,
    pub currency: String,
}

pub enum Reserved {
    Held {
        reservation_id: String,
    },
    /// The message names the product that was short.
    OutOfStock(String),
}

pub enum Committed {
    Done,
    /// The reservation can no longer be committed (it expired or was released).
    TooLate(String),
}

/// What became of a charge.
pub enum Charged {
    /// Captured: `amount` is what was charged, for the saga to hold against the
    /// order's total.
    Succeeded { payment_id: String, amount: Price },
    /// Declined by the processor, or refused (an invalid card): nothing was charged.
    Declined(String),
    /// No charge exists for the order (asked during recovery).
    Absent,
}

/// Who a call goes to and with which token.
#[derive(Clone, Copy)]
enum Callee {
    /// Public data (prices): no token.
    Public(&'static str),
    /// An internal operation: a service token for the service, with the scope.
    Internal(&'static str, &'static str),
}

impl Callee {
    fn service(self) -> &'static str {
        match self {
            Callee::Public(service) | Callee::Internal(service, _) => service,
        }
    }
}

#[derive(Clone)]
pub struct Services {
    urls: ServiceUrls,
    http: reqwest::Client,
    tokens: Arc<ServiceTokens>,
}

impl Services {
    pub fn new(urls: ServiceUrls, tokens: Arc<ServiceTokens>) -> Services {
        let http = reqwest::Client::builder()
            .timeout(urls.timeout)
            .build()
            .unwrap_or_default();
        Services { urls, http, tokens }
    }

    /// Current prices of `product_ids`; unknown products are absent from the map.
    pub async fn prices(
        &self,
        product_ids: &[String],
    ) -> Result<HashMap<String, Price>, CallError> {
        let representations: Vec<Value> = product_ids
            .iter()
            .map(|id| json!({ "__typename": "Product", "id": id }))
            .collect();
        let data = self
            .call(
                Callee::Public("products"),
                &self.urls.products,
                "query($r: [_Any!]!) { _entities(representations: $r) { ... on Product { id price { amountCents currency } } } }",
                json!({ "r": representations }),
            )
            .await?;
        let mut prices = HashMap::new();
        for entity in data["_entities"].as_array().into_iter().flatten() {
            let (Some(id), Some(cents), Some(currency)) = (
                entity["id"].as_str(),
                entity["price"]["amountCents"].as_i64(),
                entity["price"]["currency"].as_str(),
            ) else {
                continue;
            };
            prices.insert(
                id.to_owned(),
                Price {
                    amount_cents: cents,
                    currency: currency.to_owned(),
                },
            );
        }
        Ok(prices)
    }

    /// `reserveStock`, idempotent per order.
    pub async fn reserve(
        &self,
        order_id: &str,
        items: &[(String, i32)],
    ) -> Result<Reserved, CallError> {
        let items: Vec<Value> = items
            .iter()
            .map(|(id, quantity)| json!({ "productId": id, "quantity": quantity }))
            .collect();
        let outcome = self
            .call_coded(
                Callee::Internal("inventory", scopes::STOCK_RESERVE),
                &self.urls.inventory,
                "mutation($o: ID!, $i: [ReservationItemInput!]!) { reserveStock(orderId: $o, items: $i) { id } }",
                json!({ "o": order_id, "i": items }),
            )
            .await?;
        match outcome {
            Ok(data) => Ok(Reserved::Held {
                reservation_id: string_at(&data["reserveStock"]["id"], "inventory")?,
            }),
            Err((code, message)) if code == "OUT_OF_STOCK" => Ok(Reserved::OutOfStock(message)),
            Err((_, message)) => Err(CallError::Failed {
                service: "inventory",
                message,
            }),
        }
    }

    /// `releaseStock`; releasing twice is harmless.
    pub async fn release(&self, reservation_id: &str) -> Result<(), CallError> {
        self.call(
            Callee::Internal("inventory", scopes::STOCK_RELEASE),
            &self.urls.inventory,
            "mutation($r: ID!) { releaseStock(reservationId: $r) { id } }",
            json!({ "r": reservation_id }),
        )
        .await
        .map(|_| ())
    }

    /// `commitReservation`; committing twice is harmless.
    pub async fn commit(&self, reservation_id: &str) -> Result<Committed, CallError> {
        let outcome = self
            .call_coded(
                Callee::Internal("inventory", scopes::STOCK_COMMIT),
                &self.urls.inventory,
                "mutation($r: ID!) { commitReservation(reservationId: $r) { id } }",
                json!({ "r": reservation_id }),
            )
            .await?;
        match outcome {
            Ok(_) => Ok(Committed::Done),
            Err((code, message)) if code == "CONFLICT" => Ok(Committed::TooLate(message)),
            Err((_, message)) => Err(CallError::Failed {
                service: "inventory",
                message,
            }),
        }
    }

    /// `processPayment` of the order's total on behalf of its owner; payments
    /// charges an order at most once.
    pub async fn charge(
        &self,
        customer_id: &str,
        order_id: &str,
        total: &Price,
        card: &CardDetails,
    ) -> Result<Charged, CallError> {
        let outcome = self
            .call_coded(
                Callee::Internal("payments", scopes::PAYMENTS_CHARGE),
                &self.urls.payments,
                "mutation($o: ID!, $u: ID!, $a: MoneyInput!, $c: ChargeCardInput!) { processPayment(orderId: $o, customerId: $u, amount: $a, card: $c) { id status declineReason amount { amountCents currency } } }",
                json!({
                    "o": order_id,
                    "u": customer_id,
                    "a": { "amountCents": total.amount_cents, "currency": total.currency },
                    "c": {
                        "number": card.number,
                        "expiryMonth": card.expiry_month,
                        "expiryYear": card.expiry_year,
                        "cvc": card.cvc,
                    },
                }),
            )
            .await?;
        match outcome {
            Ok(data) => charged(&data["processPayment"]),
            // The card was refused before any charge (invalid number, expired, ...).
            Err((code, message)) if code == "BAD_USER_INPUT" => Ok(Charged::Declined(message)),
            Err((_, message)) => Err(CallError::Failed {
                service: "payments",
                message,
            }),
        }
    }

    /// The charge payments holds for `order_id`, if any (`Order.payment`, read with
    /// the `payments:read` scope).
    pub async fn charge_of(&self, order_id: &str) -> Result<Charged, CallError> {
        let data = self
            .call(
                Callee::Internal("payments", scopes::PAYMENTS_READ),
                &self.urls.payments,
                "query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { payment { id status declineReason amount { amountCents currency } } } } }",
                json!({ "r": [{ "__typename": "Order", "id": order_id }] }),
            )
            .await?;
        let payment = &data["_entities"][0]["payment"];
        if payment.is_null() {
            return Ok(Charged::Absent);
        }
        charged(payment)
    }

    async fn call(
        &self,
        callee: Callee,
        url: &str,
        query: &str,
        variables: Value,
    ) -> Result<Value, CallError> {
        let service = callee.service();
        self.call_coded(callee, url, query, variables)
            .await?
            .map_err(|(_, message)| CallError::Failed { service, message })
    }

    /// The response's `data`, or its first error's code and message.
    async fn call_coded(
        &self,
        callee: Callee,
        url: &str,
        query: &str,
        variables: Value,
    ) -> Result<Result<Value, (String, String)>, CallError> {
        let service = callee.service();
        let unavailable = |e: reqwest::Error| CallError::Unavailable {
            service,
            message: e.to_string(),
        };
        // The callee's spans join the checkout's trace.
        let mut request = shop_common::telemetry::propagate(
            self.http
                .post(url)
                .json(&json!({ "query": query, "variables": variables })),
        );
        if let Callee::Internal(audience, scope) = callee {
            let token = self
                .tokens
                .token(audience, &[scope])
                .map_err(|e| CallError::Failed {
                    service,
                    message: format!("cannot sign a service token: {e}"),
                })?;
            request = request.bearer_auth(token);
        }
        let response = request.send().await.map_err(unavailable)?;
        let body: Value = response.json().await.map_err(unavailable)?;
        if let Some(error) = body["errors"].as_array().and_then(|e| e.first()) {
            let code = error["extensions"]["code"].as_str().unwrap_or_default();
            let message = error["message"].as_str().unwrap_or("unknown error");
            return Ok(Err((code.to_owned(), message.to_owned())));
        }
        Ok(Ok(body["data"].clone()))
    }
}

fn charged(payment: &Value) -> Result<Charged, CallError> {
    let id = string_at(&payment["id"], "payments")?;
    // An answer without the amount matches no order's total: the saga then treats
    // the charge as a mismatch and compensates, never confirms.
    let amount = Price {
        amount_cents: payment["amount"]["amountCents"].as_i64().unwrap_or(-1),
        currency: payment["amount"]["currency"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    };
    match payment["status"].as_str() {
        Some("DECLINED") => Ok(Charged::Declined(
            payment["declineReason"]
                .as_str()
                .unwrap_or("declined")
                .to_owned(),
        )),
        // A refunded payment went through once: the saga treats it as paid, and the
        // refund is what compensation would have done anyway.
        Some("SUCCEEDED" | "REFUNDED") => Ok(Charged::Succeeded {
            payment_id: id,
            amount,
        }),
        other => Err(CallError::Failed {
            service: "payments",
            message: format!("unexpected payment status {other:?}"),
        }),
    }
}

fn string_at(value: &Value, service: &'static str) -> Result<String, CallError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| CallError::Failed {
            service,
            message: format!("unexpected answer {value}"),
        })
}
