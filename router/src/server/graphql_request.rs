//! Reading a GraphQL request out of an HTTP request (GraphQL over HTTP):
//! a JSON body on POST, URL parameters on GET.
//!
//! Everything here fails with a [`RequestRejection`] that names the HTTP status
//! and a clear message; nothing a client sends can make it panic.

use http::StatusCode;
use serde_json::{Map, Value};

/// A well-formed GraphQL request, not yet parsed or validated.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphQLRequest {
    pub query: String,
    pub operation_name: Option<String>,
    pub variables: Map<String, Value>,
    pub extensions: Map<String, Value>,
    /// A persisted document's id sent instead of its text (`documentId`, as the
    /// GraphQL-over-HTTP persisted documents proposal names it, or Relay's
    /// `doc_id`). `query` is then empty until the id is resolved.
    pub document_id: Option<String>,
}

/// A request refused before GraphQL processing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRejection {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
}

impl RequestRejection {
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self {
            status: StatusCode::BAD_REQUEST,
            code: "INVALID_GRAPHQL_REQUEST",
            message: message.into(),
        }
    }
}

/// Reads the JSON body of a POST. An object with the same key twice (anywhere:
/// two `query` members, a variable given twice) is refused: `serde_json` would
/// keep the last one silently, and a proxy or log that reads the first would see
/// another request than the one executed.
pub fn from_json_body(body: &[u8]) -> Result<GraphQLRequest, RequestRejection> {
    let UniqueKeys(value) = serde_json::from_slice(body).map_err(|e| {
        RequestRejection::bad_request(format!("The request body is not valid JSON: {e}"))
    })?;
    match value {
        Value::Object(object) => from_object(object),
        Value::Array(_) => Err(RequestRejection::bad_request(
            "Batched requests (a JSON array) are not supported; send one request object",
        )),
        _ => Err(RequestRejection::bad_request(
            "The request body must be a JSON object with a `query`",
        )),
    }
}

/// A JSON value whose objects have no duplicate keys (a duplicate is a
/// deserialisation error naming the key).
struct UniqueKeys(Value);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer
            .deserialize_any(UniqueKeysVisitor)
            .map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(UniqueKeys(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate key {key:?}"
                )));
            }
            let UniqueKeys(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

pub(crate) fn from_object(
    mut object: Map<String, Value>,
) -> Result<GraphQLRequest, RequestRejection> {
    let document_id = document_id(&mut object)?;
    let query = match object.remove("query") {
        Some(Value::String(query)) => query,
        // A persisted document: the text is looked up by id or hash
        // (`crate::persisted`).
        None | Some(Value::Null)
            if document_id.is_some()
                || object
                    .get("extensions")
                    .and_then(|extensions| extensions.get("persistedQuery"))
                    .is_some() =>
        {
            String::new()
        }
        None | Some(Value::Null) => {
            return Err(RequestRejection::bad_request(
                "The request has no `query`: send the GraphQL document as a string in `query`",
            ));
        }
        Some(_) => return Err(RequestRejection::bad_request("`query` must be a string")),
    };
    let operation_name = match object.remove("operationName") {
        None | Some(Value::Null) => None,
        Some(Value::String(name)) => Some(name),
        Some(_) => {
            return Err(RequestRejection::bad_request(
                "`operationName` must be a string",
            ));
        }
    };
    let variables = match object.remove("variables") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(variables)) => variables,
        Some(_) => {
            return Err(RequestRejection::bad_request(
                "`variables` must be a JSON object",
            ));
        }
    };
    let extensions = match object.remove("extensions") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(extensions)) => extensions,
        Some(_) => {
            return Err(RequestRejection::bad_request(
                "`extensions` must be a JSON object",
            ));
        }
    };
    Ok(GraphQLRequest {
        query,
        operation_name,
        variables,
        extensions,
        document_id,
    })
}

/// `documentId` or `doc_id`, at most one of them, a string.
fn document_id(object: &mut Map<String, Value>) -> Result<Option<String>, RequestRejection> {
    let mut found = None;
    for name in ["documentId", "doc_id"] {
        match object.remove(name) {
            None | Some(Value::Null) => {}
            Some(Value::String(id)) if found.is_none() => found = Some(id),
            Some(Value::String(_)) => {
                return Err(RequestRejection::bad_request(
                    "Send one of `documentId` and `doc_id`, not both",
                ));
            }
            Some(_) => {
                return Err(RequestRejection::bad_request(format!(
                    "`{name}` must be a string"
                )));
            }
        }
    }
    Ok(found)
}

/// Reads the URL query string of a GET: `query`, `operationName`, and
/// `variables` / `extensions` as JSON-encoded strings.
pub fn from_query_string(raw: Option<&str>) -> Result<GraphQLRequest, RequestRejection> {
    let mut object = Map::new();
    for (name, value) in form_pairs(raw.unwrap_or(""))? {
        let value = match name.as_str() {
            "query" | "operationName" | "documentId" | "doc_id" => Value::String(value),
            "variables" | "extensions" => {
                serde_json::from_str::<UniqueKeys>(&value)
                    .map_err(|e| {
                        RequestRejection::bad_request(format!("`{name}` is not valid JSON: {e}"))
                    })?
                    .0
            }
            _ => continue,
        };
        if object.insert(name.clone(), value).is_some() {
            return Err(RequestRejection::bad_request(format!(
                "`{name}` is given more than once"
            )));
        }
    }
    from_object(object)
}

/// Decodes `application/x-www-form-urlencoded` pairs (`+` is a space).
fn form_pairs(raw: &str) -> Result<Vec<(String, String)>, RequestRejection> {
    raw.split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            Ok((percent_decode(name)?, percent_decode(value)?))
        })
        .collect()
}

fn percent_decode(text: &str) -> Result<String, RequestRejection> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes
                    .get(i + 1..i + 3)
                    .and_then(|h| std::str::from_utf8(h).ok())
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                    .ok_or_else(|| {
                        RequestRejection::bad_request("The URL has an invalid percent-encoding")
                    })?;
                out.push(hex);
                i += 2;
            }
            byte => out.push(byte),
        }
        i += 1;
    }
    String::from_utf8(out)
        .map_err(|_| RequestRejection::bad_request("The URL parameters are not valid UTF-8"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_bodies() {
        let ok =
            from_json_body(br#"{"query":"{a}","operationName":null,"variables":{"x":1}}"#).unwrap();
        assert_eq!(ok.query, "{a}");
        assert_eq!(ok.variables["x"], 1);
        let message = |body: &[u8]| from_json_body(body).unwrap_err().message;
        assert!(message(b"{").starts_with("The request body is not valid JSON"));
        assert!(message(b"{}").starts_with("The request has no `query`"));
        assert_eq!(message(br#"{"query":1}"#), "`query` must be a string");
        assert_eq!(
            message(br#"{"query":"{a}","variables":[1]}"#),
            "`variables` must be a JSON object"
        );
        assert!(message(b"[]").starts_with("Batched requests"));
        assert!(message(b"1").starts_with("The request body must be a JSON object"));
        assert!(
            message(br#"{"query":"{a}","variables":{"x":[{"y":1,"y":2}]}}"#)
                .contains("duplicate key \"y\"")
        );
        let numbers = from_json_body(
            br#"{"query":"{a}","variables":{"n":18446744073709551615,"m":-1,"f":1.5}}"#,
        )
        .unwrap();
        assert_eq!(numbers.variables["n"], u64::MAX);
        assert_eq!(numbers.variables["m"], -1);
        assert_eq!(numbers.variables["f"], 1.5);
    }

    #[test]
    fn query_strings() {
        let ok = from_query_string(Some(
            "query=%7B%20a%20%7D&operationName=Op&variables=%7B%22x%22%3A1%7D&other=1",
        ))
        .unwrap();
        assert_eq!(ok.query, "{ a }");
        assert_eq!(ok.operation_name.as_deref(), Some("Op"));
        assert_eq!(ok.variables["x"], 1);
        assert_eq!(from_query_string(Some("query=a+b")).unwrap().query, "a b");
        assert!(from_query_string(None).is_err());
        assert!(from_query_string(Some("query=%zz")).is_err());
        assert!(from_query_string(Some("query=%")).is_err());
        assert!(from_query_string(Some("query=a&query=b")).is_err());
        assert!(from_query_string(Some("query=a&variables=nope")).is_err());
        assert!(from_query_string(Some("query=a&variables=%7B%22x%22:1,%22x%22:2%7D")).is_err());
        assert!(from_query_string(Some("query=%FF")).is_err());
    }

    #[test]
    fn persisted_documents_need_no_query() {
        let by_hash =
            from_json_body(br#"{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"ab"}}}"#)
                .unwrap();
        assert_eq!(by_hash.query, "");
        let by_id = from_json_body(br#"{"documentId":"x"}"#).unwrap();
        assert_eq!(by_id.document_id.as_deref(), Some("x"));
        let relay = from_query_string(Some("doc_id=y")).unwrap();
        assert_eq!(relay.document_id.as_deref(), Some("y"));
        let message = |body: &[u8]| from_json_body(body).unwrap_err().message;
        assert!(message(br#"{"documentId":"x","doc_id":"y"}"#).contains("not both"));
        assert_eq!(
            message(br#"{"documentId":1}"#),
            "`documentId` must be a string"
        );
        assert!(message(br#"{"extensions":{}}"#).starts_with("The request has no `query`"));
    }
}
