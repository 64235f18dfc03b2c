//! What became of a payment: stored as a typed column (sea-orm active enum, by
//! the same names as the GraphQL enum), and shown as the GraphQL enum.

use async_graphql::Enum;
use sea_orm::entity::prelude::*;

/// A payment's status as stored. `Processing` exists only inside the
/// transaction that charges the card: it is replaced before the transaction
/// commits, so no reader ever sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Text")]
pub enum StoredStatus {
    #[sea_orm(string_value = "PROCESSING")]
    Processing,
    #[sea_orm(string_value = "SUCCEEDED")]
    Succeeded,
    #[sea_orm(string_value = "DECLINED")]
    Declined,
    #[sea_orm(string_value = "REFUNDED")]
    Refunded,
}

/// What became of a payment.
#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PaymentStatus {
    Succeeded,
    Declined,
    Refunded,
}

impl PaymentStatus {
    /// The status a stored one shows as; `None` for `Processing`, which no
    /// committed row holds.
    pub fn shown(stored: StoredStatus) -> Option<Self> {
        match stored {
            StoredStatus::Processing => None,
            StoredStatus::Succeeded => Some(PaymentStatus::Succeeded),
            StoredStatus::Declined => Some(PaymentStatus::Declined),
            StoredStatus::Refunded => Some(PaymentStatus::Refunded),
        }
    }
}

impl From<PaymentStatus> for StoredStatus {
    fn from(status: PaymentStatus) -> Self {
        match status {
            PaymentStatus::Succeeded => StoredStatus::Succeeded,
            PaymentStatus::Declined => StoredStatus::Declined,
            PaymentStatus::Refunded => StoredStatus::Refunded,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shown_status_round_trips_through_storage() {
        for status in [
            PaymentStatus::Succeeded,
            PaymentStatus::Declined,
            PaymentStatus::Refunded,
        ] {
            assert_eq!(PaymentStatus::shown(status.into()), Some(status));
        }
        assert_eq!(PaymentStatus::shown(StoredStatus::Processing), None);
        assert_eq!(StoredStatus::Declined.to_value(), "DECLINED");
    }
}
