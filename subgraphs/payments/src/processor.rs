//! The built-in card processor: validates cards like a real acquirer would and
//! answers with the well-known test numbers' outcomes, so that the whole checkout
//! (including declines) can run without an external payment provider.
//!
//! - `4242 4242 4242 4242` and any other valid number: approved.
//! - `4000 0000 0000 0002`: declined, `card_declined`.
//! - `4000 0000 0000 9995`: declined, `insufficient_funds`.
//!
//! Cards are validated by `shop_common::card` before they get here.

use shop_common::card::ValidCard;

/// What the processor answered to a charge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChargeOutcome {
    Approved,
    /// Declined, with the machine-readable reason the client sees as `declineReason`.
    Declined(&'static str),
}

/// The in-process processor. Its answers depend only on the card, which makes
/// checkout outcomes reproducible in tests and demos.
#[derive(Debug, Default, Clone, Copy)]
pub struct TestCardProcessor;

impl TestCardProcessor {
    pub fn charge(&self, card: &ValidCard, _amount_cents: i64, _currency: &str) -> ChargeOutcome {
        match card.number() {
            "4000000000000002" => ChargeOutcome::Declined("card_declined"),
            "4000000000009995" => ChargeOutcome::Declined("insufficient_funds"),
            _ => ChargeOutcome::Approved,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use shop_common::card::{CardDetails, validate};

    #[test]
    fn test_numbers_decide_the_outcome() {
        let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap();
        let charge = |number: &str| {
            let card = validate(&CardDetails::new(number, 1, 2030, "123"), today).unwrap();
            TestCardProcessor.charge(&card, 100, "EUR")
        };
        assert_eq!(charge("4242424242424242"), ChargeOutcome::Approved);
        assert_eq!(
            charge("4000000000000002"),
            ChargeOutcome::Declined("card_declined")
        );
        assert_eq!(
            charge("4000-0000-0000-9995"),
            ChargeOutcome::Declined("insufficient_funds")
        );
        assert_eq!(charge("5555555555554444"), ChargeOutcome::Approved);
    }
}
