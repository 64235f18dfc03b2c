//! Who may do what. Two kinds of caller reach a service: people, with a token the
//! users service signed (customers, and admins by role), and other services, with
//! a short-lived token signed by the calling service and addressed to this one.
//! [`Authenticator`] tells them apart; [`Caller`] is what resolvers check.

mod authenticator;
mod caller;
mod claims;
pub mod scopes;
mod service_tokens;
mod trust;
mod verifier;

pub use authenticator::Authenticator;
pub use caller::{Caller, personal_field_error};
pub use claims::{Claims, ISSUER, MAX_SERVICE_TOKEN_SECONDS, Role, ServiceClaims, service_issuer};
pub use service_tokens::ServiceTokens;
pub use trust::{
    DEFAULT_ORDERS_JWKS_URL, DEFAULT_USERS_JWKS_URL, InvalidTrustedService, TrustedService,
    authenticator,
};
pub use verifier::{AuthError, JwtVerifier};
