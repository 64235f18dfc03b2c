//! Rate limits on what attackers repeat: failed sign-ins (password guessing),
//! sign-ups, declined cards (card testing). Built on `governor` (GCRA): a limit
//! `N/PERIOD` allows a burst of N, and one more every PERIOD/N after that.
//!
//! Two ways to count. [`KeyedLimiter::hit`] counts every attempt (sign-ups).
//! [`KeyedLimiter::check`] before an attempt plus [`KeyedLimiter::record_failure`]
//! after a failed one count only failures (a customer who signs in correctly is
//! never slowed down): after N failures the key is refused until the budget refills.

use std::collections::HashMap;
use std::hash::Hash;
use std::num::NonZeroU32;
use std::str::FromStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

use async_graphql::ErrorExtensions;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::coded_error;

/// `N/PERIOD`, e.g. `5/15m`: N in a burst, then one more every PERIOD/N.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub count: NonZeroU32,
    pub period: Duration,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid rate limit {0:?}: expected COUNT/PERIOD with COUNT >= 1, e.g. 5/15m or 100/1h")]
pub struct InvalidRateLimit(String);

impl RateLimit {
    pub fn new(count: u32, period: Duration) -> Result<Self, InvalidRateLimit> {
        let invalid = || InvalidRateLimit(format!("{count}/{period:?}"));
        let count = NonZeroU32::new(count).ok_or_else(invalid)?;
        if period.is_zero() {
            return Err(invalid());
        }
        Ok(Self { count, period })
    }

    /// One unit of the budget comes back every `period / count`.
    fn replenish_interval(&self) -> Duration {
        (self.period / self.count.get()).max(Duration::from_nanos(1))
    }
}

impl FromStr for RateLimit {
    type Err = InvalidRateLimit;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let invalid = || InvalidRateLimit(text.to_owned());
        let (count, period) = text.split_once('/').ok_or_else(invalid)?;
        let count: u32 = count.trim().parse().map_err(|_| invalid())?;
        let period = humantime::parse_duration(period.trim()).map_err(|_| invalid())?;
        Self::new(count, period).map_err(|_| invalid())
    }
}

impl std::fmt::Display for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}",
            self.count,
            humantime::format_duration(self.period)
        )
    }
}

/// A refused attempt: when to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limited {
    pub retry_after: Duration,
}

impl Limited {
    /// The GraphQL error: code `RATE_LIMITED`, with `extensions.retryAfterSeconds`
    /// (rounded up, at least 1) as the retry hint.
    pub fn into_error(self, what: &str) -> async_graphql::Error {
        let seconds = self.retry_after.as_secs() + u64::from(self.retry_after.subsec_nanos() > 0);
        let seconds = seconds.max(1);
        coded_error("RATE_LIMITED", format!("{what}: try again in {seconds} s"))
            .extend_with(|_, ext| ext.set("retryAfterSeconds", seconds))
    }
}

/// Housekeeping runs once every this many calls: governor forgets keys whose
/// budget is full again, so a flood of distinct keys does not stay in memory.
const CLEANUP_EVERY: u32 = 1024;

/// A rate limit per key (an account, a client address, a user).
pub struct KeyedLimiter<K: Hash + Eq + Clone> {
    limit: RateLimit,
    /// `None` for a failure limit of one: a single failure blocks.
    limiter: Option<DefaultKeyedRateLimiter<K>>,
    /// Keys refused after too many failures, and until when.
    blocked: Mutex<HashMap<K, Instant>>,
    calls: AtomicU32,
}

impl<K: Hash + Eq + Clone> KeyedLimiter<K> {
    pub fn new(limit: RateLimit) -> Self {
        Self::with_burst(limit, Some(limit.count))
    }

    /// A limiter of failures: [`Self::check`] refuses a key after `limit.count`
    /// failures recorded with [`Self::record_failure`]. The burst is one less than
    /// the limit: the failure that finds the budget empty is the limit-th, and
    /// blocks the key.
    pub fn failures(limit: RateLimit) -> Self {
        Self::with_burst(limit, NonZeroU32::new(limit.count.get() - 1))
    }

    /// `burst: None` for a limit of one failure, which governor cannot express as
    /// a burst of zero: then every failure blocks.
    fn with_burst(limit: RateLimit, burst: Option<NonZeroU32>) -> Self {
        let quota = burst.and_then(|burst| {
            Quota::with_period(limit.replenish_interval()).map(|quota| quota.allow_burst(burst))
        });
        Self {
            limit,
            limiter: quota.map(RateLimiter::dashmap),
            blocked: Mutex::new(HashMap::new()),
            calls: AtomicU32::new(0),
        }
    }

    pub fn limit(&self) -> RateLimit {
        self.limit
    }

    /// Counts one attempt of `key`; refused when its budget is used up.
    pub fn hit(&self, key: &K) -> Result<(), Limited> {
        self.housekeeping();
        let Some(limiter) = &self.limiter else {
            return Ok(());
        };
        limiter.check_key(key).map_err(|not_until| Limited {
            retry_after: not_until.wait_time_from(DefaultClock::default().now()),
        })
    }

    /// Whether `key` may try now (it is not blocked by earlier failures).
    pub fn check(&self, key: &K) -> Result<(), Limited> {
        self.housekeeping();
        let blocked = self.blocked.lock().unwrap_or_else(|e| e.into_inner());
        match blocked.get(key) {
            Some(until) if *until > Instant::now() => Err(Limited {
                retry_after: *until - Instant::now(),
            }),
            _ => Ok(()),
        }
    }

    /// Counts a failed attempt of `key`; the one that uses up the budget blocks it.
    pub fn record_failure(&self, key: &K) {
        let retry_after = match &self.limiter {
            Some(limiter) => match limiter.check_key(key) {
                Ok(()) => return,
                Err(not_until) => not_until.wait_time_from(DefaultClock::default().now()),
            },
            None => self.limit.period,
        };
        self.blocked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(key.clone(), Instant::now() + retry_after);
    }

    fn housekeeping(&self) {
        if !self
            .calls
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(CLEANUP_EVERY)
        {
            return;
        }
        if let Some(limiter) = &self.limiter {
            limiter.retain_recent();
        }
        let now = Instant::now();
        self.blocked
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, until| *until > now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_parse_and_print() {
        let limit: RateLimit = "5/15m".parse().unwrap();
        assert_eq!(limit.count.get(), 5);
        assert_eq!(limit.period, Duration::from_secs(900));
        assert_eq!(limit.to_string(), "5/15m");
        for bad in ["", "5", "0/1m", "5/0s", "x/1m", "5/soon", "-1/1m"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }

    #[test]
    fn every_hit_counts() {
        let limiter = KeyedLimiter::new("3/1h".parse().unwrap());
        for _ in 0..3 {
            limiter.hit(&"client").unwrap();
        }
        let limited = limiter.hit(&"client").unwrap_err();
        assert!(limited.retry_after > Duration::from_secs(1000));
        limiter.hit(&"other").expect("keys are independent");
    }

    #[test]
    fn only_failures_count_and_the_limit_th_blocks() {
        let limiter = KeyedLimiter::failures("3/1h".parse().unwrap());
        for _ in 0..2 {
            limiter.check(&"alice").unwrap();
            limiter.record_failure(&"alice");
        }
        limiter
            .check(&"alice")
            .expect("two failures of three allowed");
        limiter.record_failure(&"alice");
        assert!(limiter.check(&"alice").is_err(), "the third failure blocks");
        limiter.check(&"bob").expect("keys are independent");
    }

    #[test]
    fn a_limit_of_one_blocks_at_the_first_failure() {
        let limiter = KeyedLimiter::failures("1/1m".parse().unwrap());
        limiter.check(&1).unwrap();
        limiter.record_failure(&1);
        let limited = limiter.check(&1).unwrap_err();
        assert!(limited.retry_after <= Duration::from_secs(60));
    }

    #[test]
    fn the_error_carries_code_and_retry_hint() {
        let error = Limited {
            retry_after: Duration::from_millis(1500),
        }
        .into_error("too many failed sign-ins");
        let value = serde_json::to_value(error.into_server_error(Default::default())).unwrap();
        assert_eq!(value["extensions"]["code"], "RATE_LIMITED");
        assert_eq!(value["extensions"]["retryAfterSeconds"], 2);
        assert_eq!(
            value["message"],
            "too many failed sign-ins: try again in 2 s"
        );
    }
}
