//! What became of a payment. Stored by name, identical to the GraphQL enum value.

use async_graphql::Enum;

#[derive(Enum, Copy, Clone, Debug, PartialEq, Eq)]
pub enum PaymentStatus {
    Succeeded,
    Declined,
    Refunded,
}

impl PaymentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentStatus::Succeeded => "SUCCEEDED",
            PaymentStatus::Declined => "DECLINED",
            PaymentStatus::Refunded => "REFUNDED",
        }
    }

    /// Reads a stored name; `None` for a value this version does not know.
    pub fn parse(name: &str) -> Option<Self> {
        [
            PaymentStatus::Succeeded,
            PaymentStatus::Declined,
            PaymentStatus::Refunded,
        ]
        .into_iter()
        .find(|status| status.as_str() == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_round_trip() {
        for name in ["SUCCEEDED", "DECLINED", "REFUNDED"] {
            assert_eq!(
                PaymentStatus::parse(name).map(PaymentStatus::as_str),
                Some(name)
            );
        }
        assert_eq!(PaymentStatus::parse("PROCESSING"), None);
    }
}
