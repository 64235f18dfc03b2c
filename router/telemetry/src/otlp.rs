//! Where traces go and which are kept: the OTLP exporter (HTTP/protobuf or
//! gRPC), the parent-based ratio sampler and the `service.name` resource.

use std::time::Duration;

use opentelemetry_otlp::{WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};

use crate::http_client::ReqwestClient;
use crate::sampling::PresetIds;
use crate::subscriber::TelemetryError;

/// Bound on one export request. A collector slower than this loses that batch,
/// never delays a request: spans are exported in the background.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(10);

/// The OTLP transport.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OtlpProtocol {
    /// gRPC (collectors listen on port 4317).
    Grpc,
    /// Protobuf over HTTP, `POST {endpoint}/v1/traces` (port 4318).
    Http,
}

impl OtlpProtocol {
    /// The collector's usual address for this transport on the same host.
    pub fn default_endpoint(self) -> &'static str {
        match self {
            OtlpProtocol::Grpc => "http://127.0.0.1:4317",
            OtlpProtocol::Http => "http://127.0.0.1:4318",
        }
    }
}

/// Where to export spans and which traces to keep.
#[derive(Debug, Clone, PartialEq)]
pub struct TraceSettings {
    /// The collector's base URL (`http://host:4318`); for HTTP `/v1/traces` is
    /// appended to its path, as for `OTEL_EXPORTER_OTLP_ENDPOINT`.
    pub endpoint: String,
    pub protocol: OtlpProtocol,
    /// Share of new traces kept, 0.0 to 1.0. Parent-based: a request whose
    /// caller's `traceparent` says sampled (or not) follows its caller.
    pub sampling: f64,
    /// The `service.name` resource attribute of every exported span.
    pub service_name: String,
}

impl TraceSettings {
    /// Settings from the standard OpenTelemetry variables, or `None` when
    /// `OTEL_EXPORTER_OTLP_ENDPOINT` is unset or empty (no traces):
    /// `OTEL_EXPORTER_OTLP_PROTOCOL` (`grpc`, or `http/protobuf`, the default),
    /// `OTEL_TRACES_SAMPLER_ARG` (the ratio, default 1.0) and
    /// `OTEL_SERVICE_NAME` (default `service_name`).
    pub fn from_env(service_name: &str) -> Result<Option<Self>, TelemetryError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let Some(endpoint) = var("OTEL_EXPORTER_OTLP_ENDPOINT") else {
            return Ok(None);
        };
        let protocol = match var("OTEL_EXPORTER_OTLP_PROTOCOL").as_deref() {
            None | Some("http/protobuf") => OtlpProtocol::Http,
            Some("grpc") => OtlpProtocol::Grpc,
            Some(other) => {
                return Err(TelemetryError::Invalid(format!(
                    "OTEL_EXPORTER_OTLP_PROTOCOL {other:?} is not supported: use grpc or \
                     http/protobuf"
                )));
            }
        };
        let sampling = match var("OTEL_TRACES_SAMPLER_ARG") {
            None => 1.0,
            Some(text) => text.trim().parse::<f64>().map_err(|_| {
                TelemetryError::Invalid(format!(
                    "OTEL_TRACES_SAMPLER_ARG {text:?} is not a number between 0.0 and 1.0"
                ))
            })?,
        };
        let settings = TraceSettings {
            endpoint,
            protocol,
            sampling,
            service_name: var("OTEL_SERVICE_NAME").unwrap_or_else(|| service_name.to_owned()),
        };
        settings.check().map_err(TelemetryError::Invalid)?;
        Ok(Some(settings))
    }

    /// Checks the ratio and the endpoint; the message names what is wrong.
    pub fn check(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.sampling) {
            return Err(format!(
                "sampling {} is not a ratio between 0.0 and 1.0",
                self.sampling
            ));
        }
        let uri: http::Uri = self.endpoint.parse().map_err(|error| {
            format!(
                "endpoint {:?} is not a URL ({error}); give the collector's base URL, e.g. {}",
                self.endpoint,
                self.protocol.default_endpoint()
            )
        })?;
        if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
            return Err(format!(
                "endpoint {:?} must be an http:// or https:// URL with a host, e.g. {}",
                self.endpoint,
                self.protocol.default_endpoint()
            ));
        }
        if uri.query().is_some() {
            return Err(format!(
                "endpoint {:?} must not have a query string",
                self.endpoint
            ));
        }
        if self.service_name.trim().is_empty() {
            return Err("service_name must not be empty".to_owned());
        }
        Ok(())
    }

    /// The URL spans are posted to: `{endpoint}/v1/traces` over HTTP, the
    /// endpoint itself over gRPC.
    pub fn export_url(&self) -> String {
        match self.protocol {
            OtlpProtocol::Grpc => self.endpoint.clone(),
            OtlpProtocol::Http => format!("{}/v1/traces", self.endpoint.trim_end_matches('/')),
        }
    }
}

/// Which traces are kept: `sampling` of new traces; a caller's trace is kept
/// or not as the caller's `traceparent` says.
pub(crate) fn sampler(settings: &TraceSettings) -> Sampler {
    Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(settings.sampling)))
}

/// A tracer provider exporting in batches from a Tokio task; must be called
/// inside a Tokio runtime (gRPC's channel and the batch task live on it).
pub(crate) fn tracer_provider(
    settings: &TraceSettings,
) -> Result<SdkTracerProvider, TelemetryError> {
    settings.check().map_err(TelemetryError::Invalid)?;
    let build_error =
        |error: opentelemetry_otlp::ExporterBuildError| TelemetryError::Exporter(error.to_string());
    let exporter = match settings.protocol {
        OtlpProtocol::Grpc => opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(settings.export_url())
            .with_timeout(EXPORT_TIMEOUT)
            .build()
            .map_err(build_error)?,
        OtlpProtocol::Http => {
            let client = ReqwestClient::new(EXPORT_TIMEOUT)
                .map_err(|error| TelemetryError::Exporter(error.to_string()))?;
            opentelemetry_otlp::SpanExporter::builder()
                .with_http()
                .with_http_client(client)
                .with_protocol(opentelemetry_otlp::Protocol::HttpBinary)
                .with_endpoint(settings.export_url())
                .with_timeout(EXPORT_TIMEOUT)
                .build()
                .map_err(build_error)?
        }
    };
    // The batch task runs on the Tokio runtime, so the async HTTP client and
    // gRPC's timers work; the SDK's default batch thread has no runtime.
    let processor =
        opentelemetry_sdk::trace::span_processor_with_async_runtime::BatchSpanProcessor::builder(
            exporter,
            opentelemetry_sdk::runtime::Tokio,
        )
        .build();
    Ok(SdkTracerProvider::builder()
        .with_span_processor(processor)
        .with_sampler(sampler(settings))
        .with_id_generator(PresetIds::default())
        .with_resource(
            Resource::builder()
                .with_service_name(settings.service_name.clone())
                .build(),
        )
        .build())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(endpoint: &str, sampling: f64) -> TraceSettings {
        TraceSettings {
            endpoint: endpoint.to_owned(),
            protocol: OtlpProtocol::Http,
            sampling,
            service_name: "test".to_owned(),
        }
    }

    #[test]
    fn checks_ratio_and_endpoint() {
        assert!(settings("http://collector:4318", 0.5).check().is_ok());
        assert!(settings("https://collector", 0.0).check().is_ok());
        let message = |s: TraceSettings| s.check().unwrap_err();
        assert!(message(settings("http://c:4318", 1.5)).contains("not a ratio"));
        assert!(message(settings("http://c:4318", -0.1)).contains("not a ratio"));
        assert!(message(settings("http://c:4318", f64::NAN)).contains("not a ratio"));
        assert!(message(settings("collector:4318", 1.0)).contains("http:// or https://"));
        assert!(message(settings("ftp://c", 1.0)).contains("http:// or https://"));
        assert!(message(settings("not a url", 1.0)).contains("is not a URL"));
        assert!(message(settings("http://c/?x=1", 1.0)).contains("query string"));
    }

    #[test]
    fn http_exports_to_v1_traces() {
        assert_eq!(
            settings("http://c:4318/", 1.0).export_url(),
            "http://c:4318/v1/traces"
        );
        assert_eq!(
            settings("http://c:4318/otlp", 1.0).export_url(),
            "http://c:4318/otlp/v1/traces"
        );
        let grpc = TraceSettings {
            protocol: OtlpProtocol::Grpc,
            ..settings("http://c:4317", 1.0)
        };
        assert_eq!(grpc.export_url(), "http://c:4317");
    }
}
