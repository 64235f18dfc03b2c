//! The rate limits of the users service, against password guessing (failed
//! sign-ins, per account and per client address) and mass account creation
//! (sign-ups per client address). A correct sign-in is never slowed down.

use std::net::IpAddr;

use shop_common::client_ip::ClientIp;
use shop_common::rate_limit::{KeyedLimiter, Limited, RateLimit};

/// The configurable limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Failed sign-ins of one account (by e-mail address, known or not).
    pub sign_in_failures_per_account: RateLimit,
    /// Failed sign-ins from one client address, whatever the account.
    pub sign_in_failures_per_client: RateLimit,
    /// Sign-up attempts from one client address.
    pub sign_ups_per_client: RateLimit,
}

impl Default for Limits {
    /// 5 wrong passwords per account and 20 per client address in 15 minutes,
    /// 10 sign-ups per client address an hour.
    fn default() -> Self {
        Self {
            sign_in_failures_per_account: "5/15m".parse().expect("valid limit"),
            sign_in_failures_per_client: "20/15m".parse().expect("valid limit"),
            sign_ups_per_client: "10/1h".parse().expect("valid limit"),
        }
    }
}

/// Why an attempt was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("{what}")]
pub struct RateLimited {
    pub what: &'static str,
    pub limited: Limited,
}

pub struct Limiters {
    per_account: KeyedLimiter<String>,
    per_client: KeyedLimiter<IpAddr>,
    sign_ups: KeyedLimiter<IpAddr>,
}

impl Limiters {
    pub fn new(limits: Limits) -> Self {
        Self {
            per_account: KeyedLimiter::failures(limits.sign_in_failures_per_account),
            per_client: KeyedLimiter::failures(limits.sign_in_failures_per_client),
            sign_ups: KeyedLimiter::new(limits.sign_ups_per_client),
        }
    }

    /// Before a sign-in of `email` (normalised) from `client`.
    pub fn may_sign_in(&self, email: &str, client: ClientIp) -> Result<(), RateLimited> {
        self.per_account
            .check(&email.to_owned())
            .map_err(|limited| RateLimited {
                what: "too many failed sign-ins for this account",
                limited,
            })?;
        if let ClientIp(Some(ip)) = client {
            self.per_client.check(&ip).map_err(|limited| RateLimited {
                what: "too many failed sign-ins from this address",
                limited,
            })?;
        }
        Ok(())
    }

    /// After a wrong password (or an unknown e-mail).
    pub fn sign_in_failed(&self, email: &str, client: ClientIp) {
        self.per_account.record_failure(&email.to_owned());
        if let ClientIp(Some(ip)) = client {
            self.per_client.record_failure(&ip);
        }
    }

    /// Counts a sign-up attempt from `client`.
    pub fn sign_up(&self, client: ClientIp) -> Result<(), RateLimited> {
        match client {
            ClientIp(Some(ip)) => self.sign_ups.hit(&ip).map_err(|limited| RateLimited {
                what: "too many sign-ups from this address",
                limited,
            }),
            ClientIp(None) => Ok(()),
        }
    }
}
