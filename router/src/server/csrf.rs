//! Cross-site request forgery prevention (the same rule as Apollo Router's `csrf`
//! plugin).
//!
//! A browser sends some cross-origin requests without asking the server first (a
//! CORS preflight): GETs, and POSTs whose content type is `text/plain`,
//! `application/x-www-form-urlencoded` or `multipart/form-data`. Cookies go with
//! them, so a malicious page could run operations as the user even though it can't
//! read the answer. Such requests are refused unless they carry a header that only a
//! preflighted request can carry (one of the configured `required_headers`).

use http::{HeaderMap, HeaderName};

use super::negotiation::request_media_type;

/// The content types a browser may send cross-origin without a preflight.
const SIMPLE_CONTENT_TYPES: [&str; 3] = [
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data",
];

/// Whether a request must be refused as a possible CSRF. The method does not
/// matter: a content type other than the simple ones makes the browser preflight
/// any request, and no content type (a GET) or a simple one does not.
pub fn is_refused(headers: &HeaderMap, required_headers: &[HeaderName]) -> bool {
    if required_headers
        .iter()
        .any(|name| headers.contains_key(name))
    {
        return false;
    }
    match request_media_type(headers) {
        None => true,
        Some(media) => SIMPLE_CONTENT_TYPES.contains(&media.as_str()),
    }
}

/// The message of the refusal, naming the headers that lift it.
pub fn refusal_message(required_headers: &[HeaderName]) -> String {
    let names: Vec<&str> = required_headers.iter().map(HeaderName::as_str).collect();
    format!(
        "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). \
         Please either specify a 'content-type' header (with a type that is not one of \
         text/plain, application/x-www-form-urlencoded, multipart/form-data) or provide \
         one of the following headers: {}",
        names.join(", ")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(headers: &[(&'static str, &'static str)]) -> bool {
        let mut map = HeaderMap::new();
        for (name, value) in headers {
            map.insert(*name, value.parse().unwrap());
        }
        is_refused(&map, &[HeaderName::from_static("apollo-require-preflight")])
    }

    #[test]
    fn simple_requests_are_refused() {
        assert!(refused(&[]));
        assert!(refused(&[("content-type", "text/plain")]));
        assert!(refused(&[(
            "content-type",
            "application/x-www-form-urlencoded"
        )]));
        assert!(refused(&[(
            "content-type",
            "multipart/form-data; boundary=x"
        )]));
    }

    #[test]
    fn preflighted_requests_pass() {
        assert!(!refused(&[("content-type", "application/json")]));
        assert!(!refused(&[("apollo-require-preflight", "true")]));
        assert!(!refused(&[
            ("content-type", "text/plain"),
            ("apollo-require-preflight", "1")
        ]));
    }
}
