//! What the shop's two kinds of token say: a customer's (or an admin's), signed by
//! the users service, and a service's, signed by the calling service itself.

use serde::{Deserialize, Serialize};

/// The issuer every customer token carries.
pub const ISSUER: &str = "switchyard-users";

/// The longest a service token may live: a stolen one is useless soon after.
pub const MAX_SERVICE_TOKEN_SECONDS: i64 = 10 * 60;

/// A person's role. Tokens issued before roles existed carry none: customers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    #[default]
    Customer,
    /// Staff: restocking, and reading any customer's orders and payments.
    Admin,
}

/// What a customer token says about its bearer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// The user's id.
    pub sub: String,
    pub email: String,
    #[serde(default)]
    pub role: Role,
    pub iss: String,
    pub iat: i64,
    pub exp: i64,
}

impl Claims {
    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// What a service token says: which service (`sub`) calls which one (`aud`) for
/// what (`scope`, space-separated as in OAuth 2.0).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceClaims {
    /// The calling service's name, e.g. `orders`.
    pub sub: String,
    /// [`service_issuer`] of `sub`.
    pub iss: String,
    /// The service the token is for, e.g. `inventory`.
    pub aud: String,
    pub scope: String,
    pub iat: i64,
    pub exp: i64,
}

impl ServiceClaims {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scope.split(' ').any(|s| s == scope)
    }
}

/// The `iss` of the service tokens `service` signs. Distinct from [`ISSUER`], so a
/// service token is never taken for a customer's, nor the other way round.
pub fn service_issuer(service: &str) -> String {
    format!("switchyard-service:{service}")
}
