//! The scopes of service tokens: what a calling service may ask of another. Each
//! internal operation requires exactly one; the caller asks for the ones it uses.

/// inventory: `reserveStock`.
pub const STOCK_RESERVE: &str = "stock:reserve";
/// inventory: `commitReservation`.
pub const STOCK_COMMIT: &str = "stock:commit";
/// inventory: `releaseStock`.
pub const STOCK_RELEASE: &str = "stock:release";
/// inventory: `reservation(id)` and `reservationOfOrder`.
pub const STOCK_READ: &str = "stock:read";
/// payments: `processPayment`.
pub const PAYMENTS_CHARGE: &str = "payments:charge";
/// payments: reading any customer's payments (`Order.payment` during recovery).
pub const PAYMENTS_READ: &str = "payments:read";
/// orders: reading any customer's orders through `_entities`.
pub const ORDERS_READ: &str = "orders:read";
/// users: reading any user's personal fields (`User.email`).
pub const USERS_READ: &str = "users:read";
