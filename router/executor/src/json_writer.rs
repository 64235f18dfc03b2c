//! Writing JSON bytes for the two bodies the router produces per request: the
//! client response and each subgraph request.
//!
//! Both are mostly strings (review bodies, operation texts), and `serde_json`
//! checks every byte of a string against its escape table, one at a time. Here a
//! string is checked a block at a time (SIMD) for the few bytes JSON must escape,
//! and the runs between them are copied whole. The output is byte for byte what
//! `serde_json` writes; everything that is not a [`Value`] (errors, extensions,
//! client variables) is still written by `serde_json`.

use serde::Serialize;

use crate::fetcher::SubgraphRequest;
use crate::response::Response;
use crate::value::Value;

/// Writes `value` as compact JSON.
pub(crate) fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        Value::Number(number) => write_serde(out, number),
        Value::String(string) => write_str(out, string),
        Value::Array(items) => {
            out.push(b'[');
            for (index, item) in items.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_value(out, item);
            }
            out.push(b']');
        }
        Value::Object(object) => {
            out.push(b'{');
            for (index, (key, value)) in object.iter().enumerate() {
                if index > 0 {
                    out.push(b',');
                }
                write_str(out, key);
                out.push(b':');
                write_value(out, value);
            }
            out.push(b'}');
        }
    }
}

/// Writes `value` with `serde_json` (types that serialise infallibly to JSON:
/// numbers, errors, maps with string keys).
fn write_serde(out: &mut Vec<u8>, value: &impl Serialize) {
    // Writing to a Vec cannot fail, and these types have no fallible Serialize.
    let _ = serde_json::to_writer(&mut *out, value);
}

/// Bytes checked together before looking at any one of them.
const BLOCK: usize = 32;

/// Whether no byte of `block` needs escaping: none is a control character, `"`
/// or `\`. Written without early exit so the compiler checks 16 bytes per SIMD
/// instruction; almost every block of a response passes.
#[inline]
fn is_clean(block: &[u8]) -> bool {
    block.iter().fold(true, |clean, &byte| {
        clean & (byte >= 0x20) & (byte != b'"') & (byte != b'\\')
    })
}

/// Writes a JSON string literal.
pub(crate) fn write_str(out: &mut Vec<u8>, string: &str) {
    let bytes = string.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // `bytes[start..]` is not written yet; it is copied in runs between escapes.
    let mut start = 0;
    for (block_index, block) in bytes.chunks(BLOCK).enumerate() {
        if is_clean(block) {
            continue;
        }
        let offset = block_index * BLOCK;
        for (position, &byte) in block.iter().enumerate() {
            let escape: &[u8] = match byte {
                b'"' => b"\\\"",
                b'\\' => b"\\\\",
                b'\n' => b"\\n",
                b'\r' => b"\\r",
                b'\t' => b"\\t",
                0x08 => b"\\b",
                0x0c => b"\\f",
                0x00..=0x1f => &[
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xf)],
                ],
                _ => continue,
            };
            out.extend_from_slice(&bytes[start..offset + position]);
            out.extend_from_slice(escape);
            start = offset + position + 1;
        }
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl Response {
    /// The response body, as `serde_json::to_vec(&self)` would write it. The data
    /// is not copied: the rest of the body is appended to its buffer.
    pub fn into_json_bytes(self) -> Vec<u8> {
        let (mut out, mut first) = match self.data {
            Some(data) => (data.into_buffer(), false),
            None => (b"{".to_vec(), true),
        };
        let mut key = |out: &mut Vec<u8>, name: &[u8]| {
            if !std::mem::take(&mut first) {
                out.push(b',');
            }
            out.extend_from_slice(name);
        };
        if !self.errors.is_empty() {
            key(&mut out, b"\"errors\":");
            write_serde(&mut out, &self.errors);
        }
        if let Some(extensions) = &self.extensions {
            key(&mut out, b"\"extensions\":");
            write_serde(&mut out, extensions);
        }
        out.push(b'}');
        out
    }
}

impl SubgraphRequest<'_> {
    /// The request body: `{"query", "operationName", "variables"}`, the last two
    /// only when there are any.
    pub fn to_json_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.query.len() + 256);
        out.extend_from_slice(b"{\"query\":");
        write_str(&mut out, self.query);
        if let Some(name) = self.operation_name {
            out.extend_from_slice(b",\"operationName\":");
            write_str(&mut out, name);
        }
        let variables = &self.variables;
        if !variables.is_empty() {
            out.extend_from_slice(b",\"variables\":{");
            let mut first = true;
            for (name, value) in &variables.forwarded {
                if !std::mem::take(&mut first) {
                    out.push(b',');
                }
                write_str(&mut out, name);
                out.push(b':');
                write_serde(&mut out, value);
            }
            for (name, representations) in &variables.representations {
                if !std::mem::take(&mut first) {
                    out.push(b',');
                }
                write_str(&mut out, name);
                out.push(b':');
                write_value(&mut out, representations);
            }
            out.push(b'}');
        }
        out.push(b'}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::GraphQLError;
    use crate::fetcher::Variables;
    use crate::response::ResponseData;
    use serde_json::json;
    use switchyard_planner::plan::OperationKind;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut samples: Vec<String> = vec![
            String::new(),
            "plain".into(),
            "exactly8".into(),
            "a longer string with no escapes at all, crossing chunks".into(),
            "quote \" and backslash \\ and slash /".into(),
            "\n\r\t\u{8}\u{c}\u{0}\u{1f}\u{7f} é 漢字 🦀".into(),
        ];
        samples.push((0u8..=127).map(char::from).collect());
        for sample in samples {
            for offset in 0..8 {
                let text = format!("{}{sample}", "x".repeat(offset));
                let mut out = Vec::new();
                write_str(&mut out, &text);
                assert_eq!(
                    String::from_utf8(out).unwrap(),
                    serde_json::to_string(&text).unwrap()
                );
            }
        }
    }

    #[test]
    fn values_and_responses_match_serde_json() {
        let json = json!({
            "data": {"a": [1, -2, 1.5, true, false, null, "s"], "b": {}, "c": []},
            "nested": [{"x": {"y": "z\"q"}}]
        });
        let value = Value::from(json.clone());
        let mut out = Vec::new();
        write_value(&mut out, &value);
        assert_eq!(out, serde_json::to_vec(&json).unwrap());

        let mut response = Response {
            data: Some(ResponseData::from_value(&value)),
            errors: vec![GraphQLError::new("boom").with_code("X")],
            extensions: Some(serde_json::Map::from_iter([("k".to_owned(), json!(1))])),
        };
        let same = |response: &Response| {
            assert_eq!(
                response.clone().into_json_bytes(),
                serde_json::to_vec(response).unwrap()
            );
        };
        same(&response);
        response.errors.clear();
        same(&response);
        response.data = None;
        response.errors.push(GraphQLError::new("boom"));
        same(&response);
        response.extensions = None;
        same(&response);
        response.errors.clear();
        same(&response);
    }

    #[test]
    fn subgraph_requests_are_the_standard_body() {
        let representations = Value::from(json!([{"__typename": "P", "upc": "1"}]));
        let forwarded = serde_json::Map::from_iter([("first".to_owned(), json!(3))]);
        let query = r#"{"query":"query Op($first: Int) {\n  a(first: $first)\n}""#;
        for (forwarded, representations, name, rest) in [
            (serde_json::Map::new(), vec![], None, "}"),
            (
                forwarded.clone(),
                vec![],
                Some("Op"),
                r#","operationName":"Op","variables":{"first":3}}"#,
            ),
            (
                serde_json::Map::new(),
                vec![("representations".into(), representations.clone())],
                None,
                r#","variables":{"representations":[{"__typename":"P","upc":"1"}]}}"#,
            ),
            (
                forwarded.clone(),
                vec![
                    ("representations0".into(), representations.clone()),
                    ("representations1".into(), Value::Array(Vec::new())),
                ],
                None,
                r#","variables":{"first":3,"representations0":[{"__typename":"P","upc":"1"}],"representations1":[]}}"#,
            ),
            (
                forwarded,
                vec![("representations".into(), representations)],
                Some("Op"),
                r#","operationName":"Op","variables":{"first":3,"representations":[{"__typename":"P","upc":"1"}]}}"#,
            ),
        ] {
            let request = SubgraphRequest {
                query: "query Op($first: Int) {\n  a(first: $first)\n}",
                operation_name: name,
                variables: Variables {
                    forwarded,
                    representations,
                },
                operation_kind: OperationKind::Query,
            };
            assert_eq!(
                String::from_utf8(request.to_json_bytes()).unwrap(),
                format!("{query}{rest}")
            );
        }
    }
}
