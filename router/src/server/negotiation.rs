//! Content negotiation for GraphQL over HTTP: which media type the response uses.
//!
//! The GraphQL-over-HTTP spec defines two response media types. With
//! `application/graphql-response+json` the HTTP status carries meaning (a request
//! that fails validation is a 400); with the legacy `application/json` every
//! well-formed request gets a 200 so old clients read the body. A request with no
//! Accept header, or one accepting anything, is answered as `application/json`.

use http::HeaderMap;

pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
pub const APPLICATION_JSON: &str = "application/json";

/// The media type of a GraphQL response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFormat {
    /// `application/graphql-response+json`: request errors use 4xx statuses.
    GraphQLResponseJson,
    /// `application/json`: well-formed requests always get 200.
    Json,
}

impl ResponseFormat {
    pub fn content_type(self) -> &'static str {
        match self {
            ResponseFormat::GraphQLResponseJson => GRAPHQL_RESPONSE_JSON,
            ResponseFormat::Json => APPLICATION_JSON,
        }
    }

    /// Picks the format from the Accept header: the highest quality wins, a tie
    /// goes to `application/graphql-response+json` when it is named explicitly.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let mut best: Option<(f32, ResponseFormat)> = None;
        for entry in accept_entries(headers) {
            let (media, quality) = parse_media_range(entry);
            let format = match media.as_str() {
                GRAPHQL_RESPONSE_JSON => ResponseFormat::GraphQLResponseJson,
                APPLICATION_JSON | "application/*" | "*/*" => ResponseFormat::Json,
                _ => continue,
            };
            if quality <= 0.0 {
                continue;
            }
            let better = match best {
                None => true,
                Some((q, current)) => {
                    quality > q
                        || (quality == q
                            && current == ResponseFormat::Json
                            && format == ResponseFormat::GraphQLResponseJson)
                }
            };
            if better {
                best = Some((quality, format));
            }
        }
        best.map_or(ResponseFormat::Json, |(_, format)| format)
    }
}

/// How a client asks to receive a subscription's events over HTTP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamFormat {
    /// `text/event-stream`: Server-Sent Events (graphql-sse).
    Sse,
    /// `multipart/mixed` (Apollo's `subscriptionSpec=1.0`, or no parameter).
    Multipart,
}

impl StreamFormat {
    /// The stream format the Accept header allows, if any; with both, the
    /// one of higher quality, and multipart on a tie.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let mut best: Option<(f32, StreamFormat)> = None;
        for entry in accept_entries(headers) {
            let (media, quality) = parse_media_range(entry);
            let format = match media.as_str() {
                "text/event-stream" => StreamFormat::Sse,
                "multipart/mixed" => StreamFormat::Multipart,
                _ => continue,
            };
            if quality > 0.0
                && best.is_none_or(|(q, current)| {
                    quality > q || (quality == q && current == StreamFormat::Sse)
                })
            {
                best = Some((quality, format));
            }
        }
        best.map(|(_, format)| format)
    }
}

/// Whether the Accept header allows a JSON response (or names nothing).
pub fn accepts_json(headers: &HeaderMap) -> bool {
    let mut any = false;
    for entry in accept_entries(headers) {
        any = true;
        let (media, quality) = parse_media_range(entry);
        let json = matches!(
            media.as_str(),
            GRAPHQL_RESPONSE_JSON | APPLICATION_JSON | "application/*" | "*/*"
        );
        if json && quality > 0.0 {
            return true;
        }
    }
    !any
}

/// Whether the client takes an incremental (`@defer`) response: its `accept`
/// names `multipart/mixed` (with or without `deferSpec=20220824`; another
/// `deferSpec` is a format we do not write) with a quality above zero.
pub fn accepts_incremental(headers: &HeaderMap) -> bool {
    accept_entries(headers).any(|entry| {
        let (media, quality) = parse_media_range(entry);
        media == "multipart/mixed"
            && quality > 0.0
            && media_param(entry, "deferSpec").is_none_or(|spec| spec == "20220824")
    })
}

/// Whether the client would rather have HTML (a browser opening the endpoint).
pub fn prefers_html(headers: &HeaderMap) -> bool {
    accept_entries(headers)
        .map(parse_media_range)
        .any(|(media, quality)| media == "text/html" && quality > 0.0)
}

/// Every media range of every `Accept` header (`type/subtype;params`).
fn accept_entries(headers: &HeaderMap) -> impl Iterator<Item = &str> {
    headers
        .get_all(http::header::ACCEPT)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
}

/// The value of parameter `name` (any case) of a media range, unquoted.
fn media_param<'a>(entry: &'a str, name: &str) -> Option<&'a str> {
    entry.split(';').skip(1).find_map(|param| {
        let (key, value) = param.split_once('=')?;
        key.trim()
            .eq_ignore_ascii_case(name)
            .then(|| value.trim().trim_matches('"'))
    })
}

/// Splits `type/subtype; q=0.5; x=y` into the lowercased media type and its quality.
fn parse_media_range(entry: &str) -> (String, f32) {
    let mut parts = entry.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let mut quality = 1.0;
    for param in parts {
        if let Some((name, value)) = param.split_once('=')
            && name.trim().eq_ignore_ascii_case("q")
        {
            quality = value.trim().parse().unwrap_or(0.0);
        }
    }
    (media, quality)
}

/// The media type of a request body, without parameters (`; charset=utf-8`).
pub fn request_media_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(http::header::CONTENT_TYPE)?.to_str().ok()?;
    Some(parse_media_range(value).0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn format(accept: Option<&str>) -> ResponseFormat {
        let mut headers = HeaderMap::new();
        if let Some(accept) = accept {
            headers.insert(http::header::ACCEPT, accept.parse().unwrap());
        }
        ResponseFormat::from_headers(&headers)
    }

    #[test]
    fn accept_header_variants() {
        use ResponseFormat::*;
        assert_eq!(format(None), Json);
        assert_eq!(format(Some("*/*")), Json);
        assert_eq!(format(Some("application/json")), Json);
        assert_eq!(
            format(Some("application/graphql-response+json")),
            GraphQLResponseJson
        );
        assert_eq!(
            format(Some(
                "application/graphql-response+json, application/json;q=0.9"
            )),
            GraphQLResponseJson
        );
        assert_eq!(
            format(Some("application/json, application/graphql-response+json")),
            GraphQLResponseJson
        );
        assert_eq!(
            format(Some(
                "application/graphql-response+json;q=0.5, application/json"
            )),
            Json
        );
        assert_eq!(format(Some("text/html")), Json);
        assert_eq!(format(Some("application/graphql-response+json;q=0")), Json);
    }

    #[test]
    fn multipart_accept_variants() {
        let accepts = |accept: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(http::header::ACCEPT, accept.parse().unwrap());
            accepts_incremental(&headers)
        };
        assert!(accepts("multipart/mixed;deferSpec=20220824"));
        assert!(accepts("multipart/mixed"));
        assert!(accepts(
            "multipart/mixed;deferSpec=20220824, application/json"
        ));
        assert!(!accepts("application/json"));
        assert!(!accepts("multipart/mixed;q=0"));
        assert!(!accepts("multipart/mixed;deferSpec=20990101"));
    }

    #[test]
    fn stream_formats() {
        let stream = |accept: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(http::header::ACCEPT, accept.parse().unwrap());
            (StreamFormat::from_headers(&headers), accepts_json(&headers))
        };
        assert_eq!(
            stream("text/event-stream"),
            (Some(StreamFormat::Sse), false)
        );
        assert_eq!(
            stream("multipart/mixed;subscriptionSpec=\"1.0\", application/json"),
            (Some(StreamFormat::Multipart), true)
        );
        assert_eq!(
            stream("text/event-stream, multipart/mixed;q=0.5"),
            (Some(StreamFormat::Sse), false)
        );
        assert_eq!(stream("application/json"), (None, true));
        assert_eq!(stream("text/event-stream;q=0"), (None, false));
        assert!(accepts_json(&HeaderMap::new()));
    }

    #[test]
    fn content_type_parameters_are_ignored() {
        let mut headers = HeaderMap::new();
        headers.insert(
            http::header::CONTENT_TYPE,
            "Application/JSON; charset=utf-8".parse().unwrap(),
        );
        assert_eq!(
            request_media_type(&headers).as_deref(),
            Some("application/json")
        );
    }
}
