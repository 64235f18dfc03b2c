//! What shipping a product costs, estimated from its price and weight.
//!
//! The rule (integer cents, in the product's own currency):
//! - orders of a product priced at 100.00 or more ship free;
//! - otherwise a 4.99 base fee plus 1 cent for every started 10 g.
//!
//! It lives here because inventory knows where goods ship from; the price and
//! weight come from the products service through `@requires`.

/// Price (in minor units) from which shipping is free.
pub const FREE_SHIPPING_FROM_CENTS: i64 = 10_000;
/// Flat part of every paid shipment, in minor units.
pub const BASE_FEE_CENTS: i64 = 499;
/// One cent per this many grams, rounded up.
pub const GRAMS_PER_CENT: i64 = 10;

/// The estimate in minor units of the price's currency. Negative weights count
/// as zero (they cannot be real, and must not lower the fee).
pub fn shipping_estimate_cents(price_cents: i64, weight_grams: i64) -> i64 {
    if price_cents >= FREE_SHIPPING_FROM_CENTS {
        return 0;
    }
    let weight = weight_grams.max(0);
    BASE_FEE_CENTS + (weight + GRAMS_PER_CENT - 1) / GRAMS_PER_CENT
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_from_the_threshold_otherwise_base_plus_weight() {
        assert_eq!(shipping_estimate_cents(10_000, 5_000), 0);
        assert_eq!(shipping_estimate_cents(25_000, 0), 0);
        assert_eq!(shipping_estimate_cents(9_999, 0), 499);
        assert_eq!(shipping_estimate_cents(9_999, 1), 500);
        assert_eq!(shipping_estimate_cents(9_999, 10), 500);
        assert_eq!(shipping_estimate_cents(9_999, 11), 501);
        assert_eq!(shipping_estimate_cents(5_499, 900), 589);
        assert_eq!(shipping_estimate_cents(100, -50), 499);
    }
}
