//! Timestamps as stored: Unix milliseconds, so expiry checks are integer
//! comparisons on every backend.

use chrono::{DateTime, Utc};

pub fn now_millis() -> i64 {
    Utc::now().timestamp_millis()
}

pub fn from_millis(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or_default()
}
