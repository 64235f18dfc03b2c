//! A request's sampling decision, taken from its headers before any span is
//! made, so that a request the sampler drops costs no span at all.
//!
//! An OpenTelemetry span that the sampler drops is still a `tracing` span: the
//! registry allocates it, the OpenTelemetry layer builds its attributes, starts
//! it to learn the decision, and ends it. At 1 % sampling that is 99 requests
//! in 100 paying for a span nobody sees. [`decide`] asks the installed sampler
//! itself, with the trace id the span would get; only a kept request makes its
//! span, with [`Kept::start`], which hands the SDK that same trace id (through
//! [`PresetIds`], the provider's id generator) so that the SDK's own sampling
//! of the span repeats the decision instead of drawing a second time: the
//! ratio is applied once, and every sampler the SDK offers is honoured exactly.

use std::cell::Cell;
use std::sync::OnceLock;

use bytes::Bytes;
use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::Context;
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::{SpanContext, SpanId, SpanKind, TraceContextExt, TraceFlags, TraceId};
use opentelemetry_http::HeaderExtractor;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{
    IdGenerator, RandomIdGenerator, Sampler, SamplingDecision, ShouldSample,
};
use tracing_opentelemetry::OpenTelemetrySpanExt;

use crate::propagation::{TRACEPARENT, client_trace_id};

/// The W3C header carrying vendors' trace state beside `traceparent`.
const TRACESTATE: HeaderName = HeaderName::from_static("tracestate");

/// The sampler of the tracer provider this crate installed, if it did.
static INSTALLED: OnceLock<Sampler> = OnceLock::new();

thread_local! {
    /// The trace id the next root span started on this thread gets (set by
    /// [`Kept::start`] around the start of the span it decided for).
    static PRESET_TRACE_ID: Cell<Option<TraceId>> = const { Cell::new(None) };
}

/// Records the installed provider's sampler, so [`decide`] asks the same one.
pub(crate) fn installed(sampler: Sampler) {
    let _ = INSTALLED.set(sampler);
}

/// The id generator of the installed provider: random ids, except for the one
/// root span that [`Kept::start`] presets the trace id of.
#[derive(Debug, Default)]
pub(crate) struct PresetIds {
    random: RandomIdGenerator,
}

impl IdGenerator for PresetIds {
    fn new_trace_id(&self) -> TraceId {
        PRESET_TRACE_ID
            .take()
            .unwrap_or_else(|| self.random.new_trace_id())
    }

    fn new_span_id(&self) -> SpanId {
        self.random.new_span_id()
    }
}

/// How one incoming request is traced.
#[derive(Debug)]
pub enum Decision {
    /// Kept: make the request's span, then [`Kept::start`] it.
    Kept(Kept),
    /// Not kept, or no traces are exported: make no span.
    Dropped(Dropped),
}

/// A kept request: where its span's trace comes from.
#[derive(Debug)]
pub struct Kept {
    origin: Origin,
}

#[derive(Debug)]
enum Origin {
    /// The caller's `traceparent`: the span continues the caller's trace.
    Caller(Context),
    /// No caller trace: the span starts this trace.
    Root(TraceId),
}

impl Kept {
    /// Places `span` (just made, not yet entered) in its trace and starts it,
    /// so the SDK samples it now, with the trace id the decision was made for.
    pub fn start(self, span: &tracing::Span) {
        if span.is_disabled() {
            return;
        }
        match self.origin {
            Origin::Caller(parent) => {
                let _ = span.set_parent(parent);
            }
            Origin::Root(trace_id) => {
                PRESET_TRACE_ID.set(Some(trace_id));
                // Starts the span: the SDK draws its trace id, the preset one.
                let _ = span.context();
                // Unused if the span was not started (no OpenTelemetry layer).
                PRESET_TRACE_ID.set(None);
            }
        }
    }
}

/// A dropped request: what its fetches carry on, and its trace id for the log.
#[derive(Debug, Default)]
pub struct Dropped {
    /// `traceparent` (and `tracestate`) with the sampled flag off, naming the
    /// trace the request belongs to, so the subgraphs decide the same; empty
    /// when no traces are exported.
    pub headers: Vec<(HeaderName, HeaderValue)>,
    trace_id: Option<TraceId>,
    client_trace_id: Option<String>,
}

impl Dropped {
    /// The trace id (32 lowercase hex digits) the request belongs to: the
    /// caller's, or the one drawn for it.
    pub fn trace_id(&self) -> Option<String> {
        match self.trace_id {
            Some(id) => Some(id.to_string()),
            None => self.client_trace_id.clone(),
        }
    }
}

/// The decision for a request with these headers: the installed sampler's
/// (parent-based: a caller's `traceparent` decides for it), or dropped when
/// this process exports no traces.
pub fn decide(headers: &HeaderMap) -> Decision {
    match INSTALLED.get() {
        Some(sampler) => decide_with(sampler, headers),
        None => Decision::Dropped(Dropped {
            client_trace_id: client_trace_id(headers).map(str::to_owned),
            ..Dropped::default()
        }),
    }
}

fn decide_with(sampler: &Sampler, headers: &HeaderMap) -> Decision {
    let parent = if headers.contains_key(TRACEPARENT) {
        TraceContextPropagator::new().extract(&HeaderExtractor(headers))
    } else {
        Context::new()
    };
    let caller = Some(parent.span().span_context().clone()).filter(SpanContext::is_valid);
    let trace_id = match &caller {
        Some(caller) => caller.trace_id(),
        None => RandomIdGenerator::default().new_trace_id(),
    };
    let result = sampler.should_sample(
        Some(&parent),
        trace_id,
        "graphql.request",
        &SpanKind::Server,
        &[],
        &[],
    );
    if result.decision != SamplingDecision::Drop {
        let origin = match caller {
            Some(_) => Origin::Caller(parent),
            None => Origin::Root(trace_id),
        };
        return Decision::Kept(Kept { origin });
    }
    // What the SDK's dropped span would carry on: the trace, a span id of its
    // own, the sampled flag off and the sampler's trace state (written here,
    // as the W3C propagator writes them, without building a context for it).
    let span_id = RandomIdGenerator::default().new_span_id();
    let mut headers = Vec::with_capacity(2);
    if let Some(value) = traceparent(trace_id, span_id, TraceFlags::default()) {
        headers.push((TRACEPARENT, value));
    }
    let trace_state = result.trace_state.header();
    if !trace_state.is_empty()
        && let Ok(value) = HeaderValue::from_maybe_shared(Bytes::from(trace_state))
    {
        headers.push((TRACESTATE, value));
    }
    Decision::Dropped(Dropped {
        headers,
        trace_id: Some(trace_id),
        client_trace_id: None,
    })
}

/// `00-{trace id}-{span id}-{flags}`, as the W3C propagator writes it; hex
/// encoded into one buffer, without the formatting machinery (this runs for
/// every request the sampler drops).
fn traceparent(trace_id: TraceId, span_id: SpanId, flags: TraceFlags) -> Option<HeaderValue> {
    let mut text = [b'-'; 55];
    text[..2].copy_from_slice(b"00");
    let parts: [(&[u8], std::ops::Range<usize>); 3] = [
        (&trace_id.to_bytes(), 3..35),
        (&span_id.to_bytes(), 36..52),
        (&[flags.to_u8()], 53..55),
    ];
    for (bytes, range) in parts {
        // The ranges are exactly twice the lengths: encoding cannot fail.
        let _ = hex::encode_to_slice(bytes, &mut text[range]);
    }
    HeaderValue::from_maybe_shared(Bytes::copy_from_slice(&text)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const CALLER_TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

    fn ratio(ratio: f64) -> Sampler {
        Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(ratio)))
    }

    fn caller(flags: &str, trace_state: Option<&str>) -> HeaderMap {
        let mut headers = HeaderMap::new();
        let traceparent = format!("00-{CALLER_TRACE}-00f067aa0ba902b7-{flags}");
        headers.insert(TRACEPARENT, traceparent.parse().unwrap());
        if let Some(trace_state) = trace_state {
            headers.insert(TRACESTATE, trace_state.parse().unwrap());
        }
        headers
    }

    fn dropped_of(decision: Decision) -> Dropped {
        match decision {
            Decision::Dropped(dropped) => dropped,
            Decision::Kept(kept) => panic!("kept: {kept:?}"),
        }
    }

    fn header<'a>(dropped: &'a Dropped, name: &str) -> Option<&'a str> {
        dropped
            .headers
            .iter()
            .find(|(header, _)| header == name)
            .map(|(_, value)| value.to_str().unwrap())
    }

    #[test]
    fn the_traceparent_is_written_as_the_w3c_propagator_writes_it() {
        let trace_id = TraceId::from_hex("4bf92f3577b34da6a3ce929d0e0e4736").unwrap();
        let span_id = SpanId::from_hex("00f067aa0ba902b7").unwrap();
        for flags in [TraceFlags::default(), TraceFlags::SAMPLED] {
            let written = traceparent(trace_id, span_id, flags).unwrap();
            let expected = format!("00-{trace_id}-{span_id}-{:02x}", flags.to_u8());
            assert_eq!(written.to_str().unwrap(), expected);
        }
    }

    #[test]
    fn a_new_trace_is_drawn_at_the_ratio() {
        assert!(matches!(
            decide_with(&ratio(1.0), &HeaderMap::new()),
            Decision::Kept(Kept {
                origin: Origin::Root(_)
            })
        ));
        let dropped = dropped_of(decide_with(&ratio(0.0), &HeaderMap::new()));
        let traceparent = header(&dropped, "traceparent").unwrap();
        let parts: Vec<&str> = traceparent.split('-').collect();
        assert_eq!(parts.len(), 4, "{traceparent}");
        assert_eq!(parts[0], "00");
        assert_eq!(Some(parts[1].to_owned()), dropped.trace_id());
        assert_eq!(parts[1].len(), 32);
        assert_eq!(parts[2].len(), 16);
        assert_eq!(parts[3], "00", "the sampled flag is off");
        assert_eq!(header(&dropped, "tracestate"), None);
    }

    #[test]
    fn a_callers_decision_is_followed_whatever_the_ratio() {
        assert!(matches!(
            decide_with(&ratio(0.0), &caller("01", None)),
            Decision::Kept(Kept {
                origin: Origin::Caller(_)
            })
        ));
        let dropped = dropped_of(decide_with(&ratio(1.0), &caller("00", Some("vendor=abc"))));
        assert_eq!(dropped.trace_id().as_deref(), Some(CALLER_TRACE));
        let traceparent = header(&dropped, "traceparent").unwrap();
        assert!(traceparent.starts_with(&format!("00-{CALLER_TRACE}-")));
        assert!(
            !traceparent.contains("00f067aa0ba902b7"),
            "a span id of its own"
        );
        assert!(traceparent.ends_with("-00"));
        assert_eq!(header(&dropped, "tracestate"), Some("vendor=abc"));
    }

    #[test]
    fn without_an_installed_provider_nothing_is_carried() {
        let dropped = dropped_of(decide(&caller("01", None)));
        assert!(dropped.headers.is_empty());
        assert_eq!(dropped.trace_id().as_deref(), Some(CALLER_TRACE));
        assert_eq!(dropped_of(decide(&HeaderMap::new())).trace_id(), None);
    }

    #[test]
    fn a_preset_trace_id_is_handed_out_once() {
        let ids = PresetIds::default();
        let preset = TraceId::from(42u128);
        PRESET_TRACE_ID.set(Some(preset));
        assert_eq!(ids.new_trace_id(), preset);
        let next = ids.new_trace_id();
        assert_ne!(next, preset);
        assert_ne!(next, TraceId::INVALID);
    }
}
