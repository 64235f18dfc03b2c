//! `Payment`, owned by this subgraph.

use async_graphql::{ID, Object, SimpleObject};
use chrono::{DateTime, Utc};

use super::{Money, Order};
use crate::entity::payment;
use crate::status::PaymentStatus;

pub struct Payment(pub payment::Model);

/// The card a payment charged, as a receipt shows it. Only the brand and the
/// last four digits are ever stored; the number and the CVC never are.
#[derive(SimpleObject)]
pub struct PaymentCard {
    /// `visa`, `mastercard`, `amex`, `discover` or `unknown`.
    brand: String,
    /// The last four digits of the number.
    last4: String,
}

#[Object]
impl Payment {
    async fn id(&self) -> ID {
        ID(self.0.id.clone())
    }

    async fn order(&self) -> Order {
        Order {
            id: ID(self.0.order_id.clone()),
        }
    }

    async fn amount(&self) -> async_graphql::Result<Money> {
        Money::from_stored(self.0.amount_cents, &self.0.currency)
    }

    async fn status(&self) -> async_graphql::Result<PaymentStatus> {
        PaymentStatus::shown(self.0.status).ok_or_else(|| {
            shop_common::errors::internal_error(
                "a payment still processing was read",
                format!("{:?}", self.0.status),
            )
        })
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    /// The card charged: its brand and last four digits.
    async fn card(&self) -> PaymentCard {
        PaymentCard {
            brand: self.0.card_brand.clone(),
            last4: self.0.card_last4.clone(),
        }
    }

    /// Why the card was declined (`card_declined`, `insufficient_funds`); null unless
    /// the status is `DECLINED`.
    async fn decline_reason(&self) -> Option<&str> {
        self.0.decline_reason.as_deref()
    }
}
