//! The HTTP client the OTLP/HTTP exporter posts with: the workspace's async
//! `reqwest`, so exporting adds no second HTTP stack (the exporter's own choices
//! are a blocking client on a thread of its own, or another `reqwest` major).

use std::time::Duration;

use bytes::Bytes;
use opentelemetry_http::{HttpClient, HttpError, Request, Response};

/// Posts export requests; the batch processor calls it on the Tokio runtime.
#[derive(Debug, Clone)]
pub(crate) struct ReqwestClient {
    client: reqwest::Client,
}

impl ReqwestClient {
    /// `timeout` bounds one export request, body included.
    pub(crate) fn new(timeout: Duration) -> Result<Self, reqwest::Error> {
        let client = reqwest::Client::builder().timeout(timeout).build()?;
        Ok(Self { client })
    }
}

#[async_trait::async_trait]
impl HttpClient for ReqwestClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let (parts, body) = request.into_parts();
        let url = parts.uri.to_string();
        let response = self
            .client
            .request(parts.method, url)
            .headers(parts.headers)
            .body(body)
            .send()
            .await?;
        let mut builder = Response::builder().status(response.status());
        if let Some(headers) = builder.headers_mut() {
            headers.extend(
                response
                    .headers()
                    .iter()
                    .map(|(name, value)| (name.clone(), value.clone())),
            );
        }
        let body = response.bytes().await?;
        Ok(builder.body(body)?)
    }
}
