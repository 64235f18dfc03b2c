//! W3C trace context (`traceparent`, `tracestate`): read from an incoming
//! request into its server span, written from a span into an outgoing request.
//!
//! Both only do something where this crate's subscriber (with its
//! OpenTelemetry layer) is installed; elsewhere a span has no trace context, so
//! nothing is read and no header is written.

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::propagation::TextMapPropagator;
use opentelemetry::trace::TraceContextExt;
use opentelemetry_http::{HeaderExtractor, HeaderInjector};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use tracing_opentelemetry::OpenTelemetrySpanExt;

/// The header that names a request's trace and its caller's span.
pub const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// Makes `span` a child of the span the request's `traceparent` names, in the
/// caller's trace (a request without one starts a trace). Call it before the
/// span is first entered: a started span's parent is fixed.
pub fn continue_trace(span: &tracing::Span, headers: &HeaderMap) {
    if span.is_disabled() || !headers.contains_key(TRACEPARENT) {
        return;
    }
    let parent = TraceContextPropagator::new().extract(&HeaderExtractor(headers));
    // A span whose layer is absent has no parent to set: nothing to continue.
    let _ = span.set_parent(parent);
}

/// `traceparent` (and `tracestate` when it has entries) naming `span` as the
/// parent of an outgoing request; empty when `span` belongs to no trace.
/// A span that is not sampled still propagates its trace id, with the sampled
/// flag off, so the callee makes the same decision.
pub fn headers_for(span: &tracing::Span) -> Vec<(HeaderName, HeaderValue)> {
    if span.is_disabled() {
        return Vec::new();
    }
    let context = span.context();
    if !context.span().span_context().is_valid() {
        return Vec::new();
    }
    let mut headers = HeaderMap::new();
    TraceContextPropagator::new().inject_context(&context, &mut HeaderInjector(&mut headers));
    let mut pairs = Vec::with_capacity(2);
    for (name, value) in headers {
        if let Some(name) = name
            && !value.is_empty()
        {
            pairs.push((name, value));
        }
    }
    pairs
}

/// The trace id (32 lowercase hex digits) of `span`, when it belongs to a trace.
pub fn trace_id(span: &tracing::Span) -> Option<String> {
    if span.is_disabled() {
        return None;
    }
    let context = span.context();
    let span_context = context.span().span_context().clone();
    span_context
        .is_valid()
        .then(|| span_context.trace_id().to_string())
}

/// The trace id a request's `traceparent` names, when the header is well formed
/// (`00-<32 hex>-<16 hex>-<2 hex>`, ids not all zeros): what a log line can
/// carry even where no span is made.
pub fn client_trace_id(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(TRACEPARENT)?.to_str().ok()?;
    let mut parts = value.split('-');
    let (version, trace_id, parent_id, flags) =
        (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
    let hex = |text: &str, len: usize| {
        text.len() == len && text.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
    };
    let zeros = |text: &str| text.bytes().all(|b| b == b'0');
    // Version 00 has exactly four parts; later versions may append more.
    let well_formed = hex(version, 2)
        && version != "ff"
        && (version != "00" || parts.next().is_none())
        && hex(trace_id, 32)
        && !zeros(trace_id)
        && hex(parent_id, 16)
        && !zeros(parent_id)
        && hex(flags, 2);
    well_formed.then_some(trace_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(traceparent: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(TRACEPARENT, HeaderValue::from_str(traceparent).unwrap());
        headers
    }

    #[test]
    fn reads_the_trace_id_of_a_well_formed_traceparent() {
        let id = "4bf92f3577b34da6a3ce929d0e0e4736";
        assert_eq!(
            client_trace_id(&headers(&format!("00-{id}-00f067aa0ba902b7-01"))),
            Some(id)
        );
        for bad in [
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7",
            "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
            "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
            "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
            "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
            "garbage",
        ] {
            assert_eq!(client_trace_id(&headers(bad)), None, "{bad}");
        }
        assert_eq!(client_trace_id(&HeaderMap::new()), None);
    }

    #[test]
    fn without_the_layer_nothing_is_propagated() {
        let span = tracing::info_span!("no subscriber");
        assert!(headers_for(&span).is_empty());
        assert_eq!(trace_id(&span), None);
    }
}
