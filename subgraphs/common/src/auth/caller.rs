//! Who is calling, as a resolver sees it, and the checks every resolver makes with
//! it: a signed-in person (customer or admin), a service, or nobody.

use async_graphql::Context;

use super::claims::{Claims, ServiceClaims};
use crate::coded_error;

/// Put in every GraphQL request's data by the server. `Rejected` keeps why a sent
/// token was refused, so that a resolver needing a user can say so instead of "not
/// signed in".
#[derive(Debug, Clone)]
pub enum Caller {
    Anonymous,
    /// A customer or an admin, from a token of the users service.
    User(Claims),
    /// Another service, from a service token addressed to this one.
    Service(ServiceClaims),
    Rejected(String),
}

static ANONYMOUS: Caller = Caller::Anonymous;

impl Caller {
    /// The caller of the request `ctx` belongs to.
    pub fn from_ctx<'a>(ctx: &'a Context<'_>) -> &'a Caller {
        ctx.data_opt::<Caller>().unwrap_or(&ANONYMOUS)
    }

    /// The signed-in person's claims, or `UNAUTHENTICATED` (no or a refused token) /
    /// `FORBIDDEN` (a service: services do not shop).
    pub fn user(&self) -> async_graphql::Result<&Claims> {
        match self {
            Caller::User(claims) => Ok(claims),
            Caller::Service(claims) => Err(coded_error(
                "FORBIDDEN",
                format!(
                    "service {} cannot act as a customer: this needs a customer's token",
                    claims.sub
                ),
            )),
            _ => Err(self.unauthenticated()),
        }
    }

    /// The signed-in admin's claims; `FORBIDDEN` for anyone else signed in.
    pub fn admin(&self) -> async_graphql::Result<&Claims> {
        let claims = self.user()?;
        if claims.is_admin() {
            Ok(claims)
        } else {
            Err(coded_error("FORBIDDEN", "this needs an admin account"))
        }
    }

    /// For internal operations: the calling service, if its token grants `scope`.
    /// Anyone else is refused, whatever their token says: these operations move
    /// stock or money and only services may ask for them.
    pub fn service(&self, scope: &str) -> async_graphql::Result<&ServiceClaims> {
        match self {
            Caller::Service(claims) if claims.has_scope(scope) => Ok(claims),
            Caller::Service(claims) => Err(coded_error(
                "FORBIDDEN",
                format!("service {} lacks the scope {scope}", claims.sub),
            )),
            Caller::Rejected(_) => Err(self.unauthenticated()),
            _ => Err(coded_error(
                "FORBIDDEN",
                "this is an internal operation: only a service with a service token may call it",
            )),
        }
    }

    /// Whether the caller may read something `owner_id` owns: the owner, an admin,
    /// or a service whose token grants `service_scope`.
    pub fn may_read(&self, owner_id: &str, service_scope: &str) -> bool {
        match self {
            Caller::User(claims) => claims.sub == owner_id || claims.is_admin(),
            Caller::Service(claims) => claims.has_scope(service_scope),
            Caller::Anonymous | Caller::Rejected(_) => false,
        }
    }

    fn unauthenticated(&self) -> async_graphql::Error {
        match self {
            Caller::Rejected(why) => coded_error(
                "UNAUTHENTICATED",
                format!("the bearer token was refused: {why}"),
            ),
            _ => coded_error(
                "UNAUTHENTICATED",
                "sign in first: this needs a bearer token",
            ),
        }
    }
}

/// The error a personal field (an e-mail address, say) answers with when the
/// caller is neither its owner, nor an admin, nor a service allowed to read it.
pub fn personal_field_error(field: &str) -> async_graphql::Error {
    coded_error(
        "FORBIDDEN",
        format!("{field} is visible only to its owner and to admins"),
    )
}
