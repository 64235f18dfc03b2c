//! Card details as a customer types them, and the checks a card must pass before
//! anything is stored or charged: the number's length and Luhn checksum, the expiry
//! and the security code. Both orders (which refuses a bad card before it creates
//! an order) and payments (which charges) apply the same rules.
//!
//! The full number and the CVC live only in memory for the duration of a request:
//! [`ValidCard`] hands out nothing but brand and last four digits to store, and
//! neither type prints the number.

use chrono::Datelike;

/// Card details as the client sent them.
#[derive(Clone)]
pub struct CardDetails {
    pub number: String,
    pub expiry_month: i32,
    pub expiry_year: i32,
    pub cvc: String,
}

impl CardDetails {
    pub fn new(
        number: impl Into<String>,
        expiry_month: i32,
        expiry_year: i32,
        cvc: impl Into<String>,
    ) -> Self {
        Self {
            number: number.into(),
            expiry_month,
            expiry_year,
            cvc: cvc.into(),
        }
    }
}

/// Never prints the number or the CVC.
impl std::fmt::Debug for CardDetails {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CardDetails(..)")
    }
}

/// A card that passed validation.
pub struct ValidCard {
    number: String,
    brand: &'static str,
}

impl ValidCard {
    pub fn brand(&self) -> &'static str {
        self.brand
    }

    /// The whole number, for the processor that charges it; never store or log it.
    pub fn number(&self) -> &str {
        &self.number
    }

    pub fn last4(&self) -> &str {
        &self.number[self.number.len() - 4..]
    }
}

/// Never prints the number or the CVC, so a card cannot end up in a log by accident.
impl std::fmt::Debug for ValidCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} card ending {}", self.brand, self.last4())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CardError {
    #[error("card number is invalid")]
    InvalidNumber,
    #[error("card expiry month must be between 1 and 12")]
    InvalidExpiryMonth,
    #[error("card expiry year must have four digits")]
    InvalidExpiryYear,
    #[error("card has expired")]
    Expired,
    #[error("card security code (cvc) must be 3 or 4 digits")]
    InvalidCvc,
}

/// Checks number (after removing spaces and dashes), Luhn checksum, expiry (a card is
/// valid through the last day of its expiry month) and CVC, as of `today`.
pub fn validate(card: &CardDetails, today: chrono::NaiveDate) -> Result<ValidCard, CardError> {
    let number: String = card
        .number
        .chars()
        .filter(|c| *c != ' ' && *c != '-')
        .collect();
    if !(12..=19).contains(&number.len())
        || !number.bytes().all(|b| b.is_ascii_digit())
        || !luhn(&number)
    {
        return Err(CardError::InvalidNumber);
    }
    if !(1..=12).contains(&card.expiry_month) {
        return Err(CardError::InvalidExpiryMonth);
    }
    if !(1000..=9999).contains(&card.expiry_year) {
        return Err(CardError::InvalidExpiryYear);
    }
    if (card.expiry_year, card.expiry_month as u32) < (today.year(), today.month()) {
        return Err(CardError::Expired);
    }
    if !(3..=4).contains(&card.cvc.len()) || !card.cvc.bytes().all(|b| b.is_ascii_digit()) {
        return Err(CardError::InvalidCvc);
    }
    let brand = brand(&number);
    Ok(ValidCard { number, brand })
}

/// The Luhn checksum every card number carries in its last digit.
fn luhn(digits: &str) -> bool {
    let sum: u32 = digits
        .bytes()
        .rev()
        .map(|b| u32::from(b - b'0'))
        .enumerate()
        .map(|(i, d)| match (i % 2, d * 2) {
            (0, _) => d,
            (_, doubled) if doubled > 9 => doubled - 9,
            (_, doubled) => doubled,
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The card network, from the number's prefix (IIN ranges).
fn brand(number: &str) -> &'static str {
    let prefix = |len: usize| number[..len].parse::<u32>().unwrap_or(0);
    match (prefix(1), prefix(2), prefix(4)) {
        (4, _, _) => "visa",
        (_, 51..=55, _) | (_, _, 2221..=2720) => "mastercard",
        (_, 34 | 37, _) => "amex",
        (_, 65, _) | (_, _, 6011) => "discover",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(number: &str, month: i32, year: i32, cvc: &str) -> CardDetails {
        CardDetails::new(number, month, year, cvc)
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()
    }

    #[test]
    fn numbers_are_normalised_and_checked() {
        let valid = validate(&card("4242 4242-4242 4242", 12, 2030, "123"), today()).unwrap();
        assert_eq!((valid.brand(), valid.last4()), ("visa", "4242"));
        assert_eq!(format!("{valid:?}"), "visa card ending 4242");
        for bad in [
            "4242424242424241",
            "4242",
            "4242x42424242424",
            "",
            "0000 0000 0000 0000 0000",
        ] {
            assert_eq!(
                validate(&card(bad, 12, 2030, "123"), today()).unwrap_err(),
                CardError::InvalidNumber,
                "{bad}"
            );
        }
        let mastercard = validate(&card("5555555555554444", 1, 2031, "1234"), today()).unwrap();
        assert_eq!(mastercard.brand(), "mastercard");
        let amex = validate(&card("378282246310005", 1, 2031, "1234"), today()).unwrap();
        assert_eq!(amex.brand(), "amex");
    }

    #[test]
    fn expiry_and_cvc() {
        let number = "4242424242424242";
        assert!(
            validate(&card(number, 11, 2026, "123"), today()).is_ok(),
            "valid through its month"
        );
        assert_eq!(
            validate(&card(number, 10, 2026, "123"), today()).unwrap_err(),
            CardError::Expired
        );
        assert_eq!(
            validate(&card(number, 12, 2025, "123"), today()).unwrap_err(),
            CardError::Expired
        );
        assert_eq!(
            validate(&card(number, 13, 2030, "123"), today()).unwrap_err(),
            CardError::InvalidExpiryMonth
        );
        assert_eq!(
            validate(&card(number, 0, 2030, "123"), today()).unwrap_err(),
            CardError::InvalidExpiryMonth
        );
        assert_eq!(
            validate(&card(number, 1, 30, "123"), today()).unwrap_err(),
            CardError::InvalidExpiryYear
        );
        for cvc in ["12", "12345", "12a"] {
            assert_eq!(
                validate(&card(number, 1, 2030, cvc), today()).unwrap_err(),
                CardError::InvalidCvc
            );
        }
    }
}
