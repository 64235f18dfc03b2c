//! `multipart/mixed` responses: a body of JSON parts written as they come, the
//! format Apollo Router and graphql-js clients read for incremental delivery
//! (`@defer`, `deferSpec=20220824`), and for subscriptions over HTTP
//! multipart (`subscriptionSpec=1.0`) with a different content type.
//!
//! Each part is `\r\n---\r\ncontent-type: application/json; charset=utf-8\r\n\r\n`
//! and the JSON; the body ends with `\r\n-----\r\n` (the closing delimiter of
//! boundary `-`).

use axum::body::Body;
use bytes::Bytes;
use futures::{Stream, StreamExt};

/// The content type of an incremental (`@defer`) response.
pub const DEFER_CONTENT_TYPE: &str = "multipart/mixed;boundary=\"-\";deferSpec=20220824";

/// The content type of a subscription over multipart HTTP (Apollo's
/// protocol; clients read the boundary from it).
pub const SUBSCRIPTION_CONTENT_TYPE: &str =
    "multipart/mixed;boundary=\"-\";subscriptionSpec=\"1.0\"";

const PART_HEAD: &[u8] = b"\r\n---\r\ncontent-type: application/json; charset=utf-8\r\n\r\n";
const CLOSE: &[u8] = b"\r\n-----\r\n";

/// The body writing each JSON part of `parts` as it comes, then the closing
/// delimiter (also when `parts` ends early, so the client sees a whole body).
pub fn multipart_body<S>(parts: S) -> Body
where
    S: Stream<Item = Vec<u8>> + Send + 'static,
{
    let framed = parts
        .map(|json| {
            let mut part = Vec::with_capacity(PART_HEAD.len() + json.len());
            part.extend_from_slice(PART_HEAD);
            part.extend_from_slice(&json);
            Ok::<_, std::convert::Infallible>(Bytes::from(part))
        })
        .chain(futures::stream::once(async {
            Ok(Bytes::from_static(CLOSE))
        }));
    Body::from_stream(framed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn parts_are_framed_and_the_body_closed() {
        let body = multipart_body(futures::stream::iter(vec![
            b"{\"a\":1}".to_vec(),
            b"{\"b\":2}".to_vec(),
        ]));
        let bytes = axum::body::to_bytes(body, 1024).await.unwrap();
        assert_eq!(
            &bytes[..],
            b"\r\n---\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{\"a\":1}\r\n---\r\ncontent-type: application/json; charset=utf-8\r\n\r\n{\"b\":2}\r\n-----\r\n"
        );
    }
}
