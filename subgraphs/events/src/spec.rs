//! The bus spec string that services take on their command line (`--event-bus`):
//! which transport, and the retention limits of its log.
//!
//! - `memory`, optionally `memory?max_msgs=N&max_age=DURATION` (defaults in
//!   [`MemoryLimits`]).
//! - `nats://host:port`, optionally `?stream=NAME&max_msgs=N&max_age=DURATION`; limits
//!   that are not given leave the stream as it is (new streams keep a week).
//!
//! Durations are humantime's (`200ms`, `90s`, `10m`, `1h 30m`). A malformed,
//! repeated, zero or unknown parameter is refused with [`BusError::InvalidSpec`],
//! so that a typo does not silently run the shop with other limits.

use std::time::Duration;

use crate::bus::BusError;
use crate::memory::MemoryLimits;

/// Retention limits named in a spec; `None` where the spec says nothing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SpecLimits {
    pub max_msgs: Option<usize>,
    pub max_age: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum BusSpec {
    Memory(MemoryLimits),
    Nats {
        /// The server URL, without the query.
        url: String,
        /// `None`: the default stream.
        stream: Option<String>,
        limits: SpecLimits,
    },
}

impl BusSpec {
    pub(crate) fn parse(spec: &str) -> Result<BusSpec, BusError> {
        let (base, query) = spec.split_once('?').unwrap_or((spec, ""));
        let invalid = |reason: String| BusError::InvalidSpec {
            spec: spec.to_owned(),
            reason,
        };
        let is_nats = base.starts_with("nats://");
        if base != "memory" && !is_nats {
            return Err(BusError::UnknownBus(spec.to_owned()));
        }
        let mut limits = SpecLimits::default();
        let mut stream = None;
        let mut seen = Vec::new();
        for pair in query.split('&').filter(|pair| !pair.is_empty()) {
            let Some((key, value)) = pair.split_once('=') else {
                return Err(invalid(format!("`{pair}` is not `key=value`")));
            };
            if seen.contains(&key) {
                return Err(invalid(format!("`{key}` is given twice")));
            }
            seen.push(key);
            match key {
                "max_msgs" => limits.max_msgs = Some(parse_max_msgs(value).map_err(invalid)?),
                "max_age" => limits.max_age = Some(parse_max_age(value).map_err(invalid)?),
                "stream" if is_nats => stream = parse_stream(value).map_err(invalid)?,
                _ => {
                    let known = if is_nats {
                        "stream, max_msgs, max_age"
                    } else {
                        "max_msgs, max_age"
                    };
                    return Err(invalid(format!(
                        "unknown parameter `{key}` (known: {known})"
                    )));
                }
            }
        }
        if is_nats {
            return Ok(BusSpec::Nats {
                url: base.to_owned(),
                stream,
                limits,
            });
        }
        let defaults = MemoryLimits::default();
        Ok(BusSpec::Memory(MemoryLimits {
            max_msgs: limits.max_msgs.unwrap_or(defaults.max_msgs),
            max_age: limits.max_age.unwrap_or(defaults.max_age),
        }))
    }
}

fn parse_max_msgs(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(0) => Err("max_msgs must be at least 1".to_owned()),
        Ok(n) => Ok(n),
        Err(err) => Err(format!("max_msgs `{value}`: {err}")),
    }
}

fn parse_max_age(value: &str) -> Result<Duration, String> {
    match humantime::parse_duration(value) {
        Ok(age) if age.is_zero() => Err("max_age must be longer than zero".to_owned()),
        Ok(age) => Ok(age),
        Err(err) => Err(format!(
            "max_age `{value}`: {err} (expected e.g. `500ms`, `90s`, `10m`)"
        )),
    }
}

/// An empty name means the default stream, as before limits existed.
fn parse_stream(value: &str) -> Result<Option<String>, String> {
    if value.is_empty() {
        return Ok(None);
    }
    if value
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
    {
        Ok(Some(value.to_owned()))
    } else {
        Err(format!(
            "stream name `{value}` may only have letters, digits, `_` and `-`"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(spec: &str) -> String {
        match BusSpec::parse(spec) {
            Err(BusError::InvalidSpec { reason, .. }) => reason,
            other => panic!("{spec}: expected InvalidSpec, got {other:?}"),
        }
    }

    #[test]
    fn memory_defaults_and_limits() {
        assert_eq!(
            BusSpec::parse("memory").unwrap(),
            BusSpec::Memory(MemoryLimits::default())
        );
        assert_eq!(
            BusSpec::parse("memory?max_msgs=5000&max_age=10m").unwrap(),
            BusSpec::Memory(MemoryLimits {
                max_msgs: 5000,
                max_age: Duration::from_secs(600),
            })
        );
        assert_eq!(
            BusSpec::parse("memory?max_age=250ms").unwrap(),
            BusSpec::Memory(MemoryLimits {
                max_age: Duration::from_millis(250),
                ..MemoryLimits::default()
            })
        );
    }

    #[test]
    fn nats_stream_and_limits() {
        assert_eq!(
            BusSpec::parse("nats://127.0.0.1:4222?stream=S-1&max_msgs=10&max_age=1h").unwrap(),
            BusSpec::Nats {
                url: "nats://127.0.0.1:4222".to_owned(),
                stream: Some("S-1".to_owned()),
                limits: SpecLimits {
                    max_msgs: Some(10),
                    max_age: Some(Duration::from_secs(3600)),
                },
            }
        );
        assert_eq!(
            BusSpec::parse("nats://h:1?stream=").unwrap(),
            BusSpec::Nats {
                url: "nats://h:1".to_owned(),
                stream: None,
                limits: SpecLimits::default(),
            }
        );
    }

    #[test]
    fn malformed_specs_are_refused_with_a_reason() {
        assert!(matches!(
            BusSpec::parse("kafka://x"),
            Err(BusError::UnknownBus(_))
        ));
        assert!(matches!(
            BusSpec::parse("memoryx"),
            Err(BusError::UnknownBus(_))
        ));
        assert!(reason("memory?max_msgs=abc").contains("max_msgs `abc`"));
        assert!(reason("memory?max_msgs=-1").contains("max_msgs `-1`"));
        assert!(reason("memory?max_msgs=0").contains("at least 1"));
        assert!(reason("memory?max_age=forever").contains("max_age `forever`"));
        assert!(reason("memory?max_age=0s").contains("longer than zero"));
        assert!(reason("memory?max_age").contains("key=value"));
        assert!(reason("memory?max_msgs=1&max_msgs=2").contains("twice"));
        assert!(reason("memory?colour=red").contains("unknown parameter `colour`"));
        assert!(reason("memory?stream=X").contains("unknown parameter `stream`"));
        assert!(reason("nats://h:1?stream=bad.name").contains("bad.name"));
    }
}
