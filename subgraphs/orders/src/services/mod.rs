//! The synchronous calls the checkout makes to other services, over their GraphQL
//! endpoints, each with a timeout. Calls to internal operations carry a service
//! token of this service, addressed to the callee and scoped to the operation.
//! Every call that changes something is keyed by the order id, so the saga can
//! repeat any step after a timeout or a crash without reserving or charging twice.
//!
//! Requests and answers are typed: every operation is a query document under
//! `queries/<service>/`, compiled by `graphql_client`'s code generator (in
//! `build.rs`) against that service's committed `schema/<service>.graphql`. A
//! schema change that an operation no longer fits breaks the orders build; a
//! compatible one changes nothing here. One file per called service.

mod inventory;
mod payments;
mod products;

use std::sync::Arc;
use std::time::Duration;

use graphql_client::{GraphQLQuery, Response};
use serde_json::Value;
use shop_common::auth::ServiceTokens;

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

    /// The operation's `data`; any GraphQL error is a failure of the call.
    async fn call<Q: GraphQLQuery>(
        &self,
        callee: Callee,
        url: &str,
        variables: Q::Variables,
    ) -> Result<Q::ResponseData, CallError> {
        let service = callee.service();
        self.call_coded::<Q>(callee, url, variables)
            .await?
            .map_err(|(_, message)| CallError::Failed { service, message })
    }

    /// The operation's `data`, or its first error's code and message.
    async fn call_coded<Q: GraphQLQuery>(
        &self,
        callee: Callee,
        url: &str,
        variables: Q::Variables,
    ) -> Result<Result<Q::ResponseData, (String, String)>, CallError> {
        let service = callee.service();
        let unavailable = |e: reqwest::Error| CallError::Unavailable {
            service,
            message: e.to_string(),
        };
        // The callee's spans join the checkout's trace.
        let mut request =
            shop_common::telemetry::propagate(self.http.post(url).json(&Q::build_query(variables)));
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
        decode::<Q>(service, body)
    }
}

/// An answer's `data` as the operation's types, or its first error's code and
/// message. Errors are read first, from the answer as it came: a partial `data`
/// beside them need not fit the operation's types.
fn decode<Q: GraphQLQuery>(
    service: &'static str,
    body: Value,
) -> Result<Result<Q::ResponseData, (String, String)>, CallError> {
    let answer: Response<Value> =
        serde_json::from_value(body).map_err(|e| unexpected(service, e))?;
    if let Some(error) = answer.errors.as_deref().and_then(<[_]>::first) {
        let code = error
            .extensions
            .as_ref()
            .and_then(|extensions| extensions.get("code"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        return Ok(Err((code.to_owned(), error.message.clone())));
    }
    let data = answer.data.unwrap_or(Value::Null);
    let data = serde_json::from_value(data).map_err(|e| unexpected(service, e))?;
    Ok(Ok(data))
}

/// An answer that does not fit the operation's types (the callee runs a schema
/// other than the committed one).
fn unexpected(service: &'static str, error: serde_json::Error) -> CallError {
    CallError::Failed {
        service,
        message: format!("unexpected answer: {error}"),
    }
}
