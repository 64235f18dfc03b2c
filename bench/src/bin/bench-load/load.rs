//! The closed-loop load generator: `connections` tasks, each with its own
//! keep-alive connection, sending the workload again as soon as the previous
//! answer has been read in full.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{AUTHORIZATION, HeaderValue};
use serde_json::Value;

/// What one phase (warm-up or measurement) observed.
#[derive(Debug, Default)]
pub struct LoadStats {
    pub elapsed: Duration,
    /// Latency of every successful (200, expected body) request, in microseconds.
    pub latencies_us: Vec<u32>,
    pub non_200: u64,
    pub transport_errors: u64,
    /// 200 responses whose JSON differs from the expected response.
    pub mismatches: u64,
}

impl LoadStats {
    pub fn requests_per_second(&self) -> f64 {
        self.latencies_us.len() as f64 / self.elapsed.as_secs_f64()
    }

    /// Latency at quantile `q` (0..=1), in milliseconds; latencies must be sorted.
    pub fn quantile_ms(&self, q: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return f64::NAN;
        }
        let rank = ((self.latencies_us.len() - 1) as f64 * q).round() as usize;
        f64::from(self.latencies_us[rank]) / 1000.0
    }

    pub fn failures(&self) -> u64 {
        self.non_200 + self.transport_errors + self.mismatches
    }
}

/// Checks bodies against the expected response. A body byte-identical to one
/// already checked is accepted without parsing, so checking every response costs
/// the load core a memcmp, not a JSON parse.
#[derive(Debug, Clone)]
pub struct Validator {
    expected: Value,
    known_good: Option<Bytes>,
}

impl Validator {
    pub fn new(expected: Value) -> Self {
        Validator {
            expected,
            known_good: None,
        }
    }

    /// Whether `body` is the expected response (same JSON value).
    pub fn check(&mut self, body: &Bytes) -> bool {
        if self.known_good.as_ref() == Some(body) {
            return true;
        }
        let good = serde_json::from_slice::<Value>(body).is_ok_and(|value| value == self.expected);
        if good && self.known_good.is_none() {
            self.known_good = Some(body.clone());
        }
        good
    }

    /// A short description of how `body` differs, for error messages.
    pub fn describe_mismatch(&self, body: &[u8]) -> String {
        match serde_json::from_slice::<Value>(body) {
            Err(error) => format!("body is not JSON ({error})"),
            Ok(value) => match value.get("errors") {
                Some(errors) => format!("response has errors: {errors}"),
                None => "data differs from expected-response.json".to_owned(),
            },
        }
    }
}

/// Sends the workload from `connections` concurrent loops for `duration`; loop
/// `i` sends `authorizations[i]` (modulo their count) as `Authorization` when
/// there are any.
pub async fn run(
    client: &reqwest::Client,
    url: &str,
    body: &Bytes,
    connections: usize,
    duration: Duration,
    validator: &Validator,
    authorizations: &[HeaderValue],
) -> LoadStats {
    let start = Instant::now();
    let deadline = start + duration;
    let loops = (0..connections).map(|connection| {
        let mut validator = validator.clone();
        let authorization = (!authorizations.is_empty())
            .then(|| authorizations[connection % authorizations.len()].clone());
        async move {
            let mut stats = LoadStats::default();
            while Instant::now() < deadline {
                let sent = Instant::now();
                let mut request = client
                    .post(url)
                    .header("content-type", "application/json")
                    .body(body.clone());
                if let Some(authorization) = &authorization {
                    request = request.header(AUTHORIZATION, authorization.clone());
                }
                let response = request.send().await;
                let response = match response {
                    Ok(response) => response,
                    Err(_) => {
                        stats.transport_errors += 1;
                        continue;
                    }
                };
                let status = response.status();
                let Ok(bytes) = response.bytes().await else {
                    stats.transport_errors += 1;
                    continue;
                };
                if status != reqwest::StatusCode::OK {
                    stats.non_200 += 1;
                } else if !validator.check(&bytes) {
                    stats.mismatches += 1;
                } else {
                    let micros = sent.elapsed().as_micros();
                    stats
                        .latencies_us
                        .push(u32::try_from(micros).unwrap_or(u32::MAX));
                }
            }
            stats
        }
    });
    let per_loop = futures::future::join_all(loops).await;
    let mut total = LoadStats {
        elapsed: start.elapsed(),
        ..LoadStats::default()
    };
    for stats in per_loop {
        total.latencies_us.extend(stats.latencies_us);
        total.non_200 += stats.non_200;
        total.transport_errors += stats.transport_errors;
        total.mismatches += stats.mismatches;
    }
    total.latencies_us.sort_unstable();
    total
}
