//! Turning a bearer token into a [`Caller`]: customer tokens are checked against
//! the users service's keys, service tokens against the keys of the service that
//! signed them, which must be one this service trusts, and addressed to it.

use std::collections::HashMap;

use serde::Deserialize;

use super::caller::Caller;
use super::claims::{ISSUER, MAX_SERVICE_TOKEN_SECONDS, ServiceClaims, service_issuer};
use super::verifier::JwtVerifier;

/// The verifiers of one service: whose tokens it accepts.
pub struct Authenticator {
    /// This service's name: the audience service tokens must be addressed to.
    service: String,
    users: Option<JwtVerifier>,
    /// By issuer (`switchyard-service:<name>`).
    services: HashMap<String, JwtVerifier>,
}

/// Just enough of a token to pick the verifier; the verifier checks it all again.
#[derive(Deserialize)]
struct Unverified {
    iss: Option<String>,
}

impl Authenticator {
    /// Accepts nothing yet; add issuers with [`Self::users`] and [`Self::trust_service`].
    pub fn new(service: impl Into<String>) -> Self {
        Self {
            service: service.into(),
            users: None,
            services: HashMap::new(),
        }
    }

    /// Accepts customers' tokens verified by `verifier`.
    pub fn users(mut self, verifier: JwtVerifier) -> Self {
        self.users = Some(verifier);
        self
    }

    /// Accepts the service tokens `service` signs with the keys at `jwks_url`, when
    /// they are addressed to this service.
    pub fn trust_service(mut self, service: &str, jwks_url: impl Into<String>) -> Self {
        let issuer = service_issuer(service);
        let verifier =
            JwtVerifier::from_jwks_url(jwks_url).for_issuer(&issuer, Some(self.service.clone()));
        self.services.insert(issuer, verifier);
        self
    }

    /// Who presents `token`. Never fails: a token that does not verify gives
    /// [`Caller::Rejected`] with the reason.
    pub async fn identify(&self, token: &str) -> Caller {
        let issuer = jsonwebtoken::dangerous::insecure_decode::<Unverified>(token)
            .ok()
            .and_then(|data| data.claims.iss);
        let Some(issuer) = issuer else {
            return Caller::Rejected("malformed token: no issuer (iss)".into());
        };
        if issuer == ISSUER {
            return match &self.users {
                Some(users) => match users.verify(token).await {
                    Ok(claims) => Caller::User(claims),
                    Err(err) => Caller::Rejected(err.to_string()),
                },
                None => Caller::Rejected("this service does not accept customer tokens".into()),
            };
        }
        let Some(verifier) = self.services.get(&issuer) else {
            return Caller::Rejected(format!("tokens of {issuer:?} are not accepted here"));
        };
        match verifier.verify_as::<ServiceClaims>(token).await {
            Ok(claims) if claims.exp - claims.iat > MAX_SERVICE_TOKEN_SECONDS => Caller::Rejected(
                format!("a service token may live at most {MAX_SERVICE_TOKEN_SECONDS} s"),
            ),
            Ok(claims) if service_issuer(&claims.sub) != claims.iss => {
                Caller::Rejected("the service token's subject does not match its issuer".into())
            }
            Ok(claims) => Caller::Service(claims),
            Err(err) => Caller::Rejected(err.to_string()),
        }
    }
}
